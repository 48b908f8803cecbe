"""The pages, the PDFs and the API through the client: the care team's discharge page,
the patient's portal page (also after discharge), bad input answered with the field named,
PDFs that are audited and never cached publicly."""

from __future__ import annotations

import json

from stepwell.discharge import services
from stepwell.discharge.models import AftercareContact, DischargeSummary
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import NARRATIVE


def _json(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_the_chart_links_to_the_discharge_page(client, diagnosed):
    verified_login(client, diagnosed.clinician_a)
    chart = client.get(f"/patients/{diagnosed.patient_a.pk}/")
    assert f"/episodes/{diagnosed.episode_a.pk}/discharge/" in chart.content.decode()


def test_draft_edit_and_sign_through_the_page(client, diagnosed):
    clinic = diagnosed
    verified_login(client, clinic.clinician_a)
    base = f"/episodes/{clinic.episode_a.pk}/discharge"
    page = client.get(f"{base}/")
    assert page.status_code == 200 and b"Draft the summary from the episode" in page.content
    assert client.post(f"{base}/summary/draft").status_code == 302
    bad = client.post(f"{base}/summary", {**NARRATIVE, "disposition": "vanished"})
    assert bad.status_code == 400
    assert b"Select a valid choice" in bad.content
    saved = client.post(f"{base}/summary", NARRATIVE)
    assert saved.status_code == 302
    assert client.post(f"{base}/summary/sign").status_code == 302
    summary = DischargeSummary.objects.get()
    assert summary.status == "signed"
    page = client.get(f"{base}/")
    assert b"Signed" in page.content and b"Add the addendum" in page.content
    assert b"F33.1" in page.content


def test_signing_an_empty_summary_shows_what_is_missing(client, diagnosed):
    verified_login(client, diagnosed.clinician_a)
    base = f"/episodes/{diagnosed.episode_a.pk}/discharge"
    client.post(f"{base}/summary/draft")
    refused = client.post(f"{base}/summary/sign")
    assert refused.status_code == 400
    assert b"cannot be signed yet" in refused.content


def test_contact_without_consent_is_refused_on_the_form(client, plan, diagnosed):
    verified_login(client, diagnosed.nurse_a)
    response = client.post(
        f"/episodes/{diagnosed.episode_a.pk}/aftercare/contacts",
        {"name": "Jo", "relationship": "Sister", "phone": "555-0100"},
    )
    assert response.status_code == 400
    assert b"only with the patient&#x27;s consent" in response.content
    assert AftercareContact.objects.count() == 0


def test_pdfs_are_audited_and_never_cached(client, signed_summary, plan, diagnosed):
    clinic = diagnosed
    verified_login(client, clinic.clinician_a)
    for name in ("discharge-summary", "aftercare-plan"):
        response = client.get(f"/episodes/{clinic.episode_a.pk}/{name}.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        # The security middleware answers every response with no-store (stricter than the
        # PDF's own "private, no-store"): no browser or proxy keeps a copy.
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert f"{name}-{clinic.episode_a.pk}.pdf" in response["Content-Disposition"]
    exports = AuditEvent.objects.filter(action="export", outcome="allowed")
    assert sorted(exports.values_list("object_type", flat=True)) == [
        "aftercare_plan",
        "discharge_summary",
    ]
    assert set(exports.values_list("patient_id", flat=True)) == {clinic.patient_a.pk}


def test_pdf_refused_for_billing_and_other_patients(client, signed_summary, plan, diagnosed):
    clinic = diagnosed
    verified_login(client, clinic.billing_a)
    assert client.get(f"/episodes/{clinic.episode_a.pk}/discharge-summary.pdf").status_code == 403
    client.force_login(clinic.patient_user_b)
    assert client.get(f"/episodes/{clinic.episode_a.pk}/aftercare-plan.pdf").status_code == 403
    client.force_login(clinic.patient_user_a)
    assert client.get(f"/episodes/{clinic.episode_a.pk}/discharge-summary.pdf").status_code == 403
    own = client.get(f"/episodes/{clinic.episode_a.pk}/aftercare-plan.pdf")
    assert own.status_code == 200 and "no-store" in own["Cache-Control"]


def test_the_patient_reads_and_signs_the_plan_after_discharge(
    client, signed_summary, plan, diagnosed
):
    from stepwell.patients.services import episode_transition

    clinic = diagnosed
    services.aftercare_contact_add(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        name="Jo",
        relationship="Sister",
        phone="555-0100",
        consent_given=True,
    )
    episode_transition(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        to_state="discharged",
        reason="Done",
        disposition="completed",
    )
    services.discharge_policy_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        documents_required=True,
        exempt_dispositions=[],
        after_hours_line="555-0199",
    )
    client.force_login(clinic.patient_user_a)
    page = client.get("/portal/aftercare/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Skipping meals" in text and "Jo (Sister): 555-0100" in text
    assert "988" in text and "555-0199" in text
    # Discharged, the patient is an alumnus: the plan leads to the alumni calendar.
    assert 'data-testid="aftercare-alumni-link"' in text and "/alumni/portal/" in text
    assert client.post("/portal/aftercare/sign").status_code == 302
    assert "Signed" in client.get("/portal/aftercare/").content.decode()


def test_the_portal_page_without_a_plan_and_refused_to_staff(client, clinic):
    client.force_login(clinic.patient_user_b)
    page = client.get("/portal/aftercare/")
    assert page.status_code == 200 and b"appears here once" in page.content
    verified_login(client, clinic.clinician_a)
    assert client.get("/portal/aftercare/").status_code == 403


def test_directory_and_settings_pages(client, clinic):
    verified_login(client, clinic.director_a)
    base = f"/discharge/programs/{clinic.program_a.pk}"
    bad = client.post(
        f"{base}/support-groups",
        {"kind": "aa", "name": "", "meeting_day": "1", "meeting_time": "19:00", "place": "Hall"},
    )
    assert bad.status_code == 400 and b"Write the group&#x27;s name." in bad.content
    good = client.post(
        f"{base}/support-groups",
        {
            "kind": "aa",
            "name": "AA Tuesday",
            "meeting_day": "1",
            "meeting_time": "19:00",
            "place": "Hall",
        },
    )
    assert good.status_code == 302
    saved = client.post(
        f"{base}/policy",
        {
            "documents_required": "on",
            "exempt_dispositions": ["administrative"],
            "after_hours_line": "555-0199",
        },
    )
    assert saved.status_code == 302
    page = client.get(f"{base}/").content.decode()
    assert "AA Tuesday" in page and "555-0199" in page
    verified_login(client, clinic.nurse_a)
    assert client.post(f"{base}/policy", {"after_hours_line": "1"}).status_code == 403


def test_the_api_drafts_patches_signs_and_refuses(client, diagnosed):
    clinic = diagnosed
    verified_login(client, clinic.clinician_a)
    url = f"/api/v1/episodes/{clinic.episode_a.pk}/discharge-summary"
    assert client.get(url).status_code == 404
    drafted = client.post(url)
    assert drafted.status_code == 201, drafted.content
    assert drafted.json()["facts"]["diagnoses"][0]["code"] == "F33.1"
    bad = _json(client, url, {"disposition": "vanished"}, "patch")
    assert bad.status_code == 400 and "disposition" in bad.json()["errors"]
    unsigned = client.post(f"{url}/sign")
    assert unsigned.status_code == 400 and "recommendations" in unsigned.json()["errors"]
    patched = _json(client, url, NARRATIVE, "patch")
    assert patched.status_code == 200 and patched.json()["disposition"] == "completed"
    signed = client.post(f"{url}/sign")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    locked = _json(client, url, {"referrals": "x"}, "patch")
    assert locked.status_code == 400 and "status" in locked.json()["errors"]
    added = _json(client, f"{url}/addenda", {"text": "Late entry."})
    assert added.status_code == 201
    assert client.get(url).json()["addenda"][0]["text"] == "Late entry."
    verified_login(client, clinic.intake_a)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


def test_the_api_reads_the_aftercare_plan(client, plan, diagnosed):
    verified_login(client, diagnosed.nurse_a)
    body = client.get(f"/api/v1/episodes/{diagnosed.episode_a.pk}/aftercare-plan").json()
    assert body["status"] == "draft" and body["crisis_resources"][0]["number"] == "988"


def test_pdfs_before_any_document_say_so(client, diagnosed):
    verified_login(client, diagnosed.clinician_a)
    for name in ("discharge-summary", "aftercare-plan"):
        response = client.get(f"/episodes/{diagnosed.episode_a.pk}/{name}.pdf")
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-")
