"""The episode state machine: every allowed move, every refusal, nothing changed on refusal."""

from datetime import date, timedelta

import pytest

from stepwell.clinic.time import program_today
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.episodes import ALLOWED_TRANSITIONS, allowed_next_states, describe_allowed
from stepwell.patients.models import Episode, EpisodeEvent, EpisodeState, LevelOfCareChange
from stepwell.patients.services import episode_transition
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import EpisodeFactory

from .intake_steps import intake_done, signed_assessment

STATES = EpisodeState.values


def test_transition_table_is_the_documented_one():
    assert allowed_next_states("referred") == ("screening", "discharged")
    assert allowed_next_states("screening") == ("assessed", "discharged")
    assert allowed_next_states("assessed") == ("admitted", "discharged")
    assert allowed_next_states("admitted") == ("active", "on_hold", "discharged")
    assert allowed_next_states("active") == ("on_hold", "discharged")
    assert allowed_next_states("on_hold") == ("active", "discharged")
    assert allowed_next_states("discharged") == ()
    assert set(ALLOWED_TRANSITIONS) == set(STATES)


def test_describe_allowed_names_the_moves():
    assert describe_allowed("active") == "From active the episode can move to: on hold, discharged."
    assert (
        describe_allowed("discharged")
        == "A discharged episode is closed; no transition is allowed."
    )


def _details(from_state, to_state):
    kwargs = {"reason": "Synthetic reason"}
    if to_state == "discharged":
        admitted = from_state in ("admitted", "active", "on_hold")
        kwargs["disposition"] = "completed" if admitted else "administrative"
    return kwargs


@pytest.mark.parametrize(("from_state", "to_state"), [(f, t) for f in STATES for t in STATES])
def test_every_pair_of_states(clinic, from_state, to_state):
    admitted = from_state in ("admitted", "active", "on_hold")
    episode = EpisodeFactory(
        program=clinic.program_a,
        state=from_state,
        admitted_on=date(2026, 10, 1) if admitted else None,
        discharged_on=date(2026, 10, 2) if from_state == "discharged" else None,
    )
    if to_state in ("assessed", "admitted"):
        intake_done(episode, clinic.clinician_a)
    before_events = EpisodeEvent.objects.count()
    if to_state in allowed_next_states(from_state):
        result = episode_transition(
            actor=clinic.director_a,
            episode_id=episode.pk,
            to_state=to_state,
            **_details(from_state, to_state),
        )
        assert result.state == to_state
        assert EpisodeEvent.objects.count() == before_events + 1
    else:
        with pytest.raises(ApplicationError) as excinfo:
            episode_transition(
                actor=clinic.director_a,
                episode_id=episode.pk,
                to_state=to_state,
                **_details(from_state, to_state),
            )
        assert describe_allowed(from_state) in excinfo.value.message
        episode.refresh_from_db()
        assert episode.state == from_state
        assert EpisodeEvent.objects.count() == before_events


def test_admission_sets_date_and_level_of_care_history(clinic):
    episode = EpisodeFactory(program=clinic.program_a, state="assessed")
    intake_done(episode, clinic.clinician_a)
    day = program_today(clinic.program_a) - timedelta(days=1)
    episode_transition(
        actor=clinic.clinician_a,
        episode_id=episode.pk,
        to_state="admitted",
        effective_date=day,
        level_of_care="residential",
        reason="Step-down from residential",
    )
    episode.refresh_from_db()
    assert episode.admitted_on == day
    change = LevelOfCareChange.objects.get(episode=episode)
    assert (change.direction, change.level_of_care, change.effective_date) == (
        "admitted_from",
        "residential",
        day,
    )
    event = AuditEvent.objects.filter(action="transition").latest("seq")
    assert event.patient_id == episode.patient_id
    assert event.detail == {"from": "assessed", "to": "admitted", "disposition": ""}


def test_discharge_needs_reason_and_disposition(clinic):
    with pytest.raises(ApplicationError) as excinfo:
        episode_transition(
            actor=clinic.clinician_a, episode_id=clinic.episode_a.pk, to_state="discharged"
        )
    assert set(excinfo.value.field_errors) == {"reason", "disposition"}
    clinic.episode_a.refresh_from_db()
    assert clinic.episode_a.state == "active"


def test_step_down_needs_destination_level(clinic):
    with pytest.raises(ApplicationError) as excinfo:
        episode_transition(
            actor=clinic.clinician_a,
            episode_id=clinic.episode_a.pk,
            to_state="discharged",
            reason="Stable",
            disposition="stepped_down",
        )
    assert excinfo.value.field_errors == {
        "level_of_care": "Say which level of care the patient goes to."
    }
    episode = episode_transition(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        to_state="discharged",
        reason="Stable",
        disposition="stepped_down",
        level_of_care="outpatient",
    )
    assert (episode.state, episode.discharge_disposition, episode.discharged_on) == (
        "discharged",
        "stepped_down",
        program_today(clinic.program_a),
    )
    change = episode.level_of_care_changes.get()
    assert change.direction == "stepped_down_to"
    assert change.get_direction_display() == "Stepped down to"  # not "Transferred to"


def test_completed_disposition_only_after_admission(clinic):
    with pytest.raises(ApplicationError) as excinfo:
        episode_transition(
            actor=clinic.clinician_b,
            episode_id=clinic.episode_b.pk,
            to_state="discharged",
            reason="Declined",
            disposition="completed",
        )
    assert "disposition" in excinfo.value.field_errors


def test_on_hold_needs_reason(clinic):
    with pytest.raises(ApplicationError) as excinfo:
        episode_transition(
            actor=clinic.clinician_a, episode_id=clinic.episode_a.pk, to_state="on_hold"
        )
    assert excinfo.value.field_errors == {"reason": "Say why the episode is put on hold."}


def test_effective_date_cannot_be_future_or_before_referral(clinic):
    for day, message in [
        (program_today(clinic.program_a) + timedelta(days=1), "Cannot be in the future."),
        (date(2026, 9, 1), "Cannot be before the referral date."),
    ]:
        with pytest.raises(ApplicationError) as excinfo:
            episode_transition(
                actor=clinic.clinician_a,
                episode_id=clinic.episode_a.pk,
                to_state="on_hold",
                reason="x",
                effective_date=day,
            )
        assert excinfo.value.field_errors["effective_date"] == message


def test_unknown_state_is_refused_with_allowed_list(clinic):
    with pytest.raises(ApplicationError) as excinfo:
        episode_transition(
            actor=clinic.clinician_a, episode_id=clinic.episode_a.pk, to_state="graduated"
        )
    assert excinfo.value.field_errors == {
        "to_state": "From active the episode can move to: on hold, discharged."
    }


def test_other_programs_clinician_is_denied_and_nothing_changes(clinic):
    with pytest.raises(AccessDenied):
        episode_transition(
            actor=clinic.clinician_b, episode_id=clinic.episode_a.pk, to_state="on_hold", reason="x"
        )
    clinic.episode_a.refresh_from_db()
    assert clinic.episode_a.state == "active"


def test_one_open_episode_per_program(clinic):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(
            patient=clinic.patient_a, program=clinic.program_a, referred_on=date(2026, 10, 2)
        )
    discharged = episode_transition(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        to_state="discharged",
        reason="Met goals",
        disposition="completed",
    )
    assert discharged.state == "discharged"
    Episode.objects.create(
        patient=clinic.patient_a, program=clinic.program_a, referred_on=date(2026, 10, 2)
    )


def test_assessed_needs_a_signed_assessment_on_every_path(clinic):
    """The chart's page, the board and the API all call this service: intake is not
    skipped (issue 12)."""
    episode = EpisodeFactory(program=clinic.program_a, state="screening")
    with pytest.raises(ApplicationError) as excinfo:
        episode_transition(actor=clinic.director_a, episode_id=episode.pk, to_state="assessed")
    assert "Sign the intake assessment" in excinfo.value.field_errors["to_state"]
    episode.refresh_from_db()
    assert episode.state == "screening"
    signed_assessment(episode, clinic.clinician_a)
    moved = episode_transition(actor=clinic.director_a, episode_id=episode.pk, to_state="assessed")
    assert moved.state == "assessed"


def test_admitted_needs_a_placement_decision_and_a_primary_clinician(clinic):
    episode = EpisodeFactory(program=clinic.program_a, state="assessed")
    signed_assessment(episode, clinic.clinician_a)
    with pytest.raises(ApplicationError) as excinfo:
        episode_transition(actor=clinic.director_a, episode_id=episode.pk, to_state="admitted")
    assert "placement decision" in excinfo.value.field_errors["to_state"]
    other = EpisodeFactory(program=clinic.program_a, state="assessed")
    intake_done(other, clinic.clinician_a, with_team=False)
    with pytest.raises(ApplicationError) as excinfo:
        episode_transition(actor=clinic.director_a, episode_id=other.pk, to_state="admitted")
    assert excinfo.value.field_errors == {
        "care_team": "Assign a primary clinician before admitting."
    }
    other.refresh_from_db()
    assert other.state == "assessed" and other.admitted_on is None


def test_the_transition_page_refuses_to_skip_intake(client, clinic):
    from stepwell.testing.auth import verified_login

    episode = EpisodeFactory(program=clinic.program_a, state="screening")
    verified_login(client, clinic.director_a)
    response = client.post(
        f"/episodes/{episode.pk}/transition/", {"to_state": "assessed", "reason": ""}
    )
    assert response.status_code == 200
    assert "Sign the intake assessment first" in response.content.decode()
    episode.refresh_from_db()
    assert episode.state == "screening"


def test_the_api_refuses_to_skip_intake(client, clinic):
    from stepwell.testing.auth import verified_login

    episode = EpisodeFactory(program=clinic.program_a, state="assessed")
    verified_login(client, clinic.director_a)
    response = client.post(
        f"/api/v1/episodes/{episode.pk}/transitions",
        {"to_state": "admitted"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "to_state" in response.json()["errors"]
    episode.refresh_from_db()
    assert episode.state == "assessed"
