"""Pages through the client: field errors, htmx partials, duplicate warning, audit page."""

import csv
import io

import pytest

from stepwell.patients.models import Episode, Patient
from stepwell.privacy.audit import audit_record
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login


def test_caseload_full_page_and_htmx_partial(client, clinic):
    verified_login(client, clinic.clinician_a)
    full = client.get("/caseload/")
    assert "<html" in full.content.decode()
    assert "Adult MH" in full.content.decode()
    partial = client.get("/caseload/?state=all&q=Alder", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body
    assert body.strip().startswith('<div id="caseload-table"')
    assert "Avery Alder" in body
    assert "Cedar" not in body


def test_caseload_filters_by_state_and_program(client, clinic):
    verified_login(client, clinic.clinician_a)
    active = client.get(
        f"/caseload/?state=active&program={clinic.program_a.pk}", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Avery Alder" in active
    referred = client.get("/caseload/?state=referred", HTTP_HX_REQUEST="true").content.decode()
    assert "Casey Cedar" in referred
    assert "Avery Alder" not in referred


def test_caseload_is_audited_with_the_patients_listed(client, clinic):
    verified_login(client, clinic.clinician_a)
    client.get("/caseload/")
    event = AuditEvent.objects.filter(action="list", object_type="caseload").latest("seq")
    assert sorted(event.detail["patients"]) == sorted(
        [clinic.patient_a.pk, clinic.team_patient_b.pk]
    )


def test_register_page_shows_field_errors_and_keeps_nothing(client, clinic):
    verified_login(client, clinic.intake_a)
    before = Patient.objects.count()
    response = client.post(
        "/patients/new/",
        {
            "program": clinic.program_a.pk,
            "legal_first_name": "",
            "date_of_birth": "not-a-date",
            "sex_assigned_at_birth": "female",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"legal_first_name", "legal_last_name", "date_of_birth"}
    assert "id_legal_first_name_errors" in response.content.decode()
    assert Patient.objects.count() == before


def test_register_page_warns_about_duplicate_then_registers(client, clinic):
    verified_login(client, clinic.intake_a)
    data = {
        "program": clinic.program_a.pk,
        "legal_first_name": "Avery",
        "legal_last_name": "Alder",
        "date_of_birth": clinic.patient_a.date_of_birth.isoformat(),
        "sex_assigned_at_birth": "female",
    }
    warned = client.post("/patients/new/", data)
    assert warned.status_code == 200
    assert 'data-testid="duplicate-warning"' in warned.content.decode()
    assert clinic.patient_a.mrn in warned.content.decode()
    assert Patient.objects.filter(legal_last_name="Alder").count() == 1
    done = client.post("/patients/new/", {**data, "confirm_not_duplicate": "on"})
    assert done.status_code == 302
    new = Patient.objects.filter(legal_last_name="Alder").exclude(pk=clinic.patient_a.pk).get()
    assert done["Location"] == f"/patients/{new.pk}/"
    assert Episode.objects.get(patient=new).state == "referred"


def test_register_page_only_offers_own_programs(client, clinic):
    verified_login(client, clinic.intake_a)
    page = client.get("/patients/new/")
    assert list(page.context["form"].fields["program"].queryset) == [clinic.program_a]
    forged = client.post(
        "/patients/new/",
        {
            "program": clinic.program_b.pk,
            "legal_first_name": "X",
            "legal_last_name": "Y",
            "date_of_birth": "1990-01-01",
            "sex_assigned_at_birth": "male",
        },
    )
    assert forged.status_code == 403  # the API's audited refusal, not a form error
    assert not Patient.objects.filter(legal_last_name="Y").exists()


def test_transition_page_explains_refusal(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/episodes/{clinic.episode_a.pk}/transition/", {"to_state": "discharged", "reason": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["reason"] == ["A discharge needs a reason."]
    assert "disposition" in errors
    assert Episode.objects.get(pk=clinic.episode_a.pk).state == "active"
    offered = [value for value, _ in response.context["form"].fields["to_state"].choices]
    assert offered == ["on_hold", "discharged"]


def test_audit_page_filters_sorts_and_exports(client, clinic):
    audit_record(
        user=clinic.clinician_a,
        action="view",
        patient_id=clinic.patient_a.pk,
        object_type="patient",
        client_address="10.1.1.1",
    )
    audit_record(
        user=clinic.nurse_a,
        action="view",
        patient_id=clinic.patient_a.pk,
        object_type="patient",
        client_address="10.1.1.2",
    )
    audit_record(
        user=clinic.clinician_b,
        action="view",
        patient_id=clinic.patient_b.pk,
        object_type="patient",
    )
    verified_login(client, clinic.director_a)
    page = client.get(f"/privacy/audit/?patient_id={clinic.patient_a.pk}&action=view&sort=username")
    rows = list(page.context["page"])
    assert [e["username"] for e in rows] == ["clin_a", "nurse_a"]
    descending = client.get(
        f"/privacy/audit/?patient_id={clinic.patient_a.pk}&action=view&sort=-username"
    )
    assert [e["username"] for e in descending.context["page"]] == ["nurse_a", "clin_a"]
    by_address = client.get("/privacy/audit/?client_address=10.1.1.2")
    assert [e["username"] for e in by_address.context["page"]] == ["nurse_a"]
    export = client.get(f"/privacy/audit/?patient_id={clinic.patient_a.pk}&action=view&format=csv")
    content = b"".join(export.streaming_content).decode()
    table = list(csv.reader(io.StringIO(content)))
    assert table[0][:3] == ["seq", "occurred_at", "username"]
    assert {row[2] for row in table[1:]} == {"clin_a", "nurse_a"}
    assert AuditEvent.objects.filter(
        action="export", object_type="audit_trail", username="dir_a"
    ).exists()


def test_audit_page_hides_other_programs_and_refuses_clinicians(client, clinic):
    audit_record(
        user=clinic.clinician_b,
        action="view",
        patient_id=clinic.patient_b.pk,
        object_type="patient",
    )
    verified_login(client, clinic.director_a)
    page = client.get(f"/privacy/audit/?patient_id={clinic.patient_b.pk}")
    assert list(page.context["page"]) == []
    client.logout()
    verified_login(client, clinic.clinician_a)
    assert client.get("/privacy/audit/").status_code == 403


def test_audit_page_names_bad_filter_fields(client, clinic):
    verified_login(client, clinic.director_a)
    page = client.get("/privacy/audit/?patient_id=abc&date_from=yesterday")
    assert set(page.context["form"].errors) == {"patient_id", "date_from"}


def test_chart_lists_recent_viewers(client, clinic):
    verified_login(client, clinic.nurse_a)
    client.get(f"/patients/{clinic.patient_a.pk}/")
    client.logout()
    verified_login(client, clinic.clinician_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/")
    assert [e.username for e in chart.context["viewers"]][:2] == ["clin_a", "nurse_a"]


def test_care_team_add_and_remove_from_chart(client, clinic):
    verified_login(client, clinic.clinician_a)
    client.post(
        f"/patients/{clinic.patient_a.pk}/care-team/",
        {"user": clinic.nurse_a.pk, "team_role": "nurse"},
    )
    member = clinic.patient_a.care_team.get(user=clinic.nurse_a)
    client.post(f"/patients/{clinic.patient_a.pk}/care-team/{member.pk}/remove/")
    assert not clinic.patient_a.care_team.filter(user=clinic.nurse_a).exists()
    assert (
        AuditEvent.objects.filter(object_type="care_team", patient_id=clinic.patient_a.pk).count()
        == 2
    )


def test_portal_shows_only_own_record(client, clinic):
    client.force_login(clinic.patient_user_a)
    page = client.get("/portal/").content.decode()
    assert "Avery" in page
    assert "Birch" not in page
    assert "988" in page


def test_portal_links_the_patients_signed_plan_only(client, clinic):
    from django.utils import timezone

    from stepwell.plans.models import TreatmentPlan

    signed = TreatmentPlan.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        version=1,
        status="signed",
        review_days=30,
        created_by=clinic.clinician_a,
        signed_at=timezone.now(),
    )
    draft = TreatmentPlan.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        version=2,
        status="draft",
        review_days=30,
        created_by=clinic.clinician_a,
        previous=signed,
    )
    client.force_login(clinic.patient_user_a)
    page = client.get("/portal/").content.decode()
    assert f"/plans/{signed.pk}/" in page
    assert f"/plans/{draft.pk}/" not in page
    assert client.get(f"/plans/{signed.pk}/").status_code == 200
    assert client.get(f"/plans/{draft.pk}/").status_code == 403


@pytest.mark.parametrize("who", ["nurse_a", "prescriber_a", "intake_a"])
def test_transition_form_is_refused_to_who_cannot_move_the_episode(client, clinic, who):
    """The form is for those who may make a move (clinicians and directors of an admitted
    patient's program); others who read the chart get the audited refusal, not the form."""
    user = getattr(clinic, who)
    verified_login(client, user)
    response = client.get(f"/episodes/{clinic.episode_a.pk}/transition/")
    assert response.status_code == 403
    assert 'name="to_state"' not in response.content.decode()
    assert AuditEvent.objects.filter(
        user_id=user.pk, outcome="denied", action="transition", patient_id=clinic.patient_a.pk
    ).exists()


@pytest.mark.parametrize("who", ["clinician_a", "director_a"])
def test_transition_form_is_shown_to_who_may_move_the_episode(client, clinic, who):
    verified_login(client, getattr(clinic, who))
    response = client.get(f"/episodes/{clinic.episode_a.pk}/transition/")
    assert response.status_code == 200
    assert 'name="to_state"' in response.content.decode()
