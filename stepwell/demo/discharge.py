"""Discharge summaries, aftercare plans and the support-group directory for the demo, made
through the discharge services by the staff who would do each step (the program's
director keeps the directory and sets the discharge settings; the patient's primary
clinician drafts, writes and signs the summary and writes the plan with the patient).

- Each program: a directory of support groups (AA, NA, SMART Recovery, DBSA, Al-Anon and
  a local group) with meeting days and times, and discharge settings that require a
  signed summary and aftercare plan (except "left against advice" and "administrative"),
  with the program's after-hours line.
- Every discharged patient who was admitted: a signed discharge summary and an aftercare
  plan signed on paper (two in three) or on the portal, with a contact who agreed to be
  listed, an appointment after discharge and two support groups.
- patient1: a draft aftercare plan to read and sign on the portal.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from stepwell.discharge import services
from stepwell.patients.models import CareTeamRole, Episode

from .clinic import DEMO_ZONE

DIRECTORY = (
    ("aa", "Northside AA Big Book Group", 0, time(19, 0), "St. Mark's Hall, 410 Elm St"),
    ("na", "Riverside NA Just for Today", 2, time(18, 30), "Riverside Library, room B"),
    ("smart", "SMART Recovery Online", 3, time(17, 0), "Online"),
    ("dbsa", "DBSA Peer Support Group", 1, time(18, 0), "Community Center, 22 Oak Ave"),
    ("al_anon", "Al-Anon Family Group", 4, time(19, 30), "First Street Church"),
    ("local", "Stepwell Alumni Walk & Talk", 5, time(9, 0), "Lakeside Park entrance"),
)
AFTER_HOURS = {"mh": "555-0140", "sud": "555-0150", "dual": "555-0160"}
WARNING_SIGNS = (
    "Sleeping past noon; skipping meals; not answering texts",
    "Isolating in my room; thinking 'what's the point'",
    "Skipping meetings; driving past the old bar",
)
COPING = (
    "Call my sponsor; a 20-minute walk; the 5-4-3-2-1 grounding skill",
    "Text my sister; play guitar; opposite action from DBT group",
    "Go to a meeting the same day; breathing exercise; write in my journal",
)
CONTACTS = (("Jordan", "Sister"), ("Sam", "Sponsor"), ("Alex", "Friend"), ("Pat", "Partner"))


def _primary_clinician(episode: Episode):
    member = (
        episode.patient.care_team.filter(team_role=CareTeamRole.PRIMARY_CLINICIAN)
        .select_related("user")
        .first()
    )
    return member.user if member else None


def _directory(clinic) -> dict[int, list]:
    director = clinic.users["director"]
    groups = {}
    for key, program in clinic.programs.items():
        groups[program.pk] = [
            services.support_group_add(
                actor=director,
                program_id=program.pk,
                kind=kind,
                name=name,
                meeting_day=day,
                meeting_time=at,
                place=place,
                link="https://example.org/meetings" if place == "Online" else "",
            )
            for kind, name, day, at, place in DIRECTORY
        ]
        services.discharge_policy_set(
            actor=director,
            program_id=program.pk,
            documents_required=True,
            exempt_dispositions=["left_against_advice", "administrative"],
            after_hours_line=AFTER_HOURS.get(key, "555-0100"),
        )
    return groups


def _plan(rng, episode: Episode, author, groups: list, first_appointment: datetime) -> None:
    services.aftercare_plan_start(actor=author, episode_id=episode.pk)
    services.aftercare_plan_update(
        actor=author,
        episode_id=episode.pk,
        changes={
            "warning_signs": rng.choice(WARNING_SIGNS),
            "triggers": "Conflict at home; payday weekends; anniversaries",
            "coping_strategies": rng.choice(COPING),
            "alumni_group": "Alumni group: Thursdays 6 pm, Room 2 (or by video).",
        },
        support_group_ids=[g.pk for g in rng.sample(groups, 2)],
    )
    name, relationship = rng.choice(CONTACTS)
    services.aftercare_contact_add(
        actor=author,
        episode_id=episode.pk,
        name=f"{name} {episode.patient.legal_last_name}",
        relationship=relationship,
        phone=f"555-01{rng.randint(10, 99)}",
        consent_given=True,
    )
    services.aftercare_appointment_add(
        actor=author,
        episode_id=episode.pk,
        kind="therapist",
        provider=rng.choice(["Dr. Rivera", "Morgan Hale, LPC", "Dr. Okafor"]),
        starts_at=first_appointment,
        place="Harbor Family Counseling, 12 Bay St",
    )


def seed_discharge(clinic, rng, today) -> None:
    groups = _directory(clinic)
    zone = ZoneInfo(DEMO_ZONE)
    discharged = (
        Episode.objects.filter(state="discharged", admitted_on__isnull=False)
        .select_related("patient", "program")
        .order_by("pk")
    )
    for number, episode in enumerate(discharged):
        author = _primary_clinician(episode)
        if author is None:
            continue
        services.discharge_summary_draft(actor=author, episode_id=episode.pk)
        services.discharge_summary_update(
            actor=author,
            episode_id=episode.pk,
            changes={
                "presenting_problem": "Depressed mood and substance use affecting work.",
                "course_of_treatment": "Attended process and skills groups and weekly "
                "individual therapy; practised relapse-prevention skills.",
                "condition_at_discharge": "Mood improved; no current safety concerns.",
                "recommendations": "Weekly outpatient therapy; mutual-help meetings; "
                "keep the aftercare plan where it can be seen.",
            },
        )
        services.discharge_summary_sign(actor=author, episode_id=episode.pk)
        after = datetime.combine(episode.discharged_on + timedelta(days=7), time(10), tzinfo=zone)
        _plan(rng, episode, author, groups[episode.program_id], after)
        if number % 3 == 2 and episode.patient.user_id:
            services.aftercare_plan_sign_on_portal(
                actor=episode.patient.user, episode_id=episode.pk
            )
        else:
            services.aftercare_plan_sign_on_paper(actor=author, episode_id=episode.pk)
    patient1 = clinic.users.get("patient1")
    if patient1 is not None:
        episode = Episode.objects.filter(
            patient__user=patient1, admitted_on__isnull=False, discharged_on__isnull=True
        ).first()
        author = _primary_clinician(episode) if episode else None
        if author is not None:
            start = datetime.combine(today + timedelta(days=21), time(15), tzinfo=zone)
            _plan(rng, episode, author, groups[episode.program_id], start)
