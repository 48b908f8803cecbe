"""Alumni event reminders: the day before a meeting, one reminder to each alumnus who
answered "I'll be there", by the channel they chose; nothing to those who answered maybe
or no, opted out, chose neither, or when the meeting is cancelled; nothing twice. The body
names no event, place or program."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.conf import settings

from stepwell.alumni import services as alumni
from stepwell.alumni.tests.conftest import NOW, community  # noqa: F401 - the fixture
from stepwell.core.errors import AccessDenied
from stepwell.messaging.alumni_reminders import alumni_event_reminders_queue, when_text
from stepwell.messaging.models import Message
from stepwell.messaging.services import contact_preference_set
from stepwell.messaging.wording import forbidden_words_in
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent

JOB = system_actor("alumni-event-reminders")
EVE = date(2026, 11, 22)  # the day before the first meeting (Monday 23 November, 18:00)


@pytest.fixture
def going(community):  # noqa: F811 - the fixture imported above
    clinic = community.clinic
    clinic.patient_a.email = "avery@example.org"
    clinic.patient_a.save()
    alumni.alumni_rsvp_set(
        actor=clinic.patient_user_a, meeting_id=community.meeting.pk, answer="yes", now=NOW
    )
    return community


def run(place, today=EVE):
    return alumni_event_reminders_queue(
        actor=JOB, program_id=place.clinic.program_a.pk, today=today
    )


def test_an_alumnus_who_said_yes_is_reminded_once_the_day_before(going):
    assert run(going, date(2026, 11, 21)) == []  # two days before: not yet
    [message] = run(going)
    assert (message.purpose, message.channel, message.address, message.patient_id) == (
        "alumni_event",
        "email",
        "avery@example.org",
        going.alumnus.pk,
    )
    base = settings.STEPWELL_BASE_URL.rstrip("/")
    assert message.body == (
        f"Stepwell: a reminder of the event on Monday 23 November at 6:00 PM. {base}/alumni/portal/"
    )
    text = f"{message.subject} {message.body}"
    assert forbidden_words_in(text) == []
    for detail in ("Alumni circle", "Room 2", going.clinic.program_a.name, "Alder"):
        assert detail not in text
    assert run(going) == []  # a second run of the day
    assert Message.objects.count() == 1


@pytest.mark.parametrize("answer", ["maybe", "no"])
def test_no_reminder_without_a_yes(going, answer):
    clinic = going.clinic
    alumni.alumni_rsvp_set(
        actor=clinic.patient_user_a, meeting_id=going.meeting.pk, answer=answer, now=NOW
    )
    assert run(going) == [] and not Message.objects.exists()


def test_no_reminder_after_opting_out(going):
    alumni.alumni_opt_out_record(
        actor=going.clinic.clinician_a,
        patient_id=going.alumnus.pk,
        reason="Asked by phone to leave the alumni group.",
        now=NOW,
    )
    assert run(going) == [] and not Message.objects.exists()


def test_no_reminder_to_someone_who_chose_neither(going):
    contact_preference_set(
        actor=going.clinic.clinician_a,
        patient_id=going.alumnus.pk,
        channel="none",
        reminders=False,
    )
    assert run(going) == []


def test_a_text_goes_to_someone_who_chose_text(going):
    clinic = going.clinic
    clinic.patient_a.phone = "+15550123"
    clinic.patient_a.save()
    contact_preference_set(
        actor=clinic.clinician_a, patient_id=going.alumnus.pk, channel="text", reminders=False
    )
    [message] = run(going)
    assert (message.channel, message.address) == ("text", "+15550123")


def test_no_reminder_for_a_cancelled_meeting(going):
    type(going.meeting).objects.filter(pk=going.meeting.pk).update(cancelled=True)
    assert run(going) == []


def test_the_daily_runner_sends_them_once(going):
    from stepwell.daily.registry import registered_jobs
    from stepwell.daily.runs import daily_jobs_run

    jobs = [job for job in registered_jobs() if job.name == "alumni-event-reminders"]
    assert len(jobs) == 1 and jobs[0].per_program
    now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 09:00 in Chicago on the eve
    daily_jobs_run(now=now, jobs=jobs)
    assert Message.objects.filter(purpose="alumni_event").count() == 1
    assert daily_jobs_run(now=now, jobs=jobs) == []
    assert Message.objects.filter(purpose="alumni_event").count() == 1


def test_anyone_but_the_job_is_refused_and_audited_once(going):
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with pytest.raises(AccessDenied):
        alumni_event_reminders_queue(
            actor=going.clinic.clinician_a, program_id=going.clinic.program_a.pk, today=EVE
        )
    new = AuditEvent.objects.filter(seq__gt=seq)
    assert [(e.outcome, e.user_id) for e in new] == [("denied", going.clinic.clinician_a.pk)]
    assert not Message.objects.exists()


def test_when_text_is_in_the_programs_time_zone():
    import zoneinfo

    zone = zoneinfo.ZoneInfo("America/Chicago")
    assert when_text(datetime(2026, 12, 12, 16, 0, tzinfo=UTC), zone) == (
        "Saturday 12 December at 10:00 AM"
    )
    assert when_text(datetime(2026, 12, 13, 1, 30, tzinfo=UTC), zone) == (
        "Saturday 12 December at 7:30 PM"
    )
