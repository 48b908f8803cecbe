"""The pages and the API, through the client: what a prescriber, a nurse, a clinician and
the patient see and do, and bad input answered with the field named."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from stepwell.meds.models import Adherence, DrugTest, Medication, NaloxoneRecord, Reconciliation
from stepwell.patients.models import CareTeamMember
from stepwell.testing.auth import verified_login

from .conftest import moment


def _post_json(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_chart_section_shows_the_list_and_the_forms(client, on_sertraline, diagnosed):
    verified_login(client, diagnosed.prescriber_a)
    page = client.get(f"/meds/patients/{diagnosed.patient_a.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "sertraline" in body and "50 mg by mouth, once daily" in body
    assert "Allergies not yet asked" in body
    assert "no naloxone kit offered yet" in body  # F11.20 and no record
    assert "Start a medication visit" in body
    fragment = client.get(f"/meds/patients/{diagnosed.patient_a.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()


def test_a_bad_dose_on_the_page_is_shown_next_to_the_field(client, diagnosed):
    verified_login(client, diagnosed.nurse_a)
    answer = client.post(
        f"/meds/patients/{diagnosed.patient_a.pk}/medications/",
        {
            "med-formulary_key": "sertraline",
            "med-dose": "-5",
            "med-unit": "mg",
            "med-route": "oral",
            "med-frequency": "daily",
            "med-start_date": "2026-10-01",
        },
    )
    assert answer.status_code == 400
    assert "The dose must be a positive number" in answer.content.decode()
    assert not Medication.objects.exists()


def test_reconciliation_through_the_pages(client, on_sertraline, diagnosed):
    verified_login(client, diagnosed.prescriber_a)
    started = client.post(
        f"/meds/episodes/{diagnosed.episode_a.pk}/reconciliations/", {"occasion": "admission"}
    )
    reconciliation = Reconciliation.objects.get()
    assert started["Location"] == f"/meds/reconciliations/{reconciliation.pk}/"
    url = started["Location"]
    refused = client.post(url, {"action": "sign"})
    assert refused.status_code == 400
    assert "Decide continue, change or stop for: sertraline" in refused.content.decode()
    client.post(
        url,
        {
            "action": "decide",
            "medication_id": on_sertraline.pk,
            "decision": "change",
            "new_dose": "100",
        },
    )
    signed = client.post(url, {"action": "sign"})
    assert signed.status_code == 302
    on_sertraline.refresh_from_db()
    assert str(on_sertraline.dose) == "100.000"
    reconciliation.refresh_from_db()
    assert reconciliation.signer_name == str(diagnosed.prescriber_a)


def test_a_visit_records_side_effects_and_links_the_dose_change(client, on_sertraline, diagnosed):
    verified_login(client, diagnosed.prescriber_a)
    start = (timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    end = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    started = client.post(
        f"/meds/patients/{diagnosed.patient_a.pk}/visits/",
        {"visit-started_at": start, "visit-ended_at": end},
    )
    assert started.status_code == 302, started.content.decode()[:500]
    url = started["Location"]
    effects = {"action": "side_effects", "sedation": "mild", "weight_gain": "none"}
    missing = client.post(url, effects)
    assert missing.status_code == 400  # the checklist is answered in full
    effects |= {
        e: "none" for e in ("sexual_dysfunction", "gi_upset", "activation", "tremor", "dizziness")
    }
    assert client.post(url, effects).status_code == 302
    changed = client.post(
        url,
        {
            "action": "change",
            "medication_id": on_sertraline.pk,
            "dose": "75",
            "status_reason": "Partial response",
        },
    )
    assert changed.status_code == 302
    page = client.get(url).content.decode()
    assert "50 mg by mouth, once daily →" in page and "75 mg" in page
    note = on_sertraline.changes.get(kind="dose").visit_note
    assert (
        "sertraline: 50 mg by mouth, once daily -> 75 mg by mouth, once daily"
        in note.medication_changes
    )
    assert note.med_visit.side_effects["sedation"] == "mild"


def test_the_patient_answers_adherence_on_the_portal(client, on_sertraline, diagnosed):
    verified_login(client, diagnosed.patient_user_a)
    page = client.get("/meds/mine/")
    assert "sertraline" in page.content.decode()
    assert client.post("/meds/mine/", {"answer": "maybe"}).status_code == 400
    assert client.post("/meds/mine/", {"answer": "some", "why_not": "Ran out"}).status_code == 302
    answer = Adherence.objects.get()
    assert (answer.answer, answer.why_not) == ("some", "Ran out")
    verified_login(client, diagnosed.prescriber_a)
    assert "Ran out" in client.get(f"/meds/patients/{diagnosed.patient_a.pk}/").content.decode()
    worklist = client.get("/meds/worklist/").content.decode()
    assert "took them some days: Ran out" in worklist


def test_an_unexpected_positive_is_on_the_chart_and_the_primary_clinicians_worklist(
    client, diagnosed
):
    CareTeamMember.objects.create(
        patient=diagnosed.patient_a, user=diagnosed.clinician_a, team_role="primary_clinician"
    )
    verified_login(client, diagnosed.clinician_a)
    answer = _post_json(
        client,
        f"/api/v1/patients/{diagnosed.patient_a.pk}/drug-tests",
        {
            "collected_at": moment(1).isoformat(),
            "observed": False,
            "results": {"cocaine": "positive", "opiates": "negative"},
        },
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["results"][0] == {
        "substance": "cocaine",
        "outcome": "positive",
        "expected": False,
        "confirmation": "",
        "unexpected_positive": True,
    }
    chart = client.get(f"/meds/patients/{diagnosed.patient_a.pk}/").content.decode()
    assert "Unexpected positive: Cocaine." in chart
    assert "review with the patient" in chart
    worklist = client.get("/meds/worklist/").content.decode()
    assert "Unexpected positive: Cocaine" in worklist
    test = DrugTest.objects.get()
    client.post(
        f"/meds/drug-tests/{test.pk}/", {"action": "review", "note": "Discussed; plan adjusted."}
    )
    assert "Unexpected positive" not in client.get("/meds/worklist/").content.decode()


def test_the_api_lists_writes_and_refuses_with_the_field(client, diagnosed):
    verified_login(client, diagnosed.prescriber_a)
    base = f"/api/v1/patients/{diagnosed.patient_a.pk}"
    bad = _post_json(
        client,
        f"{base}/medications",
        {
            "rxnorm_code": "99999999",
            "dose": "5",
            "unit": "mg",
            "frequency": "daily",
            "start_date": "2026-10-01",
        },
    )
    assert bad.status_code == 400 and "rxnorm_code" in bad.json()["errors"]
    made = _post_json(
        client,
        f"{base}/medications",
        {
            "formulary_key": "buprenorphine_naloxone",
            "dose": "8",
            "unit": "mg",
            "route": "sublingual",
            "frequency": "daily",
            "start_date": "2026-10-01",
            "prescriber_id": diagnosed.prescriber_a.pk,
        },
    )
    assert made.status_code == 201, made.content
    medication = made.json()
    assert medication["controlled_schedule"] == "III" and medication["code_verified"] is False
    patched = _post_json(client, f"/api/v1/medications/{medication['id']}", {"dose": "12"}, "patch")
    assert patched.json()["dose"] == "12.000"
    assert [m["name"] for m in client.get(f"{base}/medications").json()] == [
        "buprenorphine / naloxone"
    ]
    assert (
        _post_json(client, f"{base}/allergies", {"kind": "no_known_allergies"}).status_code == 201
    )
    assert client.get(f"{base}/allergies").json()[0]["kind"] == "no_known_allergies"
    episode = diagnosed.episode_a.pk
    opened = _post_json(
        client,
        f"/api/v1/episodes/{episode}/reconciliations",
        {
            "occasion": "admission",
            "decisions": [{"medication_id": medication["id"], "decision": "continue"}],
        },
    )
    assert opened.status_code == 201, opened.content
    rid = opened.json()["id"]
    signed = client.post(f"/api/v1/episodes/{episode}/reconciliations/{rid}/sign")
    assert signed.status_code == 200 and signed.json()["signed_by"]
    # buprenorphine prescribed: a buprenorphine positive is expected
    tested = _post_json(
        client,
        f"{base}/drug-tests",
        {
            "collected_at": moment(0, 1).isoformat(),
            "observed": True,
            "results": {"buprenorphine": "positive"},
        },
    )
    assert tested.json()["results"][0]["expected"] is True
    assert tested.json()["results"][0]["unexpected_positive"] is False


def test_billing_and_the_administrator_see_no_medication(client, on_sertraline, diagnosed):
    for user in (diagnosed.billing_a, diagnosed.admin, diagnosed.intake_a):
        verified_login(client, user)
        assert client.get(f"/meds/patients/{diagnosed.patient_a.pk}/").status_code == 403
        answer = client.get(f"/api/v1/patients/{diagnosed.patient_a.pk}/medications")
        assert answer.status_code == 403
        assert "sertraline" not in answer.content.decode()


def test_a_nurse_records_a_naloxone_kit_from_the_chart(client, diagnosed):
    verified_login(client, diagnosed.nurse_a)
    url = f"/meds/patients/{diagnosed.patient_a.pk}/"
    assert "no naloxone kit offered yet" in client.get(url).content.decode()
    answer = client.post(
        f"{url}addiction/",
        {"what": "naloxone", "nx-naloxone": "provided", "nx-on": str(moment(1).date())},
    )
    assert answer.status_code == 302
    record = NaloxoneRecord.objects.get()
    assert (record.action, record.recorded_by) == ("provided", diagnosed.nurse_a)
    assert "no naloxone kit offered yet" not in client.get(url).content.decode()


def test_a_clinician_reads_a_medication_but_gets_no_change_form(client, on_sertraline, diagnosed):
    verified_login(client, diagnosed.clinician_a)
    page = client.get(f"/meds/medications/{on_sertraline.pk}/")
    assert page.status_code == 200
    assert "50 mg by mouth, once daily" in page.content.decode()
    assert "Save change" not in page.content.decode()
    refused = client.post(f"/meds/medications/{on_sertraline.pk}/", {"dose": "75"})
    assert refused.status_code == 403
    on_sertraline.refresh_from_db()
    assert on_sertraline.dose == 50
