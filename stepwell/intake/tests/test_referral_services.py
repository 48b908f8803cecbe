from datetime import timedelta

import pytest

from stepwell.clinic.time import program_today
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.intake import services
from stepwell.intake.models import Referral, ReferralEvent, ReferralState
from stepwell.intake.referrals import ALLOWED_TRANSITIONS
from stepwell.patients.models import EpisodeState
from stepwell.privacy.models import AuditEvent

from .conftest import complete_assessment, make_referral


def test_create_registers_patient_and_opens_referred_episode(clinic):
    referral = make_referral(clinic)
    assert referral.state == ReferralState.NEW
    assert referral.episode.state == EpisodeState.REFERRED
    assert referral.episode.program == clinic.program_a
    assert referral.patient.legal_name == "Rowan Quarry"
    assert referral.received_on == referral.episode.referred_on
    assert list(referral.events.values_list("to_state", flat=True)) == ["new"]
    assert (
        AuditEvent.objects.filter(
            object_type="referral", object_id=str(referral.pk), action="create", outcome="allowed"
        ).count()
        == 1
    )


def test_create_names_every_bad_field_and_writes_nothing(clinic):
    with pytest.raises(ApplicationError) as caught:
        services.referral_create(
            actor=clinic.intake_a,
            program_id=clinic.program_a.pk,
            source="radio",
            reason=" ",
            urgency="x",
        )
    assert set(caught.value.field_errors) == {"source", "reason", "urgency", "patient"}
    assert Referral.objects.count() == 0


def test_create_in_another_program_is_denied_and_audited(clinic):
    with pytest.raises(AccessDenied):
        services.referral_create(
            actor=clinic.intake_a,
            program_id=clinic.program_b.pk,
            source="self",
            reason="x",
            patient_data={"legal_first_name": "A"},
        )
    assert Referral.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="referral", outcome="denied").count() == 1


def test_board_path_moves_the_episode(clinic):
    referral = make_referral(clinic)
    services.referral_contact_record(
        actor=clinic.intake_a, referral_id=referral.pk, method="phone", outcome="no_answer"
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.NEW
    services.referral_contact_record(
        actor=clinic.intake_a, referral_id=referral.pk, method="phone", outcome="reached"
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.CONTACTED
    assert referral.episode.state == EpisodeState.REFERRED
    services.referral_transition(
        actor=clinic.intake_a, referral_id=referral.pk, to_state="screening_booked"
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.SCREENING_BOOKED
    assert referral.episode.state == EpisodeState.SCREENING
    assert referral.events.filter(kind="contact_attempt").count() == 2


def test_assessed_needs_a_signed_assessment(clinic):
    referral = make_referral(clinic)
    services.referral_transition(
        actor=clinic.intake_a, referral_id=referral.pk, to_state="screening_booked"
    )
    with pytest.raises(ApplicationError) as caught:
        services.referral_transition(
            actor=clinic.intake_a, referral_id=referral.pk, to_state="assessed"
        )
    assert "to_state" in caught.value.field_errors


def test_signing_the_assessment_marks_referral_and_episode_assessed(clinic):
    referral = make_referral(clinic)
    complete_assessment(clinic, referral)
    referral.refresh_from_db()
    assert referral.state == ReferralState.ASSESSED
    assert referral.episode.state == EpisodeState.ASSESSED
    assert list(referral.events.filter(kind="transition").values_list("to_state", flat=True)) == [
        "new",
        "screening_booked",
        "assessed",
    ]


def test_admitted_is_refused_from_the_board(clinic):
    referral = make_referral(clinic)
    complete_assessment(clinic, referral)
    with pytest.raises(ApplicationError) as caught:
        services.referral_transition(
            actor=clinic.clinician_a, referral_id=referral.pk, to_state="admitted"
        )
    assert "placement" in caught.value.message


def test_disallowed_move_says_what_is_allowed(clinic):
    referral = make_referral(clinic)
    with pytest.raises(ApplicationError) as caught:
        services.referral_transition(
            actor=clinic.intake_a, referral_id=referral.pk, to_state="assessed"
        )
    assert caught.value.field_errors["to_state"] == (
        "From new a referral can move to: contacted, screening booked, referred elsewhere, declined."
    )


def test_declined_discharges_the_episode_administratively(clinic):
    referral = make_referral(clinic)
    with pytest.raises(ApplicationError) as caught:
        services.referral_transition(
            actor=clinic.intake_a, referral_id=referral.pk, to_state="declined"
        )
    assert caught.value.field_errors == {"reason": "Say why the referral is closed."}
    services.referral_transition(
        actor=clinic.intake_a,
        referral_id=referral.pk,
        to_state="declined",
        reason="Chose not to start treatment",
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.DECLINED
    assert referral.closed_on == program_today(clinic.program_a)
    assert referral.episode.state == EpisodeState.DISCHARGED
    assert referral.episode.discharge_disposition == "administrative"


def test_referred_elsewhere_needs_destination_and_transfers(clinic):
    referral = make_referral(clinic)
    with pytest.raises(ApplicationError) as caught:
        services.referral_transition(
            actor=clinic.intake_a,
            referral_id=referral.pk,
            to_state="referred_elsewhere",
            reason="x",
        )
    assert set(caught.value.field_errors) == {"referred_to", "level_of_care"}
    services.referral_transition(
        actor=clinic.intake_a,
        referral_id=referral.pk,
        to_state="referred_elsewhere",
        reason="Needs residential care",
        referred_to="Synthetic Residential Center",
        level_of_care="residential",
    )
    referral.refresh_from_db()
    assert referral.referred_to == "Synthetic Residential Center"
    assert referral.episode.discharge_disposition == "transferred"
    assert referral.episode.level_of_care_changes.get().level_of_care == "residential"


def test_closed_referral_cannot_move_or_take_contacts(clinic):
    referral = make_referral(clinic)
    services.referral_transition(
        actor=clinic.intake_a, referral_id=referral.pk, to_state="declined", reason="No contact"
    )
    with pytest.raises(ApplicationError):
        services.referral_transition(
            actor=clinic.intake_a, referral_id=referral.pk, to_state="contacted"
        )
    with pytest.raises(ApplicationError):
        services.referral_contact_record(
            actor=clinic.intake_a, referral_id=referral.pk, method="phone", outcome="reached"
        )


def test_effective_date_is_checked(clinic):
    referral = make_referral(clinic, days_ago=3)
    with pytest.raises(ApplicationError) as caught:
        services.referral_transition(
            actor=clinic.intake_a,
            referral_id=referral.pk,
            to_state="contacted",
            effective_date=program_today(clinic.program_a) - timedelta(days=5),
        )
    assert caught.value.field_errors == {
        "effective_date": "Cannot be before the referral was received."
    }


@pytest.mark.parametrize("who", ["clinician_b", "billing_a", "nurse_a", "admin", "patient_user_a"])
def test_transition_denied_changes_nothing_and_is_audited(clinic, who):
    referral = make_referral(clinic)
    before = ReferralEvent.objects.count()
    with pytest.raises(AccessDenied):
        services.referral_transition(
            actor=getattr(clinic, who), referral_id=referral.pk, to_state="contacted"
        )
    referral.refresh_from_db()
    assert referral.state == ReferralState.NEW
    assert ReferralEvent.objects.count() == before
    assert (
        AuditEvent.objects.filter(
            object_type="referral", outcome="denied", patient_id=referral.patient_id
        ).count()
        == 1
    )


def test_every_state_has_a_row_in_the_machine():
    assert set(ALLOWED_TRANSITIONS) == set(ReferralState.values)
