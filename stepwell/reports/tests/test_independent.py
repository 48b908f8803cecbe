"""Every report's numbers against counts computed independently: plain Python over the
records of the hand-built clinic (conftest.py: its June, its meetings, follow-ups added
here), never the report's SQL. The clinical rules themselves (reliable change, response,
remission, recovery) are measures/change.py's, tested there; what is checked here is that
the report picks the right records and counts them right. The weekly-hours report is
checked against the compliance engine in test_hours.py. Then, for every report, the API,
the page and the CSV carry the same cells.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import Attendance
from stepwell.followups.models import FollowUp, FollowUpScore
from stepwell.measures.change import ChangeClassification, change_between
from stepwell.measures.instruments import instrument_registry
from stepwell.measures.models import Administration
from stepwell.patients.models import Disposition, Episode
from stepwell.reports.registry import SPECS
from stepwell.reports.selectors import report_run
from stepwell.reports.tables import csv_rows, page_text
from stepwell.schedule.models import SessionOccurrence
from stepwell.testing.auth import verified_login

from .conftest import JUNE, NOW

pytestmark = pytest.mark.django_db
LATER = datetime(2026, 10, 15, 18, 0, tzinfo=UTC)  # every June discharge has had 90 days
FIRST, LAST = JUNE["date_from"], JUNE["date_to"]
ATTENDED_VALUES = {s.value for s in ATTENDED}


@pytest.fixture
def clinic(june_hours, settings):
    """The June clinic with a return, and follow-ups with scores and answers."""
    settings.STEPWELL_REPORT_MIN_CELL = 0
    e = june_hours.episodes
    Episode.objects.create(
        patient=e["E2"].patient,
        program=june_hours.program_a,
        state="discharged",
        referred_on=date(2026, 7, 10),
        admitted_on=date(2026, 7, 15),
        discharged_on=date(2026, 8, 20),
        discharge_disposition=Disposition.COMPLETED,
    )
    plan = [
        ("E1", 30, "completed", {"phq9": 11, "gad7": 6}, False, 2),
        ("E1", 90, "completed", {"phq9": 3, "gad7": 2}, False, 0),
        ("E2", 30, "completed", {"phq9": 16}, True, 9),
        ("E2", 60, "unreachable", {}, None, None),
        ("E6", 30, "completed", {"phq9": 5, "gad7": 9}, None, 0),
        ("E6", 90, "completed", {"gad7": 3}, False, None),
    ]
    for key, days, status, totals, higher, use in plan:
        ep = e[key]
        follow_up = FollowUp.objects.create(
            episode=ep,
            patient=ep.patient,
            program=ep.program,
            days_after_discharge=days,
            due_on=ep.discharged_on + timedelta(days=days),
            instruments=["phq9", "gad7"],
            status=status,
            method="phone" if status == "completed" else "",
            completed_at=LATER if status == "completed" else None,
            readmitted_higher_level=higher,
            days_of_use_last_30=use,
        )
        for instrument, total in totals.items():
            FollowUpScore.objects.create(
                follow_up=follow_up,
                instrument_key=instrument,
                instrument_version="1",
                answers={},
                total=total,
            )
    return june_hours


def run(clinic, name, now=NOW):
    return report_run(user=clinic.director_a, name=name, now=now, **JUNE).report


def rows_by(report, table, width=1):
    return {row[:width] if width > 1 else row[0]: row for row in report.table(table).rows}


def episodes_of(clinic) -> list[Episode]:
    return [ep for ep in Episode.objects.all() if ep.program_id == clinic.program_a.pk]


def discharged_in_june(clinic) -> list[Episode]:
    return [
        ep
        for ep in episodes_of(clinic)
        if ep.admitted_on and ep.discharged_on and FIRST <= ep.discharged_on <= LAST
    ]


def in_treatment(ep, day: date) -> bool:
    return (
        bool(ep.admitted_on)
        and ep.admitted_on <= day
        and (ep.discharged_on is None or day <= ep.discharged_on)
    )


def test_census(clinic):
    report = run(clinic, "census")
    by_day = rows_by(report, "by_day")
    for n in range((LAST - FIRST).days + 1):
        day = FIRST + timedelta(days=n)
        expected = sum(1 for ep in episodes_of(clinic) if in_treatment(ep, day))
        admitted = sum(1 for ep in episodes_of(clinic) if ep.admitted_on == day)
        assert by_day[day.isoformat()][2:] == (
            expected,
            admitted,
            sum(1 for ep in episodes_of(clinic) if ep.discharged_on == day and ep.admitted_on),
        ), day


def test_admissions_and_length_of_stay(clinic):
    report = run(clinic, "admissions")
    summary = report.table("summary").rows[0]
    admitted = [
        ep for ep in episodes_of(clinic) if ep.admitted_on and FIRST <= ep.admitted_on <= LAST
    ]
    stays = [(ep.discharged_on - ep.admitted_on).days + 1 for ep in discharged_in_june(clinic)]
    assert summary[0] == len(admitted)
    assert summary[1] == len(stays)
    assert summary[3] == round(statistics.mean(stays), 1)
    assert summary[4] == round(statistics.median(stays), 1)
    assert summary[5:] == (min(stays), max(stays))
    dispositions = rows_by(report, "dispositions")
    counted = Counter(ep.get_discharge_disposition_display() for ep in discharged_in_june(clinic))
    for label, n in counted.items():
        assert dispositions[label][1] == n


def test_referral_funnel(clinic):
    report = run(clinic, "referrals")
    funnel = rows_by(report, "funnel")
    referred = [ep for ep in episodes_of(clinic) if FIRST <= ep.referred_on <= LAST]
    assert funnel["Referred"][1] == len(referred)
    assert funnel["Admitted"][1] == sum(1 for ep in referred if ep.admitted_on)


def attendance_of(clinic) -> list[Attendance]:
    """Attendance at program A's sessions that started on a June day in Chicago."""
    found = []
    for row in Attendance.objects.select_related("occurrence"):
        local = row.session_starts_at.astimezone(ZoneInfo(clinic.program_a.timezone)).date()
        ours = row.occurrence and row.occurrence.program_id == clinic.program_a.pk
        if ours and FIRST <= local <= LAST:
            found.append(row)
    return found


def test_attendance(clinic):
    report = run(clinic, "attendance")
    rows = attendance_of(clinic)
    attended = sum(1 for row in rows if row.status in ATTENDED_VALUES)
    no_shows = sum(1 for row in rows if row.status == "absent_unexcused")
    total = rows_by(report, "by_group")["All sessions"]
    assert total[2:4] == (len(rows), attended)
    assert total[4] == round(100 * attended / len(rows), 1)
    assert total[5] == no_shows
    weekdays = rows_by(report, "by_weekday")
    for name, number in (("Monday", 0), ("Wednesday", 2), ("Friday", 4)):
        of_day = [r for r in rows if r.session_starts_at.weekday() == number]
        assert weekdays[name][2:4] == (
            len(of_day),
            sum(1 for r in of_day if r.status in ATTENDED_VALUES),
        )


def test_staff_direct_service_hours(clinic):
    report = run(clinic, "staff")
    held = [
        occurrence
        for occurrence in SessionOccurrence.objects.filter(program=clinic.program_a)
        if FIRST <= occurrence.starts_at.date() <= LAST
        and any(r.status in ATTENDED_VALUES for r in occurrence.attendance.all())
    ]
    facilitator = held[0].facilitators.get()
    hours = sum((o.ends_at - o.starts_at).total_seconds() for o in held) / 3600
    mine = rows_by(report, "staff")[facilitator.get_full_name() or facilitator.username]
    assert (mine[6], mine[7]) == (len(held), round(hours, 1))


def first_and_last(ep, key):
    scores = sorted(
        (a.completed_at, a.pk, a.total)
        for a in Administration.objects.filter(episode=ep, instrument_key=key)
        if a.total is not None and a.status == "completed"
    )
    if len(scores) < 2:
        return None
    return scores[0][2], scores[-1][2]


def test_outcomes_at_discharge(clinic):
    report = run(clinic, "outcomes")
    discharged = discharged_in_june(clinic)
    completion = rows_by(report, "completion")
    completed = sum(1 for ep in discharged if ep.discharge_disposition == Disposition.COMPLETED)
    assert completion["Completed the program"][1:3] == (completed, len(discharged))
    measures = {(r[0], r[1].split(" (")[0]): r[2:] for r in report.table("measures").rows}
    registry = instrument_registry()
    for key, name in (("phq9", "PHQ-9"), ("gad7", "GAD-7")):
        pairs = [p for ep in discharged if (p := first_and_last(ep, key))]
        improved = sum(
            1
            for first, last in pairs
            if change_between(registry[key], first, last).classification
            is ChangeClassification.RELIABLE_IMPROVEMENT
        )
        assert measures[name, "Had a baseline and a discharge score"][:2] == (
            len(pairs),
            len(discharged),
        )
        assert measures[name, "Reliable improvement"][:2] == (improved, len(pairs))
        at_five = [(f, last) for f, last in pairs if f >= 5]
        assert measures[name, "Remission"][:2] == (
            sum(1 for _, last in at_five if last < 5),
            len(at_five),
        )


def test_depression_view(clinic):
    report = run(clinic, "depression")
    rows = rows_by(report, "depression")
    population = []
    for ep in discharged_in_june(clinic):
        scores = sorted(
            (a.completed_at, a.pk, a.total)
            for a in Administration.objects.filter(episode=ep, instrument_key="phq9")
        )
        if scores and scores[0][2] >= 10:
            population.append(scores)
    followed = [s for s in population if len(s) >= 2]
    remission = sum(1 for s in followed if s[-1][2] < 5)
    assert rows["Baseline PHQ-9 of 10 or more (the population)"][1] == len(population)
    assert rows["With a follow-up PHQ-9"][1:3] == (len(followed), len(population))
    assert rows["In remission (last PHQ-9 below 5)"][1:3] == (remission, len(population))


def test_returns_within_30_and_90_days(clinic):
    report = run(clinic, "readmissions", now=LATER)
    rows = rows_by(report, "returns")
    discharged = discharged_in_june(clinic)
    for days in (30, 90):
        returned = sum(
            1
            for ep in discharged
            if any(
                other.pk != ep.pk
                and other.patient_id == ep.patient_id
                and other.admitted_on
                and ep.discharged_on <= other.admitted_on <= ep.discharged_on + timedelta(days)
                for other in episodes_of(clinic)
            )
        )
        assert rows[f"Returned to the same program within {days} days"][1:3] == (
            returned,
            len(discharged),
        )


def test_follow_up_outcomes(clinic):
    report = run(clinic, "followup", now=LATER)
    rows = {row[:2]: row[2:] for row in report.table("follow_up").rows}
    use = rows_by(report, "use")
    registry = instrument_registry()
    firsts = {}
    for ep in discharged_in_june(clinic):
        for key in ("phq9", "gad7"):
            scores = sorted(
                (a.completed_at, a.pk, a.total)
                for a in Administration.objects.filter(episode=ep, instrument_key=key)
            )
            firsts[ep.pk, key] = scores[0][2] if scores else None
    for days in (30, 60, 90):
        made = [f for f in FollowUp.objects.all() if f.days_after_discharge == days]
        done = [f for f in made if f.status == "completed"]
        label = f"{days} days"
        assert rows[label, "Follow-up made"][:2] == (len(made), len(discharged_in_june(clinic)))
        assert rows[label, "Completed"][:2] == (len(done), len(made))
        for key, name in (("phq9", "PHQ-9"), ("gad7", "GAD-7")):
            results = [
                change_between(registry[key], firsts[f.episode_id, key], s.total)
                for f in done
                for s in f.scores.all()
                if s.instrument_key == key and firsts[f.episode_id, key] is not None
            ]
            improved = sum(
                1 for r in results if r.classification is ChangeClassification.RELIABLE_IMPROVEMENT
            )
            measure = f"{name} reliable improvement ({6 if key == 'phq9' else 4} points or more)"
            assert rows[label, measure][:2] == (improved, len(results))
        answers = [f.days_of_use_last_30 for f in done if f.days_of_use_last_30 is not None]
        expected_use = (
            len(answers),
            answers.count(0),
            round(100 * answers.count(0) / len(answers), 1) if answers else None,
            round(statistics.mean(answers), 1) if answers else None,
            round(float(statistics.median(answers)), 1) if answers else None,
        )
        assert use[label][1:] == expected_use
        higher = [f.readmitted_higher_level for f in done if f.readmitted_higher_level is not None]
        measure = "Admitted to a higher level of care since discharge (self-reported)"
        assert rows[label, measure][:2] == (sum(higher), len(higher))


def csv_by_title(text: str) -> dict[str, list[list[str]]]:
    tables: dict[str, list[list[str]]] = {}
    lines = list(csv.reader(io.StringIO(text)))
    current = None
    for n, line in enumerate(lines):
        if not line:
            current = lines[n + 1][0] if n + 1 < len(lines) else None
            if current is not None:
                tables[current] = []
        elif current is not None and line != [current]:
            tables[current].append(line)
    return tables


@pytest.mark.parametrize("name", [spec.name for spec in SPECS])
def test_api_page_and_csv_carry_the_report_cells(clinic, client, monkeypatch, name):
    monkeypatch.setattr("stepwell.reports.views.timezone.now", lambda: NOW)
    monkeypatch.setattr("stepwell.reports.api.timezone.now", lambda: NOW)
    expected = run(clinic, name)
    director = verified_login(client, clinic.director_a)
    query = "from=2026-06-01&to=2026-06-30"
    api = director.get(f"/api/v1/reports/{name}?{query}").json()
    page = director.get(f"/reports/{name}/?{query}").content.decode()
    download = csv_by_title(director.get(f"/reports/{name}/csv/?{query}").content.decode())
    for table, shown in zip(expected.tables, api["tables"], strict=True):
        assert [tuple(row) for row in shown["rows"]] == list(table.rows)
        assert download[table.title][1:] == csv_rows(table)[1:] or (
            not table.rows and download.get(table.title, [[]])[1:] == []
        )
        for row in table.rows:
            for column, value in zip(table.columns, row, strict=True):
                assert f"<td>{page_text(column, value)}</td>" in page or (column.kind == "text"), (
                    table.key,
                    column.key,
                    value,
                )
