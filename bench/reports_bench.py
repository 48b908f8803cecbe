"""Reports benchmark: every report on a synthetic clinic of many episodes.

    STEPWELL_DATABASE_URL=postgres://... python -m bench.reports_bench [--episodes 20000]

The database named by STEPWELL_DATABASE_URL is migrated and filled (bulk inserts, not the
services: this measures reading) with three programs, `--episodes` episodes over two
years (about a fifth still open), two PHQ-9 and two GAD-7 scores per admitted episode,
and twelve weeks of group meetings with attendance for the patients in treatment. Each
report is then opened as a director of the three programs, with its default period
(twelve weeks; the weekly-hours report's own), timed (the best of `--repeat` runs, so a
busy machine disturbs the figure less) and its queries counted. Use a
throwaway database: the bench writes into it. The Markdown table goes to stdout and to
bench/results/reports.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "reports.md"
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def fill(episodes: int, seed: int):
    from stepwell.accounts.models import Role
    from stepwell.care.models import Attendance
    from stepwell.measures.models import Administration
    from stepwell.patients.models import Disposition, Episode, Patient
    from stepwell.schedule.models import Enrollment, SessionOccurrence
    from stepwell.testing.factories import ProgramFactory, UserFactory

    rng = random.Random(seed)
    programs = [ProgramFactory(name=f"Bench IOP {n}") for n in range(3)]
    director = UserFactory(roles=[Role.PROGRAM_DIRECTOR], programs=programs)
    clinician = UserFactory(roles=[Role.CLINICIAN], programs=programs)
    patients = Patient.objects.bulk_create(
        Patient(
            mrn=f"BENCH{n:08d}",
            legal_first_name=f"Bench{n}",
            legal_last_name="Example",
            date_of_birth=date(1980, 1, 1) + timedelta(days=n % 9000),
            sex_assigned_at_birth="female",
        )
        for n in range(episodes)
    )
    rows = []
    dispositions = [d.value for d in Disposition]
    for n, patient in enumerate(patients):
        referred = TODAY - timedelta(days=rng.randrange(730))
        admitted = referred + timedelta(days=rng.randrange(3, 20))
        stay = rng.randrange(10, 60)
        if admitted > TODAY:
            rows.append(
                Episode(
                    patient=patient, program=programs[n % 3], state="referred", referred_on=referred
                )
            )
        elif admitted + timedelta(days=stay) >= TODAY:
            rows.append(
                Episode(
                    patient=patient,
                    program=programs[n % 3],
                    state="active",
                    referred_on=referred,
                    admitted_on=admitted,
                )
            )
        else:
            rows.append(
                Episode(
                    patient=patient,
                    program=programs[n % 3],
                    state="discharged",
                    referred_on=referred,
                    admitted_on=admitted,
                    discharged_on=admitted + timedelta(days=stay),
                    discharge_disposition=rng.choice(dispositions),
                )
            )
    created = Episode.objects.bulk_create(rows, batch_size=2000)
    scores = []
    for ep in created:
        if ep.admitted_on is None:
            continue
        end = ep.discharged_on or TODAY
        for key, top in (("phq9", 27), ("gad7", 21)):
            first = rng.randrange(top + 1)
            for day, total in (
                (ep.admitted_on, first),
                (end, min(top, max(0, first - rng.randrange(-3, 12)))),
            ):
                scores.append(
                    Administration(
                        patient_id=ep.patient_id,
                        episode=ep,
                        instrument_key=key,
                        status="completed",
                        answers={},
                        total=total,
                        completed_at=datetime(day.year, day.month, day.day, 16, tzinfo=UTC),
                    )
                )
    Administration.objects.bulk_create(scores, batch_size=5000)
    open_now = [ep for ep in created if ep.state == "active"]
    attendance = []
    for week in range(12):
        for program in programs:
            for day in range(4):
                start = datetime.combine(
                    TODAY - timedelta(weeks=week, days=day), datetime.min.time(), UTC
                ) + timedelta(hours=15)
                occurrence = SessionOccurrence.objects.create(
                    program=program,
                    kind="process_group",
                    title=f"Group {day}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    capacity=12,
                )
                occurrence.facilitators.set([clinician])
                members = [ep for ep in open_now if ep.program_id == program.pk][day::4][:12]
                Enrollment.objects.bulk_create(
                    Enrollment(occurrence=occurrence, patient_id=ep.patient_id) for ep in members
                )
                attendance += [
                    Attendance(
                        occurrence=occurrence,
                        patient_id=ep.patient_id,
                        status=rng.choice(
                            [
                                "present",
                                "present",
                                "present",
                                "late",
                                "absent_unexcused",
                                "absent_excused",
                            ]
                        ),
                        minutes_attended=180,
                        session_starts_at=start,
                        session_ends_at=start + timedelta(hours=3),
                    )
                    for ep in members
                ]
    Attendance.objects.bulk_create(attendance, batch_size=5000)
    follow_ups = fill_follow_ups(created, rng)
    return director, len(created), len(scores), len(attendance), follow_ups


def fill_follow_ups(episodes, rng) -> int:
    """Follow-ups at 30, 60 and 90 days of the discharged episodes whose day has come:
    two in three completed (with a PHQ-9 and a GAD-7), the rest unreachable."""
    from stepwell.followups.models import FollowUp, FollowUpScore

    rows = []
    for ep in episodes:
        if ep.discharged_on is None:
            continue
        for days in (30, 60, 90):
            due = ep.discharged_on + timedelta(days=days)
            if due > TODAY:
                continue
            done = rng.random() < 2 / 3
            rows.append(
                FollowUp(
                    episode=ep,
                    patient_id=ep.patient_id,
                    program_id=ep.program_id,
                    days_after_discharge=days,
                    due_on=due,
                    instruments=["phq9", "gad7"],
                    status="completed" if done else "unreachable",
                    method="link" if done else "",
                    completed_at=datetime(due.year, due.month, due.day, 17, tzinfo=UTC)
                    if done
                    else None,
                    readmitted_higher_level=rng.random() < 0.1 if done else None,
                    days_of_use_last_30=rng.choice([0, 0, 0, 1, 2, 5]) if done else None,
                )
            )
    made = FollowUp.objects.bulk_create(rows, batch_size=5000)
    FollowUpScore.objects.bulk_create(
        (
            FollowUpScore(
                follow_up=follow_up,
                instrument_key=key,
                instrument_version="1",
                answers={},
                total=rng.randrange(top + 1),
            )
            for follow_up in made
            if follow_up.status == "completed"
            for key, top in (("phq9", 27), ("gad7", 21))
        ),
        batch_size=5000,
    )
    return len(made)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepwell.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stepwell.reports.registry import SPECS
    from stepwell.reports.selectors import report_run

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    director, n_episodes, n_scores, n_attendance, n_follow_ups = fill(args.episodes, args.seed)
    filled = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # Statistics for the rows just inserted, as autovacuum would gather them within a
        # minute on a live database: without them the planner guesses (readmissions
        # took 1.26 s instead of 0.04).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    lines = [
        f"Reports on {connection.vendor}, {n_episodes} episodes, {n_scores} scores, "
        f"{n_attendance} attendance rows, {n_follow_ups} follow-ups (filled in {filled:.0f} s); {platform.processor() or platform.machine()}.",
        "",
        f"Best of {max(1, args.repeat)} runs per report.",
        "",
        "| report | seconds | queries | patients counted |",
        "|---|---|---|---|",
    ]
    for spec in SPECS:
        times = []
        for _ in range(max(1, args.repeat)):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                result = report_run(user=director, name=spec.name, now=NOW)
                times.append(time.perf_counter() - began)
        seconds = min(times)
        lines.append(
            f"| {spec.name} | {seconds:.2f} | {len(captured.captured_queries)} | {result.report.patient_count} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
