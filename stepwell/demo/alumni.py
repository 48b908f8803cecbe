"""The demo's alumni community: former patients keep a portal login (`alumni1` signs in
with the demo password; the others have no usable password), each program runs a weekly
in-person alumni group, a monthly video check-in and a one-off picnic, alumni have
answered (RSVP) and came to past meetings, and one alumnus mentors a current patient.

Built through the alumni services, acting as the program director (who runs the
alumni community of every program) and as the alumni themselves for their answers.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from stepwell.accounts.models import User, UserKind
from stepwell.alumni import services
from stepwell.alumni.models import RsvpAnswer
from stepwell.patients.models import OPEN_STATES, Episode, EpisodeState

from .clinic import DEMO_PASSWORD, DEMO_ZONE, DemoClinic

ALUMNI_PER_PROGRAM = 4


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zoneinfo.ZoneInfo(DEMO_ZONE)).astimezone(UTC)


def _alumni_of(clinic: DemoClinic, key: str) -> list:
    """Discharged patients of the program with no open episode anywhere."""
    open_ids = set(
        Episode.objects.filter(state__in=OPEN_STATES).values_list("patient_id", flat=True)
    )
    program = clinic.programs[key]
    found = []
    for patient in clinic.patients:
        if patient.pk in open_ids or patient.pk in {p.pk for p in found}:
            continue
        if patient.episodes.filter(program=program, state=EpisodeState.DISCHARGED).exists():
            found.append(patient)
    return found[:ALUMNI_PER_PROGRAM]


def _login(patient, username: str, *, usable: bool) -> User:
    if patient.user is not None:
        return patient.user
    user = User.objects.create_user(
        username=username,
        password=DEMO_PASSWORD if usable else None,
        kind=UserKind.PATIENT,
        first_name=patient.legal_first_name,
        last_name=patient.legal_last_name,
    )
    patient.user = user
    patient.save(update_fields=["user"])
    return user


def _events(director, program, today: date) -> list:
    """A weekly group that began two weeks ago, a monthly video check-in, a picnic."""
    weekly = services.alumni_event_create(
        actor=director,
        program_id=program.pk,
        title="Alumni evening group",
        description="Peer support for people who finished the program. Come as you are.",
        format="in_person",
        place=f"{program.site.name}, group room 1",
        recurrence="weekly",
        first_day=today - timedelta(days=14),
        start_time=time(18, 0),
        duration_minutes=90,
        repeats_until=today + timedelta(days=56),
        now=_at(today - timedelta(days=21)),
    )
    services.alumni_event_create(
        actor=director,
        program_id=program.pk,
        title="Monthly alumni check-in (video)",
        format="video",
        video_url="https://video.example.org/stepwell-alumni",
        recurrence="monthly",
        first_day=today + timedelta(days=5),
        start_time=time(19, 0),
        duration_minutes=60,
        repeats_until=today + timedelta(days=160),
        now=_at(today),
    )
    services.alumni_event_create(
        actor=director,
        program_id=program.pk,
        title="Alumni picnic",
        description="Families welcome.",
        format="in_person",
        place="Riverside Park, shelter B",
        recurrence="once",
        first_day=today + timedelta(days=20),
        start_time=time(11, 0),
        duration_minutes=180,
        now=_at(today),
    )
    return list(weekly.meetings.order_by("starts_at"))


def seed_alumni(clinic: DemoClinic, rng, today: date) -> None:
    director = clinic.users["director"]
    now = _at(today)
    number = 0
    for key in ("mh", "sud", "dual"):
        program = clinic.programs[key]
        alumni = _alumni_of(clinic, key)
        logins = []
        for patient in alumni:
            number += 1
            name = "alumni1" if number == 1 else f"alumni-demo-{number}"
            logins.append(_login(patient, name, usable=number == 1))
        if number and "alumni1" not in clinic.users:
            clinic.users["alumni1"] = User.objects.get(username="alumni1")
        weekly = _events(director, program, today)
        past = [m for m in weekly if m.ends_at <= now]
        coming = [m for m in weekly if m.starts_at > now][:3]
        for user in logins:
            for meeting in coming:
                answer = rng.choice(
                    [RsvpAnswer.YES, RsvpAnswer.YES, RsvpAnswer.MAYBE, RsvpAnswer.NO]
                )
                services.alumni_rsvp_set(actor=user, meeting_id=meeting.pk, answer=answer, now=now)
        for meeting in past:
            came = {p.pk for p in alumni if rng.random() < 0.6}
            services.alumni_attendance_record(
                actor=director,
                meeting_id=meeting.pk,
                present_ids=came,
                absent_ids={p.pk for p in alumni} - came,
                now=now,
            )
        if key == "mh" and alumni:
            _mentor(clinic, director, program, alumni[0].user, now, today)


def _mentor(clinic, director, program, alumnus_login, now, today) -> None:
    """alumni1 mentors one current patient of the program, who agreed in person."""
    mentor = services.peer_mentor_volunteer(
        actor=alumnus_login,
        about="I finished the evening track last year. Happy to talk about the first weeks.",
        now=now,
    )
    services.peer_mentor_approve(actor=director, mentor_id=mentor.pk, now=now)
    current = (
        Episode.objects.filter(program=program, state=EpisodeState.ACTIVE)
        .order_by("pk")
        .values_list("patient_id", flat=True)
        .first()
    )
    if current is not None:
        services.mentor_pair(
            actor=director,
            mentor_id=mentor.pk,
            patient_id=current,
            patient_agreed_on=today,
            agreed_how="in_person",
            now=now,
        )
