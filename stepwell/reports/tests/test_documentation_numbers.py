"""The documentation report against numbers worked out by hand.

The hand-built clinic (conftest.py) gets, in its own fixture here, group meetings with
notes, individual and medication notes, treatment plans with reviews and physician
certifications. Each record says below which cell it lands in and why. The expected
tables are written out by hand; a plain-Python count over the records is a second
check; then the selector, the API and the CSV must all carry those numbers.

The period is June 2026 in program A's zone (America/Chicago, UTC-5 in summer): from
1 June 05:00 UTC to 1 July 05:00 UTC. "Now" is Friday 3 July 2026, 17:00 UTC (12:00 in
Chicago), so notes of late June can be signed after the period ends. With the 24 h and
72 h limits: overdue means a session that ended before 2 July 17:00 UTC, very late one
that ended before 30 June 17:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stepwell.accounts.models import Role
from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import Attendance, ClinicalNote, GroupNote, NoteKind
from stepwell.patients.models import Episode
from stepwell.plans.models import (
    CertificationKind,
    PhysicianCertification,
    PlanReview,
    PlanStatus,
    TreatmentPlan,
)
from stepwell.reports.selectors import report_run
from stepwell.reports.tables import csv_rows
from stepwell.schedule.models import SessionOccurrence
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory

from .conftest import JUNE, episode
from .test_independent import csv_by_title

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 3, 17, 0, tzinfo=UTC)  # 12:00 on 3 July in Chicago
CHICAGO = ZoneInfo("America/Chicago")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def utc(month: int, day: int, hour: int = 18, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class DocClinic:
    clinic: object
    ada: object  # group facilitator
    ben: object  # individual sessions
    cy: object  # prescriber
    episodes: dict


def _occurrence(program, ends_at: datetime):
    return SessionOccurrence.objects.create(
        program=program,
        kind="process_group",
        title=f"Group {ends_at:%d %b %H:%M}",
        starts_at=ends_at - 3 * H,
        ends_at=ends_at,
        capacity=12,
    )


def _group_note(program, author, ends_at: datetime, signed_at: datetime | None):
    """A meeting and its shared note, created already signed (signed rows are locked)."""
    return GroupNote.objects.create(
        occurrence=_occurrence(program, ends_at),
        author=author,
        started_at=ends_at - 3 * H,
        ended_at=ends_at,
        signed_at=signed_at,
    )


def _note(kind, patient, author, ends_at: datetime, signed_at: datetime | None):
    return ClinicalNote.objects.create(
        kind=kind,
        patient=patient,
        author=author,
        started_at=ends_at - H,
        ended_at=ends_at,
        signed_at=signed_at,
    )


def _attended(occurrence, patient, status="present"):
    Attendance.objects.create(
        occurrence=occurrence,
        patient=patient,
        status=status,
        minutes_attended=180 if status == "present" else 0,
        session_starts_at=occurrence.starts_at,
        session_ends_at=occurrence.ends_at,
    )


def _plan(ep, author, *, version, signed_at, review_days, previous=None):
    return TreatmentPlan.objects.create(
        patient=ep.patient,
        episode=ep,
        version=version,
        status=PlanStatus.SIGNED,
        previous=previous,
        review_days=review_days,
        created_by=author,
        signed_at=signed_at,
    )


def _cert(ep, plan, physician, kind, on: date, due: date):
    PhysicianCertification.objects.create(
        episode=ep, plan=plan, physician=physician, kind=kind, certified_on=on, recertify_by=due
    )


@pytest.fixture
def doc_clinic(hand_clinic, settings) -> DocClinic:
    settings.STEPWELL_REPORT_MIN_CELL = 0
    settings.STEPWELL_NOTE_LATE_HOURS = 24
    settings.STEPWELL_NOTE_DIRECTOR_HOURS = 72
    a, b = hand_clinic.program_a, hand_clinic.program_b
    ada = UserFactory(roles=[Role.CLINICIAN], programs=[a, b], first_name="Ada", last_name="Archer")
    ben = UserFactory(roles=[Role.CLINICIAN], programs=[a, b], first_name="Ben", last_name="Baker")
    cy = UserFactory(roles=[Role.PRESCRIBER], programs=[a], first_name="Cy", last_name="Cole")
    e = dict(hand_clinic.episodes)
    # E7: in treatment in A since 1 May; B2: in treatment in B since 1 May.
    e["E7"] = episode(a, referred=date(2026, 4, 20), admitted=date(2026, 5, 1))
    e["B2"] = episode(b, referred=date(2026, 4, 20), admitted=date(2026, 5, 1))
    p3, p7, pb = e["E3"].patient, e["E7"].patient, e["B1"].patient

    # ---- group notes (Ada); meetings end at 18:00 UTC (13:00 in Chicago) ----------------
    _group_note(a, ada, utc(6, 1), utc(6, 1) + 2 * H)  # G1 within 24 h (2 h)
    _group_note(a, ada, utc(6, 3), utc(6, 3) + 24 * H)  # G2 within 24 h: exactly 24 h (<=)
    _group_note(a, ada, utc(6, 5), utc(6, 5) + 24 * H + MIN)  # G3 24-72 h: 24 h 1 min
    _group_note(a, ada, utc(6, 8), utc(6, 8) + 72 * H)  # G4 24-72 h: exactly 72 h (<=)
    _group_note(a, ada, utc(6, 10), utc(6, 10) + 72 * H + MIN)  # G5 after 72 h: 72 h 1 min
    _group_note(a, ada, utc(6, 12), utc(6, 12) + 23 * H + 59 * MIN)  # G6 within 24 h: 23:59
    _group_note(a, ada, utc(6, 29), utc(7, 2, 10))  # G7 24-72 h (64 h), signed after June
    _group_note(a, ada, utc(6, 22), None)  # G8 unsigned; overdue, very late (Ada)
    _group_note(a, ada, utc(6, 30), None)  # G9 unsigned; overdue, not very late (Ada)
    _group_note(a, ada, utc(7, 1), None)  # out of the period: nowhere
    _group_note(a, ada, utc(5, 29), utc(5, 29) + 2 * H)  # out of the period: nowhere
    _group_note(b, ada, utc(6, 3), utc(6, 3) + 2 * H)  # program B: nowhere
    _group_note(b, ada, utc(6, 4), None)  # program B unsigned: not overdue in A's report
    # An unsigned group section (a member's part of G1) is not an individual note.
    ClinicalNote.objects.create(
        kind=NoteKind.GROUP,
        patient=p3,
        author=ben,
        group_note=GroupNote.objects.get(ended_at=utc(6, 1)),
    )

    # ---- group meetings with no note ---------------------------------------------------
    _attended(_occurrence(a, utc(6, 15)), p3)  # attended, no note: the one counted
    _attended(_occurrence(a, utc(6, 17)), p3, "absent_unexcused")  # nobody came: not counted
    _occurrence(a, utc(6, 19))  # no attendance recorded: not counted
    _attended(_occurrence(a, utc(5, 29, 12)), p3)  # before the period: not counted
    _attended(_occurrence(b, utc(6, 15)), pb)  # program B: not counted

    # ---- individual notes (Ben, E3's patient, no appointment: the patient's program) ----
    _note("individual", p3, ben, utc(6, 2, 20), utc(6, 2, 20) + 23 * H + 59 * MIN)  # I1 24 h
    _note("individual", p3, ben, utc(6, 9, 20), utc(6, 9, 20) + 71 * H)  # I3 24-72 h (71 h)
    _note("individual", p3, ben, utc(6, 11, 20), utc(6, 11, 20) + 73 * H)  # I4 after 72 h
    _note("individual", p3, ben, utc(6, 25, 20), None)  # I5 unsigned; overdue, very late
    # I8 ends 1 July 04:30 UTC = 30 June 23:30 in Chicago: in June; signed 1.5 h later.
    _note("individual", p3, ben, utc(7, 1, 4, 30), utc(7, 1, 6))
    # Ends 1 June 04:30 UTC = 31 May 23:30 in Chicago: out of the period.
    _note("individual", p3, ben, utc(6, 1, 4, 30), utc(6, 1, 5, 30))
    _note("individual", p3, ben, utc(7, 2, 20), None)  # July: nowhere
    _note("individual", pb, ben, utc(6, 5, 20), None)  # program B's patient: nowhere

    # ---- medication notes (Cy, E7's patient) --------------------------------------------
    _note("medication", p7, cy, utc(6, 16), utc(6, 16) + 2 * H)  # M1 within 24 h
    _note("medication", p7, cy, utc(6, 18), utc(6, 18) + 48 * H)  # M2 24-72 h
    _note("medication", p7, cy, utc(6, 29, 17), None)  # M3 unsigned; overdue, very late
    # M5 ends exactly 72 h before now: overdue but not "after 72 h" (strictly before).
    _note("medication", p7, cy, utc(6, 30, 17), None)

    # ---- treatment plans and reviews ----------------------------------------------------
    doc = UserFactory(roles=[Role.PRESCRIBER], programs=[a, b])
    # E3 (in treatment): signed 15 June, reviews every 14 days; reviewed 29 June, exactly
    # 14 days on: on time (<=). Next due 13 July: not overdue now.
    p_e3 = _plan(e["E3"], ben, version=1, signed_at=utc(6, 15, 15), review_days=14)
    _review_row(p_e3, ben, date(2026, 6, 29))
    # E2 (discharged): every 7 days from 5 June; 13 June is 8 days on: late; 20 June is
    # 7 days after the review before: on time.
    p_e2 = _plan(e["E2"], ben, version=1, signed_at=utc(6, 5, 15), review_days=7)
    _review_row(p_e2, ben, date(2026, 6, 13))
    _review_row(p_e2, ben, date(2026, 6, 20))
    # E6 (discharged): signed 2 June 03:00 UTC = 1 June 22:00 in Chicago, every 10 days;
    # reviewed 12 June: 11 days from the Chicago date: late (10 days if read in UTC).
    p_e6 = _plan(e["E6"], ben, version=1, signed_at=utc(6, 2, 3), review_days=10)
    _review_row(p_e6, ben, date(2026, 6, 12))
    # E7 (in treatment): v1 signed 1 May, reviewed 31 May (before the period: not
    # recorded); v2 replaces it, signed 1 June 03:00 UTC = 31 May in Chicago, every 32
    # days: due 2 July, passed by 3 July: overdue now (due 3 July if read in UTC). v1 is no
    # longer in force, so it is not overdue.
    p_e7a = _plan(e["E7"], ben, version=1, signed_at=utc(5, 1, 15), review_days=30)
    _review_row(p_e7a, ben, date(2026, 5, 31))
    p_e7b = _plan(e["E7"], ben, version=2, signed_at=utc(6, 1, 3), review_days=32, previous=p_e7a)
    # Program B: reviewed late in June and overdue now, never in A's numbers.
    p_b1 = _plan(e["B1"], ben, version=1, signed_at=utc(6, 1, 15), review_days=3)
    _review_row(p_b1, ben, date(2026, 6, 10))
    p_b2 = _plan(e["B2"], ben, version=1, signed_at=utc(5, 1, 15), review_days=7)

    # ---- physician certifications -------------------------------------------------------
    cert, recert = CertificationKind.CERTIFICATION, CertificationKind.RECERTIFICATION
    # E3: certified 15 June, due 2 July, no recertification: overdue now.
    _cert(e["E3"], p_e3, doc, cert, date(2026, 6, 15), date(2026, 7, 2))
    # E7: certified 1 May, due 31 May; recertified 2 June: late; due then 1 July;
    # recertified 30 June: on time; due 30 July: not overdue.
    _cert(e["E7"], p_e7a, doc, cert, date(2026, 5, 1), date(2026, 5, 31))
    _cert(e["E7"], p_e7b, doc, recert, date(2026, 6, 2), date(2026, 7, 1))
    _cert(e["E7"], p_e7b, doc, recert, date(2026, 6, 30), date(2026, 7, 30))
    # E2: certified 5 June, due 20 June; recertified 20 June, on the day: on time.
    _cert(e["E2"], p_e2, doc, cert, date(2026, 6, 5), date(2026, 6, 20))
    _cert(e["E2"], p_e2, doc, recert, date(2026, 6, 20), date(2026, 7, 5))
    # E6: a recertification with no certification before it: on time (nothing was due).
    _cert(e["E6"], p_e6, doc, recert, date(2026, 6, 10), date(2026, 7, 10))
    # E1: recertified 30 May, before the period: not recorded (E1 is discharged).
    p_e1 = _plan(e["E1"], ben, version=1, signed_at=utc(5, 20, 15), review_days=30)
    _cert(e["E1"], p_e1, doc, recert, date(2026, 5, 30), date(2026, 6, 29))
    # Program B: late in June and overdue now, never in A's numbers.
    _cert(e["B2"], p_b2, doc, cert, date(2026, 5, 1), date(2026, 5, 10))
    _cert(e["B2"], p_b2, doc, recert, date(2026, 6, 3), date(2026, 6, 20))
    return DocClinic(clinic=hand_clinic, ada=ada, ben=ben, cy=cy, episodes=e)


def _review_row(plan, reviewer, on: date):
    PlanReview.objects.create(
        plan=plan, reviewed_on=on, outcome="continue", note="Reviewed.", reviewer=reviewer
    )


# ---- the numbers, by hand ---------------------------------------------------------------
# Notes: (sessions, within 24 h, 24-72 h, after 72 h, not yet signed, share within 24 h)
GROUP = (9, 3, 3, 1, 2)  # G1 G2 G6 | G3 G4 G7 | G5 | G8 G9
INDIVIDUAL = (5, 2, 1, 1, 1)  # I1 I8 | I3 | I4 | I5
MEDICATION = (4, 1, 1, 0, 2)  # M1 | M2 | - | M3 M5
ALL = (18, 6, 5, 2, 5)
NO_NOTE = 1  # the 15 June meeting
EXPECTED_NOTES = {
    "Group notes": ("Group notes", *GROUP, 33.3),  # 3 / 9
    "Individual notes": ("Individual notes", *INDIVIDUAL, 40.0),  # 2 / 5
    "Medication notes": ("Medication notes", *MEDICATION, 25.0),  # 1 / 4
    "All notes": ("All notes", *ALL, 33.3),  # 6 / 18
    "Group meetings with no note yet": (
        "Group meetings with no note yet",
        NO_NOTE,
        None,
        None,
        None,
        NO_NOTE,
        None,
    ),
}
# Overdue by author: (overdue, of them after 72 h, oldest in days since the session)
EXPECTED_OVERDUE = (
    # G8 (22 Jun 18:00) and G9 (30 Jun 18:00); oldest G8: 10 d 23 h = 10.96 days.
    ("Ada Archer", 2, 1, 11.0),
    # I5 (25 Jun 20:00): 7 d 21 h = 7.875 days.
    ("Ben Baker", 1, 1, 7.9),
    # M3 (29 Jun 17:00, 4 days exactly) and M5 (exactly 72 h: not very late).
    ("Cy Cole", 2, 1, 4.0),
)
# (what, recorded in June, on time, late, share on time, overdue now)
EXPECTED_PLANS = (
    # E3 29 Jun on time; E2 13 Jun late, 20 Jun on time; E6 12 Jun late. Overdue: E7 v2.
    ("Treatment plan reviews", 4, 2, 2, 50.0, 1),
    # E7 2 Jun late, 30 Jun on time; E2 20 Jun on time; E6 10 Jun on time. Overdue: E3.
    ("Physician recertifications", 4, 3, 1, 75.0, 1),
)
# Patients with notes or reviews in June: E3 (notes, review), E7 (notes), E2, E6 (reviews).
EXPECTED_PATIENTS = 4


def run(doc_clinic):
    return report_run(
        user=doc_clinic.clinic.director_a, name="documentation", now=NOW, **JUNE
    ).report


def test_the_report_equals_the_hand_worked_numbers(doc_clinic):
    report = run(doc_clinic)
    assert {row[0]: row for row in report.table("notes").rows} == EXPECTED_NOTES
    assert report.table("overdue").rows == EXPECTED_OVERDUE
    assert report.table("plans").rows == EXPECTED_PLANS
    assert report.patient_count == EXPECTED_PATIENTS


# ---- a second count, in plain Python over the records -----------------------------------
def _in_june(moment: datetime) -> bool:
    return JUNE["date_from"] <= moment.astimezone(CHICAGO).date() <= JUNE["date_to"]


def _bucket(note) -> str:
    if note.signed_at is None:
        return "unsigned"
    waited = note.signed_at - note.ended_at
    if waited <= timedelta(hours=24):
        return "first"
    return "second" if waited <= timedelta(hours=72) else "later"


def _count(notes) -> tuple:
    buckets = [_bucket(n) for n in notes]
    return (len(notes), *(buckets.count(k) for k in ("first", "second", "later", "unsigned")))


def _python_counts(doc_clinic):
    a = doc_clinic.clinic.program_a.pk
    in_a = {ep.patient_id for ep in Episode.objects.filter(program_id=a)}
    group = [
        n
        for n in GroupNote.objects.select_related("occurrence")
        if n.occurrence.program_id == a and _in_june(n.ended_at)
    ]
    clinical = [
        n
        for n in ClinicalNote.objects.all()
        if n.kind in ("individual", "medication") and n.patient_id in in_a and _in_june(n.ended_at)
    ]
    individual = [n for n in clinical if n.kind == "individual"]
    medication = [n for n in clinical if n.kind == "medication"]
    attended = {x.occurrence_id for x in Attendance.objects.all() if x.status in ATTENDED}
    no_note = [
        o
        for o in SessionOccurrence.objects.all()
        if o.program_id == a
        and _in_june(o.ends_at)
        and o.ends_at <= NOW
        and o.pk in attended
        and not GroupNote.objects.filter(occurrence=o).exists()
    ]
    overdue: dict[int, list] = {}
    for note in [*group, *clinical]:
        if note.signed_at is None and note.ended_at < NOW - timedelta(hours=24):
            row = overdue.setdefault(note.author_id, [0, 0, note.ended_at])
            row[0] += 1
            row[1] += note.ended_at < NOW - timedelta(hours=72)
            row[2] = min(row[2], note.ended_at)
    return _count(group), _count(individual), _count(medication), len(no_note), overdue


def test_a_plain_python_count_agrees(doc_clinic):
    group, individual, medication, no_note, overdue = _python_counts(doc_clinic)
    assert (group, individual, medication, no_note) == (GROUP, INDIVIDUAL, MEDICATION, NO_NOTE)
    names = {u.pk: u.get_full_name() for u in (doc_clinic.ada, doc_clinic.ben, doc_clinic.cy)}
    assert (
        tuple(
            (names[pk], n, past, round((NOW - oldest).total_seconds() / 86400, 1))
            for pk, (n, past, oldest) in sorted(overdue.items(), key=lambda kv: names[kv[0]])
        )
        == EXPECTED_OVERDUE
    )
    a = doc_clinic.clinic.program_a.pk
    reviews = [
        r
        for r in PlanReview.objects.select_related("plan__episode")
        if r.plan.episode.program_id == a and JUNE["date_from"] <= r.reviewed_on <= JUNE["date_to"]
    ]
    on_time = 0
    for r in reviews:
        before = [x.reviewed_on for x in r.plan.reviews.all() if x.reviewed_on < r.reviewed_on]
        start = max(before) if before else r.plan.signed_at.astimezone(CHICAGO).date()
        on_time += (r.reviewed_on - start).days <= r.plan.review_days
    assert (len(reviews), on_time) == EXPECTED_PLANS[0][1:3]
    recerts = [
        c
        for c in PhysicianCertification.objects.select_related("episode")
        if c.episode.program_id == a
        and c.kind == "recertification"
        and JUNE["date_from"] <= c.certified_on <= JUNE["date_to"]
    ]
    on_time = 0
    for c in recerts:
        before = sorted(
            (x.certified_on, x.pk, x.recertify_by)
            for x in PhysicianCertification.objects.filter(episode=c.episode)
            if x.certified_on < c.certified_on
        )
        on_time += not before or c.certified_on <= before[-1][2]
    assert (len(recerts), on_time) == EXPECTED_PLANS[1][1:3]
    # Overdue now (today is 3 July in Chicago), among episodes of A in treatment.
    today = NOW.astimezone(CHICAGO).date()
    treating = [
        ep
        for ep in Episode.objects.filter(program_id=a)
        if ep.state in ("admitted", "active", "on_hold")
    ]
    late_plans = 0
    for ep in treating:
        signed = [p for p in ep.treatment_plans.all() if p.status == PlanStatus.SIGNED]
        in_force = [p for p in signed if not any(q.previous_id == p.pk for q in signed)]
        for plan in in_force:
            dates = [r.reviewed_on for r in plan.reviews.all()]
            last = max(dates) if dates else plan.signed_at.astimezone(CHICAGO).date()
            late_plans += last + timedelta(days=plan.review_days) < today
    late_certs = 0
    for ep in treating:
        certs = sorted(ep.certifications.all(), key=lambda c: (c.certified_on, c.pk))
        late_certs += bool(certs) and certs[-1].recertify_by < today
    assert (late_plans, late_certs) == (EXPECTED_PLANS[0][5], EXPECTED_PLANS[1][5])


# ---- the same numbers through the API and the CSV ---------------------------------------
def test_the_api_and_the_csv_carry_the_hand_worked_numbers(doc_clinic, client, monkeypatch):
    monkeypatch.setattr("stepwell.reports.views.timezone.now", lambda: NOW)
    monkeypatch.setattr("stepwell.reports.api.timezone.now", lambda: NOW)
    director = verified_login(client, doc_clinic.clinic.director_a)
    query = "from=2026-06-01&to=2026-06-30"
    response = director.get(f"/api/v1/reports/documentation?{query}")
    assert response.status_code == 200
    api = {table["key"]: table for table in response.json()["tables"]}
    notes = {row[0]: tuple(row) for row in api["notes"]["rows"]}
    assert notes == EXPECTED_NOTES
    assert tuple(tuple(row) for row in api["overdue"]["rows"]) == EXPECTED_OVERDUE
    assert tuple(tuple(row) for row in api["plans"]["rows"]) == EXPECTED_PLANS
    assert response.json()["patient_count"] == EXPECTED_PATIENTS

    download = director.get(f"/reports/documentation/csv/?{query}")
    assert download.status_code == 200
    tables = csv_by_title(download.content.decode())
    report = run(doc_clinic)
    for table in report.tables:
        assert tables[table.title][1:] == csv_rows(table)[1:], table.key
    group_row = next(r for r in tables["Notes signed on time"] if r[0] == "Group notes")
    assert group_row[1:6] == ["9", "3", "3", "1", "2"]
    assert [r[:3] for r in tables["Overdue notes by author (now)"][1:]] == [
        ["Ada Archer", "2", "1"],
        ["Ben Baker", "1", "1"],
        ["Cy Cole", "2", "1"],
    ]


def test_exactly_24_and_72_hours_sit_in_the_earlier_bucket(doc_clinic):
    """The boundaries on their own: one more note signed exactly 24 h after its session
    adds to "within 24 h", one signed exactly 72 h after adds to "24-72 h"."""
    report = run(doc_clinic)
    assert {row[0]: row for row in report.table("notes").rows}["Group notes"][1:6] == GROUP
    a = doc_clinic.clinic.program_a
    _group_note(a, doc_clinic.ada, utc(6, 23), utc(6, 23) + 24 * H)
    _group_note(a, doc_clinic.ada, utc(6, 24), utc(6, 24) + 72 * H)
    after = {row[0]: row for row in run(doc_clinic).table("notes").rows}["Group notes"]
    assert after[1:6] == (11, 4, 4, 1, 2)
