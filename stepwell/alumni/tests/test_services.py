"""The alumni services on the database: who is an alumnus, events and their meetings,
RSVPs, attendance, opting out, peer mentors and pairings; bad input names the field and
changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from stepwell.alumni import services
from stepwell.alumni.models import (
    AlumniAttendance,
    AlumniChoice,
    AlumniEvent,
    AlumniMeeting,
    AlumniRsvp,
    MentorPairing,
    MentorStatus,
)
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import EpisodeState
from stepwell.privacy.access import alumni as access
from stepwell.testing.factories import EpisodeFactory

from .conftest import NOW, discharge, weekly_group

AFTER = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # the first meeting (Mon 18:00 CST) is under way


def test_a_discharged_patient_is_an_alumnus_until_readmitted(community):
    clinic = community.clinic
    assert access.is_alumnus_user(clinic.patient_user_a)
    assert not access.is_alumnus_user(community.current.user)
    assert not access.is_alumnus_user(clinic.patient_user_b)
    assert not access.is_alumnus_user(clinic.clinician_a)
    EpisodeFactory(patient=clinic.patient_a, program=clinic.program_b)  # a new referral
    assert not access.is_alumnus_user(clinic.patient_user_a)


def test_a_weekly_group_has_a_meeting_each_week_at_the_programs_local_time(community):
    starts = list(community.event.meetings.values_list("starts_at", flat=True))
    # 18:00 in Chicago is 00:00 UTC the next day in standard time (CST, UTC-6).
    assert starts == [
        datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 8, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 15, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 22, 0, 0, tzinfo=UTC),
    ]
    first = community.meeting
    assert first.ends_at - first.starts_at == timedelta(minutes=90)


def test_local_time_holds_across_the_daylight_saving_change(clinic):
    event = weekly_group(
        clinic,
        first_day=date(2027, 3, 8),
        repeats_until=date(2027, 3, 15),
        now=datetime(2027, 3, 1, tzinfo=UTC),
    )
    hours = [m.starts_at.hour for m in event.meetings.all()]
    assert hours == [0, 23]  # CST (UTC-6) then CDT (UTC-5): 18:00 local both times


def test_a_video_event_keeps_its_link_and_no_place(clinic):
    event = weekly_group(
        clinic,
        format="video",
        place="ignored",
        video_url="https://video.example.org/alumni",
        recurrence="once",
        repeats_until=None,
    )
    assert (event.place, event.video_url, event.meetings.count()) == (
        "",
        "https://video.example.org/alumni",
        1,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"format": "radio"}, "format"),
        ({"place": ""}, "place"),
        ({"format": "video", "video_url": "http://plain.example.org"}, "video_url"),
        ({"recurrence": "daily"}, "recurrence"),
        ({"recurrence": "once"}, "repeats_until"),
        ({"repeats_until": None}, "repeats_until"),
        ({"repeats_until": date(2026, 11, 1)}, "repeats_until"),
        ({"repeats_until": date(2027, 12, 1)}, "repeats_until"),
        ({"first_day": date(2026, 11, 15), "repeats_until": date(2026, 12, 1)}, "first_day"),
        ({"duration_minutes": 10}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
    ],
)
def test_bad_event_input_names_the_field_and_creates_nothing(clinic, overrides, field):
    with pytest.raises(ApplicationError) as caught:
        weekly_group(clinic, **overrides)
    assert field in caught.value.field_errors
    assert not AlumniEvent.objects.exists()
    assert not AlumniMeeting.objects.exists()


def test_the_alumnus_answers_and_changes_their_answer(community):
    user = community.clinic.patient_user_a
    services.alumni_rsvp_set(actor=user, meeting_id=community.meeting.pk, answer="maybe", now=NOW)
    services.alumni_rsvp_set(actor=user, meeting_id=community.meeting.pk, answer="yes", now=NOW)
    assert list(AlumniRsvp.objects.values_list("patient_id", "answer")) == [
        (community.alumnus.pk, "yes")
    ]


@pytest.mark.parametrize(
    ("answer", "now", "field"),
    [("perhaps", NOW, "answer"), ("yes", AFTER, "answer")],
)
def test_a_bad_or_late_answer_is_refused_by_the_rule(community, answer, now, field):
    with pytest.raises(ApplicationError) as caught:
        services.alumni_rsvp_set(
            actor=community.clinic.patient_user_a,
            meeting_id=community.meeting.pk,
            answer=answer,
            now=now,
        )
    assert field in caught.value.field_errors
    assert not AlumniRsvp.objects.exists()


def test_no_answer_to_a_cancelled_meeting(community):
    services.alumni_meeting_cancel(
        actor=community.clinic.director_a, meeting_id=community.meeting.pk, now=NOW
    )
    with pytest.raises(ApplicationError):
        services.alumni_rsvp_set(
            actor=community.clinic.patient_user_a,
            meeting_id=community.meeting.pk,
            answer="yes",
            now=NOW,
        )


def test_another_programs_alumnus_cannot_answer(community):
    clinic = community.clinic
    clinic.episode_b.state = EpisodeState.DISCHARGED
    clinic.episode_b.discharged_on = date(2026, 11, 1)
    clinic.episode_b.save()
    assert access.is_alumnus_user(clinic.patient_user_b)
    with pytest.raises(AccessDenied):
        services.alumni_rsvp_set(
            actor=clinic.patient_user_b, meeting_id=community.meeting.pk, answer="yes", now=NOW
        )


def test_attendance_is_taken_once_the_meeting_started(community):
    clinic = community.clinic
    alumnus = community.alumnus.pk
    with pytest.raises(ApplicationError) as caught:
        services.alumni_attendance_record(
            actor=clinic.clinician_a,
            meeting_id=community.meeting.pk,
            present_ids={alumnus},
            absent_ids=set(),
            now=NOW,
        )
    assert "meeting" in caught.value.field_errors
    services.alumni_attendance_record(
        actor=clinic.clinician_a,
        meeting_id=community.meeting.pk,
        present_ids={alumnus},
        absent_ids=set(),
        now=AFTER,
    )
    services.alumni_attendance_record(
        actor=clinic.clinician_a,
        meeting_id=community.meeting.pk,
        present_ids=set(),
        absent_ids={alumnus},
        now=AFTER,
    )
    assert list(AlumniAttendance.objects.values_list("patient_id", "present")) == [(alumnus, False)]


@pytest.mark.parametrize("who", ["current", "both"])
def test_attendance_marks_only_alumni_of_the_program(community, who):
    clinic = community.clinic
    present = {community.current.pk} if who == "current" else {community.alumnus.pk}
    absent = set() if who == "current" else {community.alumnus.pk}
    with pytest.raises(ApplicationError) as caught:
        services.alumni_attendance_record(
            actor=clinic.clinician_a,
            meeting_id=community.meeting.pk,
            present_ids=present,
            absent_ids=absent,
            now=AFTER,
        )
    assert "present" in caught.value.field_errors
    assert not AlumniAttendance.objects.exists()


def test_opting_out_closes_the_login_and_ends_mentoring(community):
    clinic = community.clinic
    user = clinic.patient_user_a
    services.alumni_rsvp_set(actor=user, meeting_id=community.meeting.pk, answer="yes", now=NOW)
    mentor = services.peer_mentor_volunteer(actor=user, about="I listen.", now=NOW)
    services.peer_mentor_approve(actor=clinic.director_a, mentor_id=mentor.pk, now=NOW)
    pairing = services.mentor_pair(
        actor=clinic.clinician_a,
        mentor_id=mentor.pk,
        patient_id=community.current.pk,
        patient_agreed_on=date(2026, 11, 16),
        agreed_how="in_person",
        now=NOW,
    )
    services.alumni_opt_out_self(actor=user, reason="Moving on.", now=NOW)
    user.refresh_from_db()
    mentor.refresh_from_db()
    pairing.refresh_from_db()
    assert not user.is_active
    assert AlumniChoice.objects.get(patient=community.alumnus).opted_out
    assert not AlumniRsvp.objects.exists()
    assert mentor.status == MentorStatus.WITHDRAWN
    assert pairing.ended_at == NOW
    assert not access.alumni_patients().filter(pk=community.alumnus.pk).exists()
    # Staff record their return: the login opens again.
    services.alumni_rejoin_record(
        actor=clinic.clinician_a, patient_id=community.alumnus.pk, now=NOW
    )
    user.refresh_from_db()
    assert user.is_active
    assert access.is_alumnus_user(user)


def test_staff_record_an_opt_out_with_how_they_were_told(community):
    clinic = community.clinic
    with pytest.raises(ApplicationError) as caught:
        services.alumni_opt_out_record(
            actor=clinic.clinician_a, patient_id=community.alumnus.pk, reason=" ", now=NOW
        )
    assert "reason" in caught.value.field_errors
    assert not AlumniChoice.objects.exists()
    services.alumni_opt_out_record(
        actor=clinic.clinician_a, patient_id=community.alumnus.pk, reason="By phone", now=NOW
    )
    clinic.patient_user_a.refresh_from_db()
    assert not clinic.patient_user_a.is_active


def test_a_current_patient_cannot_be_opted_out_as_an_alumnus(community):
    with pytest.raises(AccessDenied):
        services.alumni_opt_out_record(
            actor=community.clinic.clinician_a,
            patient_id=community.current.pk,
            reason="By phone",
            now=NOW,
        )


def _approved_mentor(community):
    clinic = community.clinic
    mentor = services.peer_mentor_volunteer(
        actor=clinic.patient_user_a, about="Two years sober; happy to talk.", now=NOW
    )
    return services.peer_mentor_approve(actor=clinic.director_a, mentor_id=mentor.pk, now=NOW)


def test_a_mentor_is_paired_with_a_current_patient_who_agreed(community):
    mentor = _approved_mentor(community)
    assert mentor.program == community.clinic.program_a
    pairing = services.mentor_pair(
        actor=community.clinic.clinician_a,
        mentor_id=mentor.pk,
        patient_id=community.current.pk,
        patient_agreed_on=date(2026, 11, 16),
        agreed_how="paper",
        now=NOW,
    )
    assert (pairing.patient, pairing.mentor, pairing.program) == (
        community.current,
        mentor,
        community.clinic.program_a,
    )
    services.mentor_pairing_end(
        actor=community.clinic.clinician_a, pairing_id=pairing.pk, reason="Goals met", now=NOW
    )
    pairing.refresh_from_db()
    assert pairing.ended_at == NOW


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agreed_how": "telepathy"}, "agreed_how"),
        ({"patient_agreed_on": date(2026, 11, 17)}, "patient_agreed_on"),
    ],
)
def test_bad_pairing_input_names_the_field(community, overrides, field):
    mentor = _approved_mentor(community)
    terms = {
        "actor": community.clinic.clinician_a,
        "mentor_id": mentor.pk,
        "patient_id": community.current.pk,
        "patient_agreed_on": date(2026, 11, 16),
        "agreed_how": "phone",
        "now": NOW,
    }
    with pytest.raises(ApplicationError) as caught:
        services.mentor_pair(**(terms | overrides))
    assert field in caught.value.field_errors
    assert not MentorPairing.objects.exists()


def test_a_mentor_waits_for_approval_and_a_patient_has_one_mentor(community):
    clinic = community.clinic
    mentor = services.peer_mentor_volunteer(actor=clinic.patient_user_a, about="Hi", now=NOW)
    terms = {
        "actor": clinic.clinician_a,
        "mentor_id": mentor.pk,
        "patient_id": community.current.pk,
        "patient_agreed_on": date(2026, 11, 16),
        "agreed_how": "phone",
        "now": NOW,
    }
    with pytest.raises(ApplicationError) as caught:
        services.mentor_pair(**terms)
    assert "mentor" in caught.value.field_errors
    services.peer_mentor_approve(actor=clinic.clinician_a, mentor_id=mentor.pk, now=NOW)
    services.mentor_pair(**terms)
    with pytest.raises(ApplicationError) as caught:
        services.mentor_pair(**terms)
    assert "patient" in caught.value.field_errors
    with pytest.raises(ApplicationError):
        services.peer_mentor_volunteer(actor=clinic.patient_user_a, about="Again", now=NOW)


def test_an_alumnus_is_no_mentee(community):
    """Only a current patient of the mentor's program is paired (another alumnus is not)."""
    mentor = _approved_mentor(community)
    with pytest.raises(AccessDenied):
        services.mentor_pair(
            actor=community.clinic.clinician_a,
            mentor_id=mentor.pk,
            patient_id=community.alumnus.pk,
            patient_agreed_on=date(2026, 11, 16),
            agreed_how="phone",
            now=NOW,
        )


def test_a_readmitted_alumnus_is_discharged_again_into_the_community(community):
    clinic = community.clinic
    episode = EpisodeFactory(
        patient=clinic.patient_a,
        program=clinic.program_a,
        state=EpisodeState.ACTIVE,
        admitted_on=date(2026, 11, 10),
    )
    assert not access.is_alumnus_user(clinic.patient_user_a)
    discharge(clinic, episode, clinic.clinician_a, on=date(2026, 11, 20))
    assert access.is_alumnus_user(clinic.patient_user_a)


def test_event_create_needs_a_time(community):
    event = weekly_group(
        community.clinic, start_time=time(7, 30), recurrence="once", repeats_until=None
    )
    assert event.meetings.get().starts_at == datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
