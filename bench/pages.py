"""Server time of each list page and API list against a raw SQL query returning its rows.

Run against a database that holds the demo clinic, with or without the chain:

    DJANGO_SETTINGS_MODULE=stepwell.settings.demo STEPWELL_DATABASE_URL=... \\
        stepwell seed-demo --patients 20000
    DJANGO_SETTINGS_MODULE=stepwell.settings.demo STEPWELL_DATABASE_URL=... \\
        python -m bench.pages

Each page is served in-process by Django's test client (the whole request: middleware,
access checks, audit, selectors, template), warm, in a process set up as stepwell/wsgi.py
sets up an app server (views loaded, then frozen out of the collector), as the person who
works with it: the chain's first director (or the demo's when there is no chain) for the
lists of a program, a clinician of theirs for a chart, the administrator for the audit
trail.

The raw side is the SQL a hand-written page would send for the same rows (the 50 shown,
the total the page counts, and what it shows beside them: a caseload row's scores, alerts
and week's hours, a compliance row's hours, each panel of a chart), with no access
checks, audit or rendering; for the plan worklist that is the due items worked out by
hand. The hand SQL is PostgreSQL's, and so must the database be. The run stops unless
the worklist's hand SQL gives the items and total the worklist lists and each caseload's
gives the page's episodes. A second raw column adds what every signed-in request sends
whatever its page (SIGNED_IN: session, user, second factor, roles; on a staff page the
safety banner's question, BANNER; and the audit events the page appends, in transactions
rolled back), which a hand-written page that checks who asks, warns of an urgent alert
and audits sends too.

The median of several runs is printed as a Markdown table; `--only caseload` measures the
pages whose label holds it; `--director director` measures the demo clinic's own programs
(80 patients) instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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


# A caseload lists every episode of the patients in the user's scope: those with an
# episode in a program where their role sees every patient, and for a clinician those on
# whose care team they are ({scope}, from _scope; emergency access is left out: none is
# open in the databases measured).
CASELOAD = """
SELECT e.id, e.state, e.referred_on, e.admitted_on, p.id, p.mrn, p.legal_first_name,
       p.legal_last_name, p.preferred_name, g.name, e.program_id
FROM patients_episode e
JOIN patients_patient p ON p.id = e.patient_id
JOIN clinic_program g ON g.id = e.program_id
WHERE e.patient_id IN ({scope}) AND e.state IN ({states}) {search}
ORDER BY g.name, e.state, p.legal_last_name, e.id
LIMIT 50
"""
CASELOAD_COUNT = """
SELECT COUNT(*) FROM patients_episode e JOIN patients_patient p ON p.id = e.patient_id
WHERE e.patient_id IN ({scope}) AND e.state IN ({states}) {search}
"""
CENSUS = """
SELECT e.program_id, e.state, COUNT(*) FROM patients_episode e
WHERE e.patient_id IN ({scope}) GROUP BY e.program_id, e.state
"""
# The chart's reads: the patient, episodes, care team and emergency grants (who may read
# it), the episode's history and level-of-care changes, the last ten who opened it, family
# contacts, the questionnaires (a year of scores for the measures panel's trajectories,
# and the newest ten with their answers) and the open alerts, the instruments and their
# settings, and the staff who may join the care team (the form's choices).
CHART = [
    "SELECT * FROM patients_patient WHERE id = {patient}",
    "SELECT e.*, g.name, g.timezone FROM patients_episode e "
    "JOIN clinic_program g ON g.id = e.program_id "
    "WHERE e.patient_id = {patient} ORDER BY e.created_at DESC",
    "SELECT m.*, u.first_name, u.last_name FROM patients_careteammember m "
    "JOIN accounts_user u ON u.id = m.user_id WHERE m.patient_id = {patient} "
    "ORDER BY m.team_role, m.id",
    "SELECT user_id FROM consent_breakglassgrant WHERE patient_id = {patient} "
    "AND expires_at > now()",
    "SELECT v.* FROM patients_episodeevent v JOIN patients_episode e ON e.id = v.episode_id "
    "WHERE e.patient_id = {patient} ORDER BY v.occurred_at, v.id",
    "SELECT c.* FROM patients_levelofcarechange c JOIN patients_episode e "
    "ON e.id = c.episode_id WHERE e.patient_id = {patient} ORDER BY c.effective_date, c.id",
    "SELECT occurred_at, username, role FROM privacy_auditevent WHERE patient_id = {patient} "
    "AND action = 'view' AND outcome = 'allowed' AND username <> '' ORDER BY seq DESC LIMIT 10",
    "SELECT * FROM patients_familycontact WHERE patient_id = {patient} ORDER BY name, id",
    "SELECT id, instrument_key, instrument_version, status, occurrence, due_on, source, total, "
    "band, suggested_band, completed_at, created_at, episode_id, recorded_by_id, "
    "requested_by_id FROM measures_administration WHERE patient_id = {patient} "
    "ORDER BY completed_at DESC, due_on DESC, id DESC",
    "SELECT a.*, u.first_name, u.last_name FROM measures_administration a "
    "LEFT JOIN accounts_user u ON u.id = a.recorded_by_id WHERE a.patient_id = {patient} "
    "AND a.status IN ('completed', 'incomplete') "
    "ORDER BY a.completed_at DESC, a.due_on DESC, a.id DESC LIMIT 10",
    "SELECT instrument_key, reason FROM measures_instrumentsetting WHERE NOT enabled",
    "SELECT key, version, name, abbreviation, definition FROM measures_instrumentdefinition "
    "ORDER BY key, loaded_at DESC",
    "SELECT l.*, a.instrument_key, a.total, a.completed_at FROM measures_alert l "
    "JOIN measures_administration a ON a.id = l.administration_id "
    "WHERE l.patient_id = {patient} AND l.status = 'open' ORDER BY l.created_at DESC",
    "SELECT DISTINCT u.id, u.first_name, u.last_name FROM accounts_user u "
    "JOIN clinic_programstaff s ON s.user_id = u.id JOIN patients_episode e "
    "ON e.program_id = s.program_id WHERE e.patient_id = {patient} AND u.is_active "
    "AND u.kind = 'staff'",
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


# The compliance page: the program's episodes in treatment during the week (admitted by
# its Sunday and attending, or discharged during it), by name, 50, and their count.
COMPLIANCE_WHERE = """
WHERE e.program_id = {program}
  AND ((e.state IN ({attending}) AND (e.admitted_on IS NULL OR e.admitted_on <= '{sunday}'))
       OR (e.state = 'discharged' AND e.admitted_on <= '{sunday}'
           AND e.discharged_on >= '{monday}'))
"""
COMPLIANCE = (
    """
SELECT e.id, e.state, e.admitted_on, e.discharged_on, p.id, p.legal_last_name,
       p.legal_first_name, p.preferred_name
FROM patients_episode e JOIN patients_patient p ON p.id = e.patient_id
"""
    + COMPLIANCE_WHERE
    + "ORDER BY p.legal_last_name, p.legal_first_name, e.id LIMIT 50"
)
COMPLIANCE_COUNT = "SELECT COUNT(*) FROM patients_episode e" + COMPLIANCE_WHERE  # noqa: S608
# A week's hours of the patients shown ({shown}; their episodes {shown_episodes}), as the
# caseload's badges and the compliance page read them: the week's attendance, group
# enrolments and appointments, the episodes' transitions (admitted or discharged that
# week), the payers' and the programs' hours rules, the holidays and the group series
# (the days the program is open).
WEEK_HOURS = [
    "SELECT a.patient_id, a.occurrence_id, a.appointment_id, s.kind, a.status, "
    "a.minutes_attended, a.session_starts_at, a.session_ends_at FROM care_attendance a "
    "LEFT JOIN schedule_appointment s ON s.id = a.appointment_id "
    "WHERE a.patient_id IN ({shown}) AND a.session_starts_at >= '{week_start}' "
    "AND a.session_starts_at < '{week_end}' ORDER BY a.session_starts_at, a.id",
    "SELECT n.patient_id, n.occurrence_id, o.starts_at, o.ends_at FROM schedule_enrollment n "
    "JOIN schedule_sessionoccurrence o ON o.id = n.occurrence_id "
    "WHERE n.patient_id IN ({shown}) AND o.status = 'scheduled' "
    "AND o.starts_at >= '{week_start}' AND o.starts_at < '{week_end}' ORDER BY o.starts_at, n.id",
    "SELECT patient_id, id, kind, starts_at, ends_at FROM schedule_appointment "
    "WHERE patient_id IN ({shown}) AND status = 'scheduled' AND starts_at >= '{week_start}' "
    "AND starts_at < '{week_end}' ORDER BY starts_at, id",
    "SELECT episode_id, week FROM care_episodetransitionweek "
    "WHERE episode_id IN ({shown_episodes}) AND week = '{iso_week}'",
    "SELECT episode_id, to_state, effective_date FROM patients_episodeevent "
    "WHERE episode_id IN ({shown_episodes}) ORDER BY episode_id, effective_date, occurred_at, id",
    "SELECT c.patient_id, c.priority, c.effective_from, c.effective_to, y.kind, y.hours_rule, "
    "y.min_weekly_minutes, y.min_daily_minutes, y.min_days, y.day_counts_from_minutes "
    "FROM billing_coverage c JOIN billing_payer y ON y.id = c.payer_id "
    "WHERE c.patient_id IN ({shown}) ORDER BY c.patient_id, c.priority, c.effective_from DESC",
    "SELECT * FROM billing_programhoursrule WHERE program_id IN ({week_programs})",
    "SELECT program_id, date, name FROM schedule_holiday WHERE program_id IN ({week_programs}) "
    "AND date BETWEEN '{monday}' AND '{sunday}'",
    "SELECT program_id, kind, start_time, duration_minutes, recurrence, starts_on, ends_on, "
    "excluded_dates FROM schedule_groupseries WHERE active AND program_id IN ({week_programs}) "
    "AND kind <> 'alumni_group'",
]
# Beside each caseload row, for the patients shown: the measures summary (each
# instrument's first, previous and latest scores; the questionnaires due) and the open
# alerts; and the filter's programs (the user's).
CASELOAD_BESIDE = [
    """
SELECT * FROM (
  SELECT a.id, a.patient_id, a.episode_id, a.instrument_key, a.instrument_version, a.status,
         a.due_on, a.total, a.band, a.suggested_band, a.completed_at, g.timezone,
         ROW_NUMBER() OVER (PARTITION BY a.patient_id, a.instrument_key, a.status
                            ORDER BY a.completed_at, a.id) AS from_first,
         ROW_NUMBER() OVER (PARTITION BY a.patient_id, a.instrument_key, a.status
                            ORDER BY a.completed_at DESC, a.id DESC) AS from_latest
  FROM measures_administration a
  LEFT JOIN patients_episode e ON e.id = a.episode_id
  LEFT JOIN clinic_program g ON g.id = e.program_id
  WHERE a.patient_id IN ({shown})
    AND ((a.status = 'completed' AND a.total IS NOT NULL) OR a.status = 'due')
) s WHERE status = 'due' OR from_first = 1 OR from_latest <= 2
ORDER BY patient_id, instrument_key, completed_at, id
""",
    "SELECT patient_id, COUNT(*) FROM measures_alert WHERE patient_id IN ({shown}) "
    "AND status = 'open' GROUP BY patient_id",
    "SELECT g.* FROM clinic_program g JOIN clinic_programstaff s ON s.program_id = g.id "
    "WHERE s.user_id = {user} ORDER BY g.name",
]
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
# The administrator reviews the events that name no patient, a director the events of
# their programs (privacy.access.audit), each review's events linked to it
# (privacy.models.AuditEventProgram; the administrators' review is number 0,
# ADMIN_REVIEW): each review's 50 newest from the links' index, merged: the 50 newest
# (the page counts none).
ADMIN_REVIEW = 0
AUDIT_NEWEST = """
SELECT a.*, u.username FROM privacy_auditevent a LEFT JOIN accounts_user u ON u.id = a.user_id
WHERE a.seq IN ({newest_of_each}) ORDER BY a.seq DESC LIMIT 50
"""
AUDIT_REVIEW_NEWEST = (
    "(SELECT event_seq FROM privacy_auditeventprogram WHERE program_id = {review} "
    "ORDER BY event_seq DESC LIMIT 50)"
)
# Filtered (a value few events have: the denied attempts, one user's events), the trail
# is searched by the filter's index and the reviews taken as a set (privacy.selectors).
AUDIT_FILTERED = """
SELECT a.*, u.username FROM privacy_auditevent a LEFT JOIN accounts_user u ON u.id = a.user_id
WHERE {condition} AND a.seq IN (SELECT event_seq FROM privacy_auditeventprogram
  WHERE program_id IN ({reviews})) ORDER BY a.seq DESC LIMIT 50
"""


def _audit_newest(reviews: list[int]) -> str:
    newest = " UNION ".join(AUDIT_REVIEW_NEWEST.format(review=r) for r in reviews)
    return AUDIT_NEWEST.format(newest_of_each=newest)


def _audit_filtered(condition: str, reviews: list[int]) -> list[str]:
    return [AUDIT_FILTERED.format(condition=condition, reviews=_in(reviews))]


AUDIT = [_audit_newest([ADMIN_REVIEW])]


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
# The API's referrals: the programs' newest 50, each with its patient's name and its
# contact attempts counted (the API shows both).
API_REFERRALS = """
SELECT r.*, p.legal_last_name, (SELECT COUNT(*) FROM intake_referralevent v
  WHERE v.referral_id = r.id AND v.kind = 'contact_attempt') AS contact_attempts
FROM intake_referral r
JOIN patients_patient p ON p.id = r.patient_id
JOIN patients_episode e ON e.id = r.episode_id
WHERE e.program_id IN ({programs}) ORDER BY r.received_on DESC, r.id LIMIT 50
"""


# What every signed-in request sends besides its page's reads, by hand: its session, its
# user, their second factor and their roles; and each audit event it appends (the chain
# head locked, the next id, the event, the patients it names), rolled back here so the
# trail is left as it was (the head's move, in the event's round trip, is left out).
SIGNED_IN = [
    "SELECT session_data FROM django_session WHERE session_key = '{session}' "
    "AND expire_date > now()",
    "SELECT * FROM accounts_user WHERE id = {user}",
    "SELECT * FROM otp_totp_totpdevice WHERE id = {device}",
    "SELECT role, program_id FROM accounts_roleassignment WHERE user_id = {user}",
]
# A staff page's urgent safety banner (stepwell.measures.banner): whether any immediate
# alert is open, asked on every page the app serves to staff (not by the API).
BANNER = (
    "SELECT id FROM measures_alert WHERE immediate AND status = 'open' "
    "ORDER BY created_at DESC LIMIT 1"
)
APPEND_HEAD = (
    "SELECT id, last_seq, last_hash FROM privacy_auditchainhead WHERE id = 1 FOR UPDATE; "
    "SELECT MAX(id) FROM privacy_auditevent"
)
APPEND_EVENT = """
INSERT INTO privacy_auditevent (id, version, key_id, seq, occurred_at, user_id, username,
  role, patient_id, action, object_type, object_id, outcome, client_address, detail,
  prev_hash, hash)
SELECT (SELECT MAX(id) + 1 FROM privacy_auditevent), 2, 'bench', h.last_seq + 1, now(),
  {user}, 'bench', 'bench', {patient}, 'list', 'bench', '', 'allowed', '127.0.0.1',
  '{detail}', h.last_hash, repeat('0', 64)
FROM privacy_auditchainhead h WHERE h.id = 1
"""
# The reviews the event belongs to (privacy.audit._links_statement): its patient's
# programs, the named patients' when about no one patient (from the rows just written),
# else its user's as staff and the administrators' review.
APPEND_LINKS_OF_PATIENT = """
INSERT INTO privacy_auditeventprogram (event_seq, program_id)
SELECT DISTINCT h.last_seq + 1, e.program_id FROM privacy_auditchainhead h, patients_episode e
WHERE h.id = 1 AND e.patient_id = {patient}
"""
APPEND_LINKS_OF_NAMED = """
INSERT INTO privacy_auditeventprogram (event_seq, program_id)
SELECT DISTINCT h.last_seq + 1, e.program_id FROM privacy_auditchainhead h
JOIN privacy_auditeventpatient n ON n.event_seq = h.last_seq + 1
JOIN patients_episode e ON e.patient_id = n.patient_id WHERE h.id = 1
"""
APPEND_LINKS_OF_STAFF = """
INSERT INTO privacy_auditeventprogram (event_seq, program_id)
SELECT h.last_seq + 1, s.program_id FROM privacy_auditchainhead h, clinic_programstaff s
WHERE h.id = 1 AND s.user_id = {user}
UNION ALL SELECT h.last_seq + 1, {admin_review} FROM privacy_auditchainhead h WHERE h.id = 1
"""
APPEND_NAMED = """
INSERT INTO privacy_auditeventpatient (event_seq, patient_id)
SELECT h.last_seq + 1, p FROM privacy_auditchainhead h, unnest(ARRAY[{named}]::bigint[]) p
WHERE h.id = 1
"""


@dataclass(frozen=True)
class Case:
    label: str
    url: str
    who: str  # director, clinician or admin
    sql: list[str]


def _medians_ms(runs: list[Callable[[], None]]) -> list[float]:
    """The median time of each run, taken in turns (one of each, REPEAT times), so a busy
    moment of the machine slows all sides of a ratio alike instead of one of them."""
    for run in runs:
        run()  # warm the caches (sessions, content types, templates)
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(REPEAT):
        for run, taken in zip(runs, times, strict=True):
            started = time.perf_counter()
            run()
            taken.append((time.perf_counter() - started) * 1000)
    return [statistics.median(taken) for taken in times]


def _beside(rows_sql: str, lists: list[str], f: dict, programs: str | None = None) -> list[str]:
    """What a page reads beside its rows, as a hand-written page would ask for it: the rows'
    query is run once here for the ids it passes on (patient ids in its fifth column,
    episode ids in its first; the programs of the rows in its eleventh, unless given)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(rows_sql)
        rows = cursor.fetchall()
    shown = {
        "shown": _in(sorted({row[4] for row in rows})),
        "shown_episodes": _in(sorted({row[0] for row in rows})),
        "week_programs": programs or _in(sorted({row[10] for row in rows})),
    }
    return [sql.format(**f, **shown) for sql in lists]


SCOPE_PROGRAMS = "SELECT patient_id FROM patients_episode WHERE program_id IN ({programs})"
SCOPE_TEAM = "SELECT patient_id FROM patients_careteammember WHERE user_id = {user}"


def _scope(user) -> str:
    """The patients of the user's caseload, as SQL (see CASELOAD)."""
    from stepwell.privacy.access.predicates import CLINICAL_ROLES, PROGRAM_WIDE_ROLES

    ways = [SCOPE_PROGRAMS.format(programs=_in(user.program_ids_with(*PROGRAM_WIDE_ROLES)))]
    if user.program_ids_with(*CLINICAL_ROLES):
        ways.append(SCOPE_TEAM.format(user=user.pk))
    return " UNION ".join(ways)


def _cases(users: dict, programs: list[int], patient: int, week, search: str, days) -> list[Case]:
    """The pages measured and their raw SQL; `users` the director and the clinician,
    `week` the first program's current care.hours.weekly.ProgramWeek (the hours read are
    of that week)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(week.program.timezone)
    start = datetime.combine(week.monday, datetime.min.time(), zone).astimezone(UTC)
    f = {
        "programs": _in(programs),
        "states": _states(OPEN_STATES),
        "attending": _states(ATTENDING),
        "patient": patient,
        "program": programs[0],
        "monday": week.monday.isoformat(),
        "sunday": (week.monday + timedelta(days=6)).isoformat(),
        "week_start": start.isoformat(),
        "week_end": (start + timedelta(days=7)).isoformat(),
        "iso_week": week.week,
    }
    like = " OR ".join(
        f"p.{name} ILIKE '%%{search}%%'"
        for name in ("legal_last_name", "legal_first_name", "preferred_name")
    )
    like = f"AND ({like} OR UPPER(p.mrn) = UPPER('{search}'))"

    def caseload(who: str, matching: str = "") -> list[str]:
        mine = {**f, "scope": _scope(users[who]), "user": users[who].pk, "search": matching}
        rows = CASELOAD.format(**mine)
        beside = _beside(rows, CASELOAD_BESIDE + WEEK_HOURS, mine)
        return [rows, CASELOAD_COUNT.format(**mine), CENSUS.format(**mine), *beside]

    by_user = f"UPPER(a.username) LIKE UPPER('%%{users['clinician'].username}%%')"
    worklist = PLAN_WORKLIST.format(**f, **_by_program(days))
    compliance = COMPLIANCE.format(**f)
    compliance_hours = _beside(compliance, WEEK_HOURS, f, programs=str(programs[0]))
    return [
        Case("caseload", "/caseload/", "director", caseload("director")),
        Case(
            "caseload, searched", f"/caseload/?q={search}", "director", caseload("director", like)
        ),
        Case("caseload, a clinician's", "/caseload/", "clinician", caseload("clinician")),
        Case("chart", f"/patients/{patient}/", "clinician", [q.format(**f) for q in CHART]),
        Case("plan worklist", "/plans/worklist/", "director", [worklist]),
        Case(
            "compliance (weekly hours)",
            f"/care/programs/{programs[0]}/compliance/",
            "director",
            [compliance, COMPLIANCE_COUNT.format(**f), *compliance_hours],
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
            [_audit_newest(programs)],
        ),
        Case(
            "audit trail, denied attempts",
            "/privacy/audit/?outcome=denied",
            "admin",
            _audit_filtered("a.outcome = 'denied'", [ADMIN_REVIEW]),
        ),
        Case(
            "audit trail, a director's denied attempts",
            "/privacy/audit/?outcome=denied",
            "director",
            _audit_filtered("a.outcome = 'denied'", programs),
        ),
        Case(
            "audit trail, a director's for one user",
            f"/privacy/audit/?username={users['clinician'].username}",
            "director",
            _audit_filtered(by_user, programs),
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


def _check_caseloads(users: dict, cases: list[Case]) -> None:
    """Stop unless each caseload's raw SQL lists the page's 50 episodes in its order (its
    search as the page's)."""
    from django.db import connection

    from stepwell.patients.selectors import caseload_page

    for case in cases:
        if not case.label.startswith("caseload"):
            continue
        query = case.url.partition("?q=")[2]
        page = caseload_page(user=users[case.who], query=query)
        with connection.cursor() as cursor:
            cursor.execute(case.sql[0])
            raw = [row[0] for row in cursor.fetchall()]
        if raw != [episode.pk for episode, _ in page.rows]:
            raise SystemExit(f"the {case.label}'s raw SQL does not list the page's episodes")


def _own_sql(client, run_page) -> list[list[str]]:
    """The request's own SQL (SIGNED_IN, then the audit appends) for the page `run_page`
    serves through `client`: its events and the patients they name are read from the
    trail after serving it once. Each inner list is one transaction."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    from stepwell.privacy.models import AuditEvent, AuditEventPatient

    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    with CaptureQueriesContext(connection) as sent:
        run_page()
    banner = any('"measures_alert"."immediate"' in query["sql"] for query in sent)
    session = client.session
    f = {
        "session": session.session_key,
        "user": int(session["_auth_user_id"]),
        "device": int(session[DEVICE_ID_SESSION_KEY].rpartition("/")[2]),
    }
    own = [[sql.format(**f) for sql in SIGNED_IN] + ([BANNER] if banner else [])]
    for event in AuditEvent.objects.filter(seq__gt=last).order_by("seq"):
        named = list(
            AuditEventPatient.objects.filter(event_seq=event.seq).values_list(
                "patient_id", flat=True
            )
        )
        detail = json.dumps(event.detail).replace("'", "''")
        patient = event.patient_id or "NULL"
        append = [APPEND_HEAD, APPEND_EVENT.format(**f, patient=patient, detail=detail)]
        if named:
            append.append(APPEND_NAMED.format(named=_in(named)))
        if event.patient_id:
            append.append(APPEND_LINKS_OF_PATIENT.format(patient=event.patient_id))
        elif named:
            append.append(APPEND_LINKS_OF_NAMED)
        else:
            append.append(APPEND_LINKS_OF_STAFF.format(**f, admin_review=ADMIN_REVIEW))
        own.append(append)
    return own


def _run_own(own: list[list[str]]) -> None:
    """The request's own SQL: its reads, then each append in a transaction rolled back."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        for sql in own[0]:
            cursor.execute(sql)
            cursor.fetchall()
    for append in own[1:]:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in append:
                cursor.execute(sql)
            transaction.set_rollback(True)


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

    import stepwell.wsgi  # noqa: F401 - set up as an app server: views loaded, then frozen

    if connection.vendor != "postgresql":
        raise SystemExit("bench.pages measures on PostgreSQL: its hand-written SQL is")
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
    week = ProgramWeek.of(program, current_week(program, timezone.now()))
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clients = {
        "director": verified_login(Client(), director),
        "clinician": verified_login(Client(), member.user),
        "admin": verified_login(Client(), User.objects.get(username="admin")),
    }

    days = ProgramDays.of(Episode.objects.filter(program_id__in=programs))
    users = {"director": director, "clinician": member.user}
    cases = _cases(users, programs, member.patient_id, week, "Adams", days)
    _check_caseloads(users, cases)
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

        own = _own_sql(clients[case.who], page)
        server, sql, signed_in = _medians_ms([page, raw, lambda own=own: _run_own(own)])
        rows.append((case, server, sql, signed_in))
        print(f"  {case.label}: {server:.0f} ms", file=sys.stderr, flush=True)

    episodes = Episode.objects.filter(program_id__in=programs).count()
    print(
        f"{Episode.objects.count()} episodes in all; director {director.username}: "
        f"{len(programs)} programs, {episodes} episodes; clinician {member.user.username}; "
        f"{connection.vendor}; median of {REPEAT}\n"
    )
    print("| page | as | server ms | raw SQL ms | ratio | with the request's own SQL ms | ratio |")
    print("|---|---|---|---|---|---|---|")
    for case, server, sql, own in rows:
        print(
            f"| {case.label} `{case.url}` | {case.who} | {server:.0f} | {sql:.1f} "
            f"| {server / sql:.1f}x | {sql + own:.1f} | {server / (sql + own):.1f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
