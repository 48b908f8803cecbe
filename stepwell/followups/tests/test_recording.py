"""Recording a follow-up by link and by phone, and the refusals of every service called
directly: AccessDenied, one denied audit row, nothing changed."""

from __future__ import annotations

import pytest

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.followups import services
from stepwell.followups.models import FollowUp, FollowUpLink, FollowUpPolicy, FollowUpStatus
from stepwell.followups.rules import Employment, ShortAnswers
from stepwell.followups.services.links import new_link
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import UserFactory

from .conftest import GAD7_MILD, JOB, PHQ9_MILD

pytestmark = pytest.mark.django_db
SHORT = ShortAnswers(
    in_treatment=True,
    in_treatment_where="Community clinic",
    readmitted_higher_level=False,
    days_of_use_last_30=2,
    employment=Employment.SCHOOL,
)
ANONYMOUS = None


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def token(due_30):
    return new_link(due_30)[1]


def test_answered_by_link_once(due_30, token, anonymous):
    done = services.follow_up_complete_by_link(
        actor=anonymous, token=token, answers=PHQ9_MILD | GAD7_MILD, short=SHORT
    )
    assert (done.status, done.method) == (FollowUpStatus.COMPLETED, "link")
    assert {s.instrument_key: (s.total, s.band) for s in done.scores.all()} == {
        "phq9": (8, "mild"),
        "gad7": (7, "mild"),
    }
    assert (done.in_treatment_where, done.days_of_use_last_30, done.employment) == (
        "Community clinic",
        2,
        "school",
    )
    assert FollowUpLink.objects.get().used_at is not None
    before = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        services.follow_up_complete_by_link(
            actor=anonymous, token=token, answers=PHQ9_MILD | GAD7_MILD, short=SHORT
        )
    assert AuditEvent.objects.filter(outcome="denied").count() == before + 1


def test_missing_answers_name_the_item_and_keep_nothing(due_30, token, anonymous):
    answers = dict(PHQ9_MILD | GAD7_MILD)
    del answers["gad7_3"]
    with pytest.raises(ApplicationError) as error:
        services.follow_up_complete_by_link(
            actor=anonymous, token=token, answers=answers, short=SHORT
        )
    assert error.value.field_errors == {"gad7_3": "Choose an answer."}
    due_30.refresh_from_db()
    assert due_30.status == FollowUpStatus.DUE and not due_30.scores.exists()
    assert FollowUpLink.objects.get().used_at is None


def test_bad_short_answers_are_refused(due_30, token, anonymous):
    short = ShortAnswers(True, "", False, 31, Employment.WORKING)
    with pytest.raises(ApplicationError) as error:
        services.follow_up_complete_by_link(
            actor=anonymous, token=token, answers=PHQ9_MILD | GAD7_MILD, short=short
        )
    assert set(error.value.field_errors) == {"in_treatment_where", "days_of_use_last_30"}
    assert FollowUp.objects.get().status == FollowUpStatus.DUE


def test_a_safety_answer_is_kept_even_with_items_blank(due_30, token, anonymous):
    answers = {"phq9_9": "2"}
    done = services.follow_up_complete_by_link(
        actor=anonymous, token=token, answers=answers, short=SHORT
    )
    assert done.safety_answer is True
    phq9 = done.scores.get(instrument_key="phq9")
    assert phq9.total is None and phq9.answers == {"phq9_9": 2}


def test_an_expired_link_opens_nothing(due_30, token, anonymous):
    from django.utils import timezone

    FollowUpLink.objects.update(expires_at=timezone.now())
    assert services.follow_up_link_open(actor=anonymous, token=token).link is None
    with pytest.raises(AccessDenied):
        services.follow_up_complete_by_link(
            actor=anonymous, token=token, answers=PHQ9_MILD | GAD7_MILD, short=SHORT
        )


def test_phone_no_answer_counts_an_attempt_then_reached(due_30, discharged):
    nurse = discharged.nurse_a
    after = services.follow_up_phone_record(
        actor=nurse, follow_up_id=due_30.pk, reached=False, note="Voicemail left"
    )
    assert (after.attempts, after.status) == (1, FollowUpStatus.DUE)
    done = services.follow_up_phone_record(
        actor=nurse,
        follow_up_id=due_30.pk,
        reached=True,
        answers=PHQ9_MILD | GAD7_MILD,
        short=SHORT,
    )
    assert (done.status, done.method, done.recorded_by) == ("completed", "phone", "nurse_a")
    assert [t.outcome for t in done.tries.all()] == ["no_answer", "reached"]
    with pytest.raises(ApplicationError):
        services.follow_up_phone_record(actor=nurse, follow_up_id=due_30.pk, reached=False)


def test_staff_send_a_new_link(due_30, discharged):
    sent = services.follow_up_link_send(actor=discharged.clinician_a, follow_up_id=due_30.pk)
    assert sent.queued is True and "/follow-ups/f/" in sent.link
    due_30.refresh_from_db()
    assert (due_30.status, due_30.attempts) == (FollowUpStatus.SENT, 1)


def _refused(call, *, actor):
    before_events = AuditEvent.objects.filter(outcome="denied", username=actor.get_username())
    count = before_events.count()
    state = list(FollowUp.objects.values())
    links = FollowUpLink.objects.count()
    with pytest.raises(AccessDenied):
        call()
    assert before_events.count() == count + 1
    assert list(FollowUp.objects.values()) == state
    assert FollowUpLink.objects.count() == links


@pytest.mark.parametrize("who", ["director_a", "billing_a", "admin", "clinician_b"])
def test_phone_record_refused(due_30, discharged, who):
    actor = getattr(discharged, who)
    _refused(
        lambda: services.follow_up_phone_record(actor=actor, follow_up_id=due_30.pk, reached=False),
        actor=actor,
    )


@pytest.mark.parametrize("who", ["billing_a", "clinician_b", "director_a"])
def test_link_send_refused(due_30, discharged, who):
    actor = getattr(discharged, who)
    _refused(lambda: services.follow_up_link_send(actor=actor, follow_up_id=due_30.pk), actor=actor)


def test_patient_cannot_record_their_own_phone_follow_up(due_30, discharged):
    actor = discharged.patient_user_a
    _refused(
        lambda: services.follow_up_phone_record(actor=actor, follow_up_id=due_30.pk, reached=False),
        actor=actor,
    )


def test_only_the_job_creates_due_follow_ups(discharged):
    from datetime import timedelta

    from .conftest import DISCHARGED_ON

    actor = discharged.clinician_a
    _refused(
        lambda: services.follow_ups_create_due(
            actor=actor,
            program_id=discharged.program_a.pk,
            today=DISCHARGED_ON + timedelta(days=30),
        ),
        actor=actor,
    )
    _refused(
        lambda: services.readmissions_detect(actor=actor, program_id=discharged.program_a.pk),
        actor=actor,
    )


def test_policy_set_by_the_director_only(discharged):
    other_director = UserFactory(
        username="dir_b", roles=["program_director"], programs=[discharged.program_b]
    )
    _refused(
        lambda: services.follow_up_policy_set(
            actor=other_director,
            program_id=discharged.program_a.pk,
            days="30",
            instruments=["phq9"],
            max_attempts=3,
            wait_days=7,
        ),
        actor=other_director,
    )
    assert not FollowUpPolicy.objects.exists()
    with pytest.raises(ApplicationError) as error:
        services.follow_up_policy_set(
            actor=discharged.director_a,
            program_id=discharged.program_a.pk,
            days="30,abc",
            instruments=["asq"],
            max_attempts=0,
            wait_days=7,
        )
    assert set(error.value.field_errors) == {"days", "instruments", "max_attempts"}
    assert not FollowUpPolicy.objects.exists()


def test_the_job_actor_is_named(discharged):
    assert JOB.get_username() == "system:follow-ups"
