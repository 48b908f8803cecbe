"""Discharge summaries, aftercare plans, their PDFs, the support-group directory and the
discharge settings.

Rules: stepwell/privacy/access/discharge.py, README "Discharge and aftercare",
docs/discharge.md.
- Reading an episode's summary and plan (page, API, PDFs): clinicians, prescribers,
  nurses and directors in the patient's program, or on the care team with a clinical role.
- The summary (draft, edit, sign, addenda): clinicians and prescribers.
- The aftercare plan (text, contacts, appointments, paper signature): clinicians,
  prescribers and nurses.
- The patient: their own aftercare plan on the portal (read, sign, PDF); never a summary.
- A program's directory: read by anyone working in it; kept by its clinicians and
  directors; its discharge settings: its directors.
"""

from __future__ import annotations

from ..facts import (
    BILLING,
    CLINICIAN,
    DIRECTOR,
    INTAKE,
    NURSE,
    PRESCRIBER,
    Chart,
    InProgram,
    Own,
    Person,
    portal_users,
    staff,
)
from ..harness import Entry, On

READ = Chart((CLINICIAN, PRESCRIBER, NURSE, DIRECTOR))
SUMMARY = Chart((CLINICIAN, PRESCRIBER))
PLAN = Chart((CLINICIAN, PRESCRIBER, NURSE))
WORKS_IN = InProgram((CLINICIAN, PRESCRIBER, NURSE, INTAKE, DIRECTOR, BILLING))
KEEPS_DIRECTORY = InProgram((CLINICIAN, DIRECTOR))
DIRECTORS = InProgram((DIRECTOR,))

FULL = ("A", "A2", "B")
SIGNED = ("Ad", "Bd")
ON_EPISODE = On({"episode_id": "episode"}, keys=FULL)
ON_SIGNED = On({"episode_id": "episode"}, keys=SIGNED)
ON_PATIENT = On({"patient_id": "patient"}, keys=FULL)
ON_CONTACT = On({"episode_id": "episode", "contact_id": "aftercare_contact"}, keys=FULL)
ON_APPOINTMENT = On({"episode_id": "episode", "appointment_id": "aftercare_appointment"}, keys=FULL)
ON_PROGRAM = On({"program_id": "program"}, keys=("A", "B"), scope="program")
ON_GROUP = On(
    {"program_id": "program", "group_id": "support_group"}, keys=("A", "B"), scope="program"
)
NARRATIVE = {
    "course_of_treatment": "Attended groups.",
    "condition_at_discharge": "Stable.",
    "recommendations": "Weekly therapy.",
    "disposition": "completed",
}


def _page(world, key) -> str:
    return f"/episodes/{world.id_of('episode', key)}/discharge/"


def _appointment(world, key) -> dict:
    later = world.clinic.now.date().toordinal() + 14
    from datetime import date

    return {
        "kind": "prescriber",
        "provider": "Dr. Lee",
        "starts_at": f"{date.fromordinal(later).isoformat()}T10:00",
        "place": "Clinic",
    }


PAGES = [
    Entry("GET", "episodes/{episode_id}/discharge/", READ, on=ON_EPISODE),
    Entry("GET", "patients/{patient_id}/discharge/", READ, on=ON_PATIENT, shows=False),
    Entry(
        "POST",
        "episodes/{episode_id}/discharge/summary/draft",
        SUMMARY,
        on=ON_EPISODE,
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/discharge/summary",
        SUMMARY,
        on=ON_EPISODE,
        data={**NARRATIVE, "referrals": "Outpatient therapist"},
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/discharge/summary/sign",
        SUMMARY,
        on=ON_EPISODE,
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/discharge/summary/addenda",
        SUMMARY,
        on=ON_SIGNED,
        data={"text": "Late entry."},
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/aftercare/start",
        PLAN,
        on=ON_EPISODE,
        ok=302,
        location=_page,
        writes=False,
        note="the plan exists already: starting it again opens the same plan",
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/aftercare",
        PLAN,
        on=ON_EPISODE,
        data={"warning_signs": "Skipping meals", "coping_strategies": "Calling my sister"},
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/aftercare/contacts",
        PLAN,
        on=ON_EPISODE,
        data={"name": "Jo", "relationship": "Friend", "phone": "555-0101", "consent_given": "on"},
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/aftercare/contacts/{contact_id}/remove",
        PLAN,
        on=ON_CONTACT,
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/aftercare/appointments",
        PLAN,
        on=ON_EPISODE,
        data=_appointment,
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/aftercare/appointments/{appointment_id}/remove",
        PLAN,
        on=ON_APPOINTMENT,
        ok=302,
        location=_page,
    ),
    Entry(
        "POST",
        "episodes/{episode_id}/aftercare/sign-on-paper",
        PLAN,
        on=ON_EPISODE,
        ok=302,
        location=_page,
    ),
    Entry(
        "GET",
        "episodes/{episode_id}/discharge-summary.pdf",
        READ,
        on=ON_EPISODE,
        shows=False,
        note="a PDF: the name is in compressed text",
    ),
    Entry(
        "GET",
        "episodes/{episode_id}/aftercare-plan.pdf",
        READ | Own(),
        on=ON_EPISODE,
        shows=False,
        note="a PDF: the name is in compressed text",
    ),
    Entry("GET", "portal/aftercare/", portal_users()),
    Entry(
        "POST",
        "portal/aftercare/sign",
        portal_users(),
        ok=302,
        location="/portal/aftercare/",
    ),
    Entry("GET", "discharge/programs/", staff() | Person(frozenset({"superuser"}))),
    Entry("GET", "discharge/programs/{program_id}/", WORKS_IN, on=ON_PROGRAM, shows=False),
    Entry(
        "POST",
        "discharge/programs/{program_id}/support-groups",
        KEEPS_DIRECTORY,
        on=ON_PROGRAM,
        data={
            "kind": "smart",
            "name": "SMART Recovery",
            "meeting_day": "2",
            "meeting_time": "18:30",
            "place": "Library",
        },
        ok=302,
        location="/discharge/programs/",
    ),
    Entry(
        "POST",
        "discharge/programs/{program_id}/support-groups/{group_id}/deactivate",
        KEEPS_DIRECTORY,
        on=ON_GROUP,
        ok=302,
        location="/discharge/programs/",
    ),
    Entry(
        "POST",
        "discharge/programs/{program_id}/policy",
        DIRECTORS,
        on=ON_PROGRAM,
        data={
            "documents_required": "on",
            "exempt_dispositions": ["administrative"],
            "after_hours_line": "555-0199",
        },
        ok=302,
        location="/discharge/programs/",
    ),
]

API = "/api/v1"
OPERATIONS = [
    Entry(
        "POST",
        f"{API}/episodes/{{episode_id}}/discharge-summary",
        SUMMARY,
        api=True,
        on=ON_EPISODE,
        ok=201,
    ),
    Entry("GET", f"{API}/episodes/{{episode_id}}/discharge-summary", READ, api=True, on=ON_EPISODE),
    Entry(
        "PATCH",
        f"{API}/episodes/{{episode_id}}/discharge-summary",
        SUMMARY,
        api=True,
        on=ON_EPISODE,
        data={"referrals": "Outpatient therapist, Main St"},
    ),
    Entry(
        "POST",
        f"{API}/episodes/{{episode_id}}/discharge-summary/sign",
        SUMMARY,
        api=True,
        on=ON_EPISODE,
    ),
    Entry(
        "POST",
        f"{API}/episodes/{{episode_id}}/discharge-summary/addenda",
        SUMMARY,
        api=True,
        on=ON_SIGNED,
        data={"text": "Late entry."},
        ok=201,
    ),
    Entry("GET", f"{API}/episodes/{{episode_id}}/aftercare-plan", READ, api=True, on=ON_EPISODE),
]
