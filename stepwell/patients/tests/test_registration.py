from datetime import date, timedelta

import pytest
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import Episode, Patient
from stepwell.patients.services import PossibleDuplicate, patient_register
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

VALID = {
    "legal_first_name": "Rowan",
    "legal_last_name": "Quarry",
    "date_of_birth": date(1988, 3, 4),
    "sex_assigned_at_birth": "male",
    "pronouns": "they/them",
    "insurance_payer": "Synthetic Health Plan",
}


def test_register_creates_patient_and_referred_episode(clinic):
    registration = patient_register(
        actor=clinic.intake_a, program_id=clinic.program_a.pk, data=VALID
    )
    patient = registration.patient
    assert patient.mrn.startswith("SW") and len(patient.mrn) == 10
    assert registration.episode.state == "referred"
    assert registration.episode.referred_on == program_today(clinic.program_a)
    assert registration.episode.events.get().to_state == "referred"
    event = AuditEvent.objects.filter(action="create", object_type="patient").latest("seq")
    assert (event.patient_id, event.username) == (patient.pk, "intake_a")


def test_missing_and_bad_fields_are_named_and_nothing_is_kept(clinic):
    before = (Patient.objects.count(), Episode.objects.count())
    bad = dict(VALID, legal_first_name="", sex_assigned_at_birth="robot", email="not-an-email")
    with pytest.raises(ApplicationError) as excinfo:
        patient_register(actor=clinic.intake_a, program_id=clinic.program_a.pk, data=bad)
    assert set(excinfo.value.field_errors) == {"legal_first_name", "sex_assigned_at_birth", "email"}
    assert (Patient.objects.count(), Episode.objects.count()) == before


def test_future_birth_date_is_refused(clinic):
    with pytest.raises(ApplicationError) as excinfo:
        patient_register(
            actor=clinic.intake_a,
            program_id=clinic.program_a.pk,
            data=dict(VALID, date_of_birth=timezone.localdate() + timedelta(days=2)),
        )
    assert excinfo.value.field_errors == {"date_of_birth": "Is in the future."}


def test_unknown_field_is_refused(clinic):
    with pytest.raises(ApplicationError) as excinfo:
        patient_register(
            actor=clinic.intake_a,
            program_id=clinic.program_a.pk,
            data=dict(VALID, diagnosis="F32.1"),
        )
    assert excinfo.value.field_errors == {"diagnosis": "Unknown field."}


def test_possible_duplicate_warns_then_registers_when_confirmed(clinic):
    data = dict(
        VALID,
        legal_first_name="avery",
        legal_last_name="ALDER",
        date_of_birth=clinic.patient_a.date_of_birth,
    )
    with pytest.raises(PossibleDuplicate) as excinfo:
        patient_register(actor=clinic.intake_a, program_id=clinic.program_a.pk, data=data)
    assert excinfo.value.matches_visible == [clinic.patient_a]
    assert clinic.patient_a.mrn in excinfo.value.message
    assert Patient.objects.filter(legal_last_name__iexact="alder").count() == 1
    patient_register(
        actor=clinic.intake_a, program_id=clinic.program_a.pk, data=data, confirm_not_duplicate=True
    )
    assert Patient.objects.filter(legal_last_name__iexact="alder").count() == 2


def test_duplicate_in_another_program_is_neither_revealed_nor_counted(clinic):
    """A substance-use program's patient: the registrant in program A learns nothing, the
    registration goes on as for a new person, and program B's audit shows the match."""
    data = dict(
        VALID,
        legal_first_name="Blake",
        legal_last_name="Birch",
        date_of_birth=clinic.patient_b.date_of_birth,
    )
    registration = patient_register(
        actor=clinic.intake_a, program_id=clinic.program_a.pk, data=data
    )
    assert registration.patient.pk != clinic.patient_b.pk
    assert registration.episode.program == clinic.program_a
    check = AuditEvent.objects.filter(action="duplicate_check", patient_id=None).get()
    assert (check.username, check.detail) == (
        "intake_a",
        {"program_id": clinic.program_a.pk, "patients": [], "confirmed": False},
    )
    hidden = AuditEvent.objects.filter(action="duplicate_check", patient_id=clinic.patient_b.pk)
    assert hidden.get().detail == {"program_id": clinic.program_a.pk, "shown": False}


def test_every_duplicate_check_is_audited_with_what_it_matched(clinic):
    data = dict(
        VALID,
        legal_first_name="Avery",
        legal_last_name="Alder",
        date_of_birth=clinic.patient_a.date_of_birth,
    )
    with pytest.raises(PossibleDuplicate):
        patient_register(actor=clinic.intake_a, program_id=clinic.program_a.pk, data=data)
    patient_register(
        actor=clinic.intake_a, program_id=clinic.program_a.pk, data=data, confirm_not_duplicate=True
    )
    patient_register(actor=clinic.intake_a, program_id=clinic.program_a.pk, data=VALID)
    checks = AuditEvent.objects.filter(action="duplicate_check").order_by("seq")
    assert [(e.detail["patients"], e.detail["confirmed"]) for e in checks] == [
        ([clinic.patient_a.pk], False),
        ([clinic.patient_a.pk], True),
        ([], False),
    ]


def test_register_in_foreign_program_is_denied_and_audited(clinic):
    with pytest.raises(AccessDenied):
        patient_register(actor=clinic.intake_a, program_id=clinic.program_b.pk, data=VALID)
    assert not Patient.objects.filter(legal_last_name="Quarry").exists()
    assert (
        AuditEvent.objects.filter(action="create", outcome="denied", username="intake_a").count()
        == 1
    )


_NEW_PERSON = {
    "legal_first_name": "Sage",
    "legal_last_name": "Wren",
    "date_of_birth": "1991-02-03",
    "sex_assigned_at_birth": "female",
}


@pytest.mark.parametrize("program", ["other", "unknown"])
def test_register_page_refuses_a_program_one_may_not_use_as_the_api_does(client, clinic, program):
    """Another program's id, or one that does not exist, is the audited 403 the API
    gives, not a form error: the page and the API agree."""
    program_id = clinic.program_b.pk if program == "other" else 987654321
    verified_login(client, clinic.intake_a)
    before = Patient.objects.count()
    response = client.post("/patients/new/", {"program": program_id, **_NEW_PERSON})
    assert response.status_code == 403
    assert "Wren" not in response.content.decode()
    assert Patient.objects.count() == before
    assert AuditEvent.objects.filter(user_id=clinic.intake_a.pk, outcome="denied").exists()


def test_register_page_names_a_program_that_is_not_an_id(client, clinic):
    verified_login(client, clinic.intake_a)
    before = Patient.objects.count()
    response = client.post("/patients/new/", {"program": "abc", **_NEW_PERSON})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"program"}
    assert errors["program"][0] in response.content.decode()
    assert Patient.objects.count() == before


def test_registering_on_the_page_puts_the_patient_on_the_referral_board(client, clinic):
    """Issue 12: every patient registered at /patients/new/ has a referral, and the
    insurance typed there reaches the chart."""
    from stepwell.intake.models import Referral
    from stepwell.patients.models import Patient
    from stepwell.testing.auth import verified_login

    verified_login(client, clinic.director_a)
    response = client.post(
        "/patients/new/",
        {
            "program": clinic.program_a.pk,
            "legal_first_name": "Rowan",
            "legal_last_name": "Redwood",
            "date_of_birth": "1990-05-06",
            "sex_assigned_at_birth": "female",
            "insurance_payer": "Synthetic Health Plan",
            "referral_source": "primary_care",
            "referral_reason": "Low mood for three months",
        },
    )
    assert response.status_code == 302
    patient = Patient.objects.get(legal_last_name="Redwood")
    referral = Referral.objects.get(patient=patient)
    assert (referral.state, referral.source, referral.reason) == (
        "new",
        "primary_care",
        "Low mood for three months",
    )
    assert referral.insurance == "Synthetic Health Plan"
    assert referral.episode.program == clinic.program_a
    board = client.get("/intake/referrals/").content.decode()
    assert "Redwood" in board


def test_insurance_typed_on_a_board_referral_reaches_the_chart(clinic):
    from stepwell.intake.services.referrals import referral_create

    referral = referral_create(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        source="self",
        reason="Anxiety at work",
        insurance="Synthetic Mutual",
        patient_data={
            "legal_first_name": "Sage",
            "legal_last_name": "Sycamore",
            "date_of_birth": "1988-01-02",
            "sex_assigned_at_birth": "male",
        },
    )
    referral.patient.refresh_from_db()
    assert referral.patient.insurance_payer == "Synthetic Mutual"
