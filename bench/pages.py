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
page counts), with no access checks, audit or rendering; for the plan worklist that is
the due items worked out by hand (PostgreSQL only), and the run stops unless they are
the items and total the worklist lists. The median of several runs is
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
# The plan worklist's due items by hand (PostgreSQL): first plans with no complete
# version, reviews of each episode's newest signed version, the latest certification's
# recertification, within a week of each program's day; the 50 soonest and their total.
# {today}, {horizon}, {first_days}... are CASEs over the row's program (_by_program).
PLAN_WORKLIST = """
WITH scope AS (
  SELECT e.id, e.program_id, e.patient_id, e.admitted_on, p.legal_last_name
  FROM patients_episode e JOIN patients_patient p ON p.id = e.patient_id
  WHERE e.program_id IN ({programs}) AND e.state IN ({attending})
), signed AS (
  SELECT t.id, t.episode_id, t.patient_id, t.signed_at, t.review_days,
         t.requires_physician_signature, s.program_id, s.legal_last_name,
         ROW_NUMBER() OVER (PARTITION BY t.episode_id ORDER BY t.version DESC) AS newest
  FROM plans_treatmentplan t JOIN scope s ON s.id = t.episode_id WHERE t.status = 'signed'
), medicare AS (
  SELECT s.id AS episode_id FROM scope s
  WHERE EXISTS (SELECT 1 FROM billing_coverage c JOIN billing_payer y ON y.id = c.payer_id
                WHERE c.patient_id = s.patient_id AND y.kind = 'medicare'
                  AND (c.effective_from IS NULL OR c.effective_from <= {today})
                  AND (c.effective_to IS NULL OR c.effective_to >= {today}))
), complete AS (
  SELECT DISTINCT t.episode_id FROM signed t
  WHERE EXISTS (SELECT 1 FROM plans_plansignature g WHERE g.plan_id = t.id AND g.role = 'patient')
    AND (EXISTS (SELECT 1 FROM plans_plansignature g
                 WHERE g.plan_id = t.id AND g.role = 'physician')
         OR NOT (t.requires_physician_signature
                 OR (t.episode_id IN (SELECT episode_id FROM medicare)
                     AND NOT EXISTS (SELECT 1 FROM plans_treatmentplan n
                                     WHERE n.previous_id = t.id AND n.status = 'signed'))))
), due AS (
  SELECT s.id, 'first_plan' AS kind, s.admitted_on + {first_days} AS due_on,
         s.legal_last_name, 0 AS kind_order
  FROM scope s
  WHERE s.admitted_on + {first_days} <= {horizon}
    AND NOT EXISTS (SELECT 1 FROM complete c WHERE c.episode_id = s.id)
  UNION ALL
  SELECT t.episode_id, 'plan_review', GREATEST(r.last, {signed_day}) + t.review_days,
         t.legal_last_name, 1
  FROM signed t
  LEFT JOIN (SELECT plan_id, MAX(reviewed_on) AS last FROM plans_planreview GROUP BY plan_id) r
       ON r.plan_id = t.id
  WHERE t.newest = 1 AND GREATEST(r.last, {signed_day}) + t.review_days <= {review_horizon}
  UNION ALL
  SELECT c.episode_id, 'recertification', c.recertify_by, s.legal_last_name, 2
  FROM (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.episode_id
                                       ORDER BY c.certified_on DESC, c.id DESC) AS n
        FROM plans_physiciancertification c) c
  JOIN scope s ON s.id = c.episode_id
  WHERE c.n = 1 AND c.recertify_by <= {horizon}
    AND EXISTS (SELECT 1 FROM signed t WHERE t.episode_id = c.episode_id)
)
SELECT id, kind, due_on, COUNT(*) OVER () FROM due
ORDER BY due_on, legal_last_name, id, kind_order
LIMIT 50
"""


def _by_program(days) -> dict[str, str]:
    """The worklist's per-program values as CASEs over a row's program_id: the program's
    day and that day plus the worklist's week, its first-plan days, and a signing instant's
    day in its zone (`days`: the programs' plans.selectors.due_queries.ProgramDays)."""

    def case(column: str, value) -> str:
        whens = " ".join(f"WHEN {pk} THEN {value(pk)}" for pk in sorted(days.today))
        return f"(CASE {column} {whens} END)"

    def horizon(pk) -> str:
        return f"DATE '{days.today[pk] + timedelta(days=7)}'"

    return {
        "today": case("s.program_id", lambda pk: f"DATE '{days.today[pk]}'"),
        "horizon": case("s.program_id", horizon),
        "review_horizon": case("t.program_id", horizon),
        "first_days": case("s.program_id", lambda pk: str(days.first_plan_days[pk])),
        "signed_day": case(
            "t.program_id", lambda pk: f"(t.signed_at AT TIME ZONE '{days.zone[pk]}')::date"
        ),
    }


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
# The administrator reviews the events that name no patient (privacy.access.audit), a
# director the events about their programs' patients, the list events naming one of them
# and their staff's events about no patient: the 50 newest (the page counts none).
AUDIT = [
    "SELECT a.*, u.username FROM privacy_auditevent a LEFT JOIN accounts_user u "
    "ON u.id = a.user_id WHERE a.patient_id IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM privacy_auditeventpatient n WHERE n.event_seq = a.seq) "
    "ORDER BY a.seq DESC LIMIT 50",
]
AUDIT_DIRECTOR = """
SELECT a.*, u.username FROM privacy_auditevent a LEFT JOIN accounts_user u ON u.id = a.user_id
WHERE a.patient_id IN (SELECT patient_id FROM patients_episode WHERE program_id IN ({programs}))
   OR (a.patient_id IS NULL AND EXISTS (
         SELECT 1 FROM privacy_auditeventpatient n JOIN patients_episode e
         ON e.patient_id = n.patient_id
         WHERE n.event_seq = a.seq AND e.program_id IN ({programs})))
   OR (a.patient_id IS NULL
       AND a.user_id IN (SELECT user_id FROM clinic_programstaff WHERE program_id IN ({programs}))
       AND NOT EXISTS (SELECT 1 FROM privacy_auditeventpatient n WHERE n.event_seq = a.seq))
ORDER BY a.seq DESC LIMIT 50
"""
# The API's patients: those of the programs (an episode there, in any state) with an
# episode open, by name, 50, with their episodes.
API_PATIENTS = """
SELECT p.*, e.id, e.state, g.name FROM patients_patient p
JOIN patients_episode e ON e.patient_id = p.id JOIN clinic_program g ON g.id = e.program_id
WHERE p.id IN (
  SELECT p2.id FROM patients_patient p2
  WHERE p2.id IN (SELECT patient_id FROM patients_episode WHERE program_id IN ({programs}))
    AND p2.id IN (SELECT patient_id FROM patients_episode WHERE state IN ({states}))
  ORDER BY p2.legal_last_name, p2.legal_first_name, p2.id LIMIT 50)
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


def _cases(programs: list[int], patient: int, monday, search: str, days) -> list[Case]:
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
    worklist = PLAN_WORKLIST.format(**f, **_by_program(days))
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
        Case("plan worklist", "/plans/worklist/", "director", [worklist]),
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
        Case(
            "audit trail, a director's",
            "/privacy/audit/",
            "director",
            [AUDIT_DIRECTOR.format(**f)],
        ),
        Case("API patients", "/api/v1/patients", "director", [API_PATIENTS.format(**f)]),
        Case("API referrals", "/api/v1/intake/referrals", "director", [API_REFERRALS.format(**f)]),
        Case("API plan worklist", "/api/v1/plans/worklist", "director", [worklist]),
        Case("API audit", "/api/v1/audit", "admin", AUDIT),
    ]


def _check_worklist(director, cases: list[Case]) -> None:
    """Stop unless the worklist's hand SQL returns the page's rows: the 50 soonest items
    (episode, kind, due day) and their total, as the worklist's selector lists them."""
    from django.db import connection

    from stepwell.plans.selectors import plan_worklist

    sql = next(case.sql[0] for case in cases if case.label == "plan worklist")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        raw = cursor.fetchall()
    items = plan_worklist(user=director, within_days=7)
    page = [(item.episode.pk, item.kind, item.due_on) for item in items[:50]]
    if [row[:3] for row in raw] != page or (raw and raw[0][3] != len(items)):
        raise SystemExit("the plan worklist's raw SQL does not return the page's rows")


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
    from stepwell.plans.selectors.due_queries import ProgramDays
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

    days = ProgramDays.of(Episode.objects.filter(program_id__in=programs))
    cases = _cases(programs, member.patient_id, monday, "Adams", days)
    if connection.vendor != "postgresql":  # the worklist's hand SQL is PostgreSQL's
        cases = [case for case in cases if "worklist" not in case.label]
    else:
        _check_worklist(director, cases)
    rows = []
    for case in cases:
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
