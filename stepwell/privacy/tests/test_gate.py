"""The gate's framework: roles per program, system actors, the one refusal path."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from stepwell.accounts.models import Role, RoleAssignment
from stepwell.core.errors import AccessDenied
from stepwell.privacy.access import (
    access_care_team_edit,
    access_episode_by_id,
    access_patient_by_id,
    audit_reviewable_patients,
    patients_visible_to,
)
from stepwell.privacy.access.predicates import holds_role_in, programs_with
from stepwell.privacy.actors import system_actor
from stepwell.privacy.audit import audit_record
from stepwell.privacy.models import AuditEvent
from stepwell.privacy.refusals import refusal_settle, refuse
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory


def denied(object_type: str):
    return AuditEvent.objects.filter(outcome="denied", object_type=object_type)


# --- roles per program ----------------------------------------------------------------


@pytest.fixture
def director_a_nurse_b(clinic):
    """Directs program A and works in program B as a nurse: not a director in B."""
    return UserFactory(
        username="dir_a_nurse_b",
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_a), (Role.NURSE, clinic.program_b)],
    )


def test_a_role_is_held_in_its_program_only(clinic, director_a_nurse_b):
    user = director_a_nurse_b
    assert programs_with(user, Role.PROGRAM_DIRECTOR) == {clinic.program_a.pk}
    assert programs_with(user, Role.NURSE) == {clinic.program_b.pk}
    assert holds_role_in(user, clinic.program_a.pk, Role.PROGRAM_DIRECTOR)
    assert not holds_role_in(user, clinic.program_b.pk, Role.PROGRAM_DIRECTOR)


def test_directing_a_does_not_make_one_a_director_in_b(clinic, director_a_nurse_b):
    user = director_a_nurse_b
    # Sees both programs' patients (director in A, nurse in B) ...
    assert set(patients_visible_to(user)) >= {clinic.patient_a, clinic.patient_b}
    # ... but reviews the audit trail of A's patients only, and edits no care team in B.
    assert clinic.patient_a in audit_reviewable_patients(user)
    assert clinic.patient_b not in audit_reviewable_patients(user)
    assert not access_care_team_edit(user, clinic.patient_b)


def test_the_administrator_role_belongs_to_no_program_and_others_to_one(clinic):
    with transaction.atomic(), pytest.raises(IntegrityError):
        RoleAssignment.objects.create(
            user=clinic.nurse_a, role=Role.ADMINISTRATOR, program=clinic.program_a
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=clinic.nurse_a, role=Role.CLINICIAN, program=None)


# --- fetch and check in one call ------------------------------------------------------


def test_access_patient_by_id_returns_a_visible_patient(clinic):
    assert access_patient_by_id(clinic.clinician_a, clinic.patient_a.pk) == clinic.patient_a


@pytest.mark.parametrize("patient_id", ["other", 987654321, 0, -1, 2**63, "abc", None])
def test_access_patient_by_id_refuses_the_same_way_and_audits(clinic, patient_id):
    target = clinic.patient_b.pk if patient_id == "other" else patient_id
    with pytest.raises(AccessDenied):
        access_patient_by_id(clinic.clinician_a, target)
    event = denied("patient").latest("seq")
    assert event.username == "clin_a"
    # The patient is named only when one exists.
    assert event.patient_id == (clinic.patient_b.pk if patient_id == "other" else None)


def test_access_episode_by_id_names_the_patient_of_a_refused_episode(clinic):
    with pytest.raises(AccessDenied):
        access_episode_by_id(clinic.clinician_b, clinic.episode_a.pk)
    assert denied("episode").latest("seq").patient_id == clinic.patient_a.pk


# --- actors ---------------------------------------------------------------------------


def test_no_actor_is_a_programming_error(clinic):
    with pytest.raises(TypeError, match="system_actor"):
        patients_visible_to(None)


def test_a_system_actor_is_audited_as_its_job_and_sees_no_chart(clinic):
    job = system_actor("measures-due")
    assert not patients_visible_to(job).exists()
    event = audit_record(user=job, action="create", object_type="probe")
    assert (event.username, event.role, event.user_id) == ("system:measures-due", "system", None)


# --- one refusal path -----------------------------------------------------------------


def test_a_refusal_inside_a_rolled_back_transaction_is_audited_once(clinic):
    error = None
    try:
        with transaction.atomic():
            raise refuse(actor=clinic.clinician_a, object_type="probe", object_id="x")
    except Exception as caught:
        error = caught
    assert not denied("probe").exists()  # the row went with the rollback
    refusal_settle(error)
    refusal_settle(error)
    assert denied("probe").count() == 1


def test_a_refusal_outside_a_transaction_is_not_written_twice(clinic):
    error = refuse(actor=clinic.clinician_a, object_type="probe", object_id="y")
    refusal_settle(error)
    assert denied("probe").count() == 1


@pytest.mark.urls("stepwell.privacy.tests.refusal_urls")
@pytest.mark.parametrize("route", ["outside", "inside", "bare"])
def test_a_page_refusal_is_a_403_written_once(client, clinic, route):
    verified_login(client, clinic.clinician_a)
    before = AuditEvent.objects.filter(outcome="denied").count()
    response = client.get(f"/{route}/")
    assert response.status_code == 403
    assert b"Not available" in response.content
    assert AuditEvent.objects.filter(outcome="denied").count() == before + 1


@pytest.mark.urls("stepwell.privacy.tests.refusal_urls")
def test_an_htmx_refusal_is_a_fragment(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.get("/outside/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert b"<html" not in response.content
    assert b"Not available" in response.content


@pytest.mark.urls("stepwell.privacy.tests.refusal_urls")
def test_a_rule_refusal_no_form_showed_is_a_400_naming_the_field(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.get("/rule/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Not on a holiday." in body
    assert "day" in body and "Closed: New Year." in body


def test_form_call_puts_a_rule_refusal_on_the_form_and_lets_a_denial_through(clinic):
    from django import forms

    from stepwell.core.errors import ApplicationError
    from stepwell.core.forms import form_call

    class DayForm(forms.Form):
        day = forms.DateField()

    def closed(**kwargs):
        raise ApplicationError("Closed.", field_errors={"day": "Closed: New Year."})

    def forbidden(**kwargs):
        raise refuse(actor=clinic.clinician_a, object_type="probe")

    form = DayForm({"day": "2027-01-01"})
    assert form.is_valid()
    assert form_call(form, closed) is None
    assert form.errors == {"day": ["Closed: New Year."]}
    with pytest.raises(AccessDenied):
        form_call(form, forbidden)
    assert form_call(form, lambda **kw: kw["x"] * 2, x=21) == 42
