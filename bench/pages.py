"""Server time of each list page and API list against a raw SQL query returning its rows.

Run against a database that holds the demo clinic, with or without the chain:

    DJANGO_SETTINGS_MODULE=stepwell.settings.demo STEPWELL_DATABASE_URL=... \\
        stepwell seed-demo --patients 20000
    DJANGO_SETTINGS_MODULE=stepwell.settings.demo STEPWELL_DATABASE_URL=... \\
        python -m bench.pages

Each page is served in-process by Django's test client (the whole request: middleware,
access checks, audit, selectors, template), warm, as the person who works with it: the
chain's first director (or the demo's when there is no chain) for the lists of a program,
a clinician of theirs for a chart, the administrator for the audit trail. The raw side is
the SQL a hand-written page would send for the same rows (the 50 shown and the total the
page counts), with no access checks, audit or rendering. The median of several runs is
printed as a Markdown table; `--only caseload` measures the pages whose label holds it;
`--director director` measures the demo clinic's own programs (80 patients) instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

REPEAT = 21
OPEN_STATES = ("referred", "screening", "assessed", "admitted", "active", "on_hold")
ATTENDING = ("admitted", "active", "on_hold")
REFERRAL_STATES = (
    "new",
    "contacted",
    "screening_booked",
    "assessed",
    "admitted",
    "referred_elsewhere",
    "declined",
)


def _in(values) -> str:
    return ",".join(str(int(v)) for v in values) or "NULL"


def _states(values) -> str:
    return ",".join(f"'{s}'" for s in values)


CASELOAD = """
SELECT e.id, e.state, e.referred_on, e.admitted_on, p.id, p.mrn, p.legal_first_name,
       p.legal_last_name, p.preferred_name, g.name
FROM patients_episode e
JOIN patients_patient p ON p.id = e.patient_id
JOIN clinic_program g ON g.id = e.program_id
WHERE e.program_id IN ({programs}) AND e.state IN ({states}) {search}
ORDER BY g.name, e.state, p.legal_last_name, e.id
LIMIT 50
"""
CASELOAD_COUNT = """
SELECT COUNT(*) FROM patients_episode e JOIN patients_patient p ON p.id = e.patient_id
WHERE e.program_id IN ({programs}) AND e.state IN ({states}) {search}
"""
CENSUS = """
SELECT e.program_id, e.state, COUNT(*) FROM patients_episode e
WHERE e.program_id IN ({programs}) GROUP BY e.program_id, e.state
"""
CHART = [
    "SELECT * FROM patients_patient WHERE id = {patient}",
    "SELECT e.*, g.name FROM patients_episode e JOIN clinic_program g ON g.id = e.program_id "
    "WHERE e.patient_id = {patient} ORDER BY e.referred_on DESC",
    "SELECT m.*, u.first_name, u.last_name FROM patients_careteammember m "
    "JOIN accounts_user u ON u.id = m.user_id WHERE m.patient_id = {patient}",
    "SELECT * FROM privacy_auditevent WHERE patient_id = {patient} ORDER BY id DESC LIMIT 10",
]
PLAN_WORKLIST = """
SELECT e.id, e.admitted_on, p.legal_last_name, p.legal_first_name, t.id, t.status
FROM patients_episode e
JOIN patients_patient p ON p.id = e.patient_id
LEFT JOIN plans_treatmentplan t ON t.episode_id = e.id
WHERE e.program_id IN ({programs}) AND e.state IN ({attending})
ORDER BY e.admitted_on, p.legal_last_name, e.id
LIMIT 50
"""
COMPLIANCE = """
SELECT e.id, p.legal_last_name, p.legal_first_name, COALESCE(SUM(a.minutes_attended), 0)
FROM patients_episode e
JOIN patients_patient p ON p.id = e.patient_id
LEFT JOIN care_attendance a ON a.patient_id = e.patient_id
     AND a.session_starts_at >= '{monday}' AND a.session_starts_at < '{next_monday}'
WHERE e.program_id = {program} AND e.state IN ({attending})
GROUP BY e.id, p.legal_last_name, p.legal_first_name
ORDER BY p.legal_last_name, p.legal_first_name, e.id
LIMIT 50
"""
COMPLIANCE_COUNT = """
SELECT COUNT(*) FROM patients_episode e WHERE e.program_id = {program} AND e.state IN ({attending})
"""
BOARD_COLUMN = """
SELECT r.*, p.legal_last_name, g.name FROM intake_referral r
JOIN patients_patient p ON p.id = r.patient_id
JOIN patients_episode e ON e.id = r.episode_id
JOIN clinic_program g ON g.id = e.program_id
WHERE e.program_id IN ({programs}) AND r.state = '{state}'
ORDER BY r.received_on, r.id LIMIT 50
"""
BOARD_COUNT = """
SELECT r.state, COUNT(*) FROM intake_referral r JOIN patients_episode e ON e.id = r.episode_id
WHERE e.program_id IN ({programs}) GROUP BY r.state
"""
AUDIT = [
    "SELECT a.*, u.username FROM privacy_auditevent a LEFT JOIN accounts_user u "
    "ON u.id = a.user_id ORDER BY a.id DESC LIMIT 50",
    "SELECT COUNT(*) FROM privacy_auditevent",
]
API_PATIENTS = """
SELECT p.*, e.id, e.state, g.name FROM patients_patient p
JOIN patients_episode e ON e.patient_id = p.id JOIN clinic_program g ON g.id = e.program_id
WHERE p.id IN (SELECT e2.patient_id FROM patients_episode e2
               WHERE e2.program_id IN ({programs}) AND e2.state IN ({states})
               ORDER BY e2.patient_id LIMIT 50)
"""
API_REFERRALS = """
SELECT r.*, p.legal_last_name FROM intake_referral r
JOIN patients_patient p ON p.id = r.patient_id
JOIN patients_episode e ON e.id = r.episode_id
WHERE e.program_id IN ({programs}) ORDER BY r.received_on DESC, r.id LIMIT 50
"""


@dataclass(frozen=True)
class Case:
    label: str
    url: str
    who: str  # director, clinician or admin
    sql: list[str]


def _median_ms(run: Callable[[], None]) -> float:
    run()  # warm the caches (sessions, content types, templates)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _cases(programs: list[int], patient: int, monday, search: str) -> list[Case]:
    f = {
        "programs": _in(programs),
        "states": _states(OPEN_STATES),
        "attending": _states(ATTENDING),
        "patient": patient,
        "program": programs[0],
        "monday": monday.isoformat(),
        "next_monday": (monday + timedelta(days=7)).isoformat(),
    }
    like = f"AND p.legal_last_name LIKE '%%{search}%%'"
    return [
        Case(
            "caseload",
            "/caseload/",
            "director",
            [
                CASELOAD.format(search="", **f),
                CASELOAD_COUNT.format(search="", **f),
                CENSUS.format(**f),
            ],
        ),
        Case(
            "caseload, searched",
            f"/caseload/?q={search}",
            "director",
            [
                CASELOAD.format(search=like, **f),
                CASELOAD_COUNT.format(search=like, **f),
                CENSUS.format(**f),
            ],
        ),
        Case(
            "caseload, a clinician's",
            "/caseload/",
            "clinician",
            [CASELOAD.format(search="", **f), CASELOAD_COUNT.format(search="", **f)],
        ),
        Case("chart", f"/patients/{patient}/", "clinician", [q.format(**f) for q in CHART]),
        Case("plan worklist", "/plans/worklist/", "director", [PLAN_WORKLIST.format(**f)]),
        Case(
            "compliance (weekly hours)",
            f"/care/programs/{programs[0]}/compliance/",
            "director",
            [COMPLIANCE.format(**f), COMPLIANCE_COUNT.format(**f)],
        ),
        Case(
            "referral board",
            "/intake/referrals/",
            "director",
            [BOARD_COUNT.format(**f)]
            + [BOARD_COLUMN.format(state=s, **f) for s in REFERRAL_STATES],
        ),
        Case("audit trail", "/privacy/audit/", "admin", AUDIT),
        Case("API patients", "/api/v1/patients", "director", [API_PATIENTS.format(**f)]),
        Case("API referrals", "/api/v1/intake/referrals", "director", [API_REFERRALS.format(**f)]),
        Case(
            "API plan worklist", "/api/v1/plans/worklist", "director", [PLAN_WORKLIST.format(**f)]
        ),
        Case("API audit", "/api/v1/audit", "admin", AUDIT[:1]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Server time of pages against raw SQL.")
    parser.add_argument("--only", default="", help="measure the pages whose label holds this")
    parser.add_argument(
        "--director", default="", help="whose programs (default: chaindir1, else director)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepwell.settings.demo")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from stepwell.accounts.models import Role, User
    from stepwell.care.hours.weekly import ProgramWeek, current_week
    from stepwell.clinic.models import Program
    from stepwell.core.frames import in_roomy_frame
    from stepwell.patients.models import CareTeamMember, Episode
    from stepwell.testing.auth import verified_login

    director = (
        User.objects.get(username=args.director)
        if args.director
        else User.objects.filter(username="chaindir1").first()
        or User.objects.get(username="director")
    )
    programs = sorted(director.program_ids_with(Role.PROGRAM_DIRECTOR))
    member = (
        CareTeamMember.objects.filter(
            patient__episodes__program_id__in=programs,
            patient__episodes__state__in=ATTENDING,
            user__username__startswith="chainclin" if director.username.startswith("chain") else "",
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    program = Program.objects.get(pk=programs[0])
    monday = ProgramWeek.of(program, current_week(program, timezone.now())).monday
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clients = {
        "director": verified_login(Client(), director),
        "clinician": verified_login(Client(), member.user),
        "admin": verified_login(Client(), User.objects.get(username="admin")),
    }

    rows = []
    for case in _cases(programs, member.patient_id, monday, "Adams"):
        if args.only and args.only not in case.label:
            continue

        def page(case=case):
            # In a roomy frame, as stepwell/wsgi.py serves every request.
            response = in_roomy_frame(clients[case.who].get, case.url)
            if response.status_code != 200:
                raise SystemExit(f"{case.url} answered {response.status_code}")

        def raw(case=case):
            with connection.cursor() as cursor:
                for sql in case.sql:
                    cursor.execute(sql)
                    cursor.fetchall()

        server, sql = _median_ms(page), _median_ms(raw)
        rows.append((case, server, sql))
        print(f"  {case.label}: {server:.0f} ms", file=sys.stderr, flush=True)

    episodes = Episode.objects.filter(program_id__in=programs).count()
    print(
        f"{Episode.objects.count()} episodes in all; director {director.username}: "
        f"{len(programs)} programs, {episodes} episodes; clinician {member.user.username}; "
        f"{connection.vendor}; median of {REPEAT}\n"
    )
    print("| page | as | server ms | raw SQL ms | ratio |")
    print("|---|---|---|---|---|")
    for case, server, sql in rows:
        print(
            f"| {case.label} `{case.url}` | {case.who} | {server:.0f} | {sql:.1f} "
            f"| {server / sql:.0f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
