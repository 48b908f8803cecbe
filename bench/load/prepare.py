"""What the simulated clinic day needs, read from a seeded database, as JSON on stdout.

Run by bench/load/run.py after `seed-demo --patients N`, with the same settings and
database as the servers. For each simulated person it makes a logged-in session (second
factor done, as after the TOTP step), so the measured day does not include password
hashing at log-in; and it lists the records each one works on:

- clinicians (the demo's therapists and the chain's clinicians): patients on their care
  team (charts, notes) and attendance rows they may mark (past sessions already marked
  present or late: marking them again is a time edit, allowed any number of times);
- directors (the demo's and the chain's): their programs, for the worklists, compliance
  and reports;
- patients: one-time questionnaire links (PHQ-9), each answered once during the run.
"""

from __future__ import annotations

import json
import os
import sys

SESSIONS_PER_ACCOUNT = 4  # simulated people share an account by taking its sessions in turn
PATIENTS_PER_CLINICIAN = 200
ATTENDANCE_PER_CLINICIAN = 100


def _session(user) -> str:
    from django.test import Client

    from stepwell.testing.auth import verified_login

    client = verified_login(Client(), user)
    return client.cookies["sessionid"].value


def _clinicians(staff) -> list[dict]:
    from django.utils import timezone

    from stepwell.privacy.access.attendance import attendance_rows_taken_by
    from stepwell.privacy.access.patients import patients_visible_to

    people = []
    for user in staff:
        patients = list(
            patients_visible_to(user)
            .filter(care_team__user=user, episodes__state__in=("admitted", "active"))
            .values_list("pk", flat=True)
            .distinct()[:PATIENTS_PER_CLINICIAN]
        )
        rows = list(
            attendance_rows_taken_by(user)
            .filter(
                status__in=("present", "late"),
                session_ends_at__lt=timezone.now(),
                occurrence__isnull=False,
            )
            .order_by("-session_starts_at")
            .values("pk", "status", "occurrence_id")[:ATTENDANCE_PER_CLINICIAN]
        )
        if not patients:
            continue
        people.append(
            {
                "username": user.username,
                "sessions": [_session(user) for _ in range(SESSIONS_PER_ACCOUNT)],
                "patients": patients,
                "attendance": rows,
            }
        )
    return people


def _directors(staff) -> list[dict]:
    from stepwell.accounts.models import Role

    return [
        {
            "username": user.username,
            "sessions": [_session(user) for _ in range(SESSIONS_PER_ACCOUNT)],
            "programs": sorted(user.program_ids_with(Role.PROGRAM_DIRECTOR)),
        }
        for user in staff
    ]


def _links(count: int) -> list[str]:
    """One-time PHQ-9 links for admitted patients, sent by a clinician on their care team."""
    from stepwell.core.errors import AccessDenied, ApplicationError
    from stepwell.measures.services.links import questionnaire_send
    from stepwell.patients.models import CareTeamMember

    members = (
        CareTeamMember.objects.filter(
            patient__episodes__state__in=("admitted", "active"), user__is_active=True
        )
        .select_related("user")
        .order_by("patient_id")
        .distinct()
    )
    tokens: list[str] = []
    seen: set[int] = set()
    for member in members.iterator():
        if len(tokens) >= count:
            break
        if member.patient_id in seen:
            continue
        seen.add(member.patient_id)
        try:
            sent = questionnaire_send(
                actor=member.user, patient_id=member.patient_id, instrument_key="phq9"
            )
        except (ApplicationError, AccessDenied) as error:  # not this patient: the next one
            print(f"patient {member.patient_id} skipped: {error}", file=sys.stderr)
            continue
        tokens.append(sent.token)
    return tokens


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepwell.settings.demo")
    import django

    django.setup()
    from stepwell.accounts.models import Role, User
    from stepwell.privacy.access.predicates import programs_with

    links = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    staff = User.objects.filter(is_active=True, kind="staff").order_by("username")
    clinicians = [
        u
        for u in staff
        if u.username.startswith(("therapist", "chainclin")) and programs_with(u, Role.CLINICIAN)
    ]
    directors = [u for u in staff if u.username.startswith(("director", "chaindir"))]
    day = {
        "clinicians": _clinicians(clinicians),
        "directors": _directors(directors),
        "links": _links(links),
    }
    json.dump(day, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
