"""The reports Stepwell has: name, title, who they are for, how they are built and charted,
and the notes under them. docs/reports.md describes each in words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stepwell.privacy.access.reports import ReportAudience

from .operations.admissions import admissions_report
from .operations.attendance import attendance_report
from .operations.census import census_report
from .operations.documentation import documentation_report
from .operations.hours import MAX_DAYS as HOURS_MAX_DAYS
from .operations.hours import hours_report
from .operations.referrals import referrals_report
from .operations.staff import staff_report
from .outcomes.depression import depression_report
from .outcomes.discharge import outcomes_report
from .outcomes.follow_up import follow_up_report
from .outcomes.readmissions import readmissions_report
from .scope import MAX_DAYS, ReportScope
from .tables import Report


@dataclass(frozen=True)
class ChartSpec:
    table: str
    labels: tuple[str, ...]  # columns joined into each bar's label
    value: str
    kind: str = "bar"  # "bar" or "line"
    title: str = ""
    only: tuple[str, ...] = ()  # bars only for rows whose last label starts with one of these


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    summary: str
    group: str  # "Operations" or "Outcomes"
    audience: ReportAudience
    build: Callable[[ReportScope], Report]
    chart: ChartSpec
    outcome: bool = False  # the small-cell rule applies
    payer_applies: bool = True
    max_days: int = MAX_DAYS
    notes: tuple[str, ...] = ()


DIRECTORS = ReportAudience.DIRECTORS
DIRECTORS_AND_BILLING = ReportAudience.DIRECTORS_AND_BILLING
OPERATIONS, OUTCOMES = "Operations", "Outcomes"

SPECS = (
    ReportSpec(
        name="census",
        title="Census by day and week",
        summary="Patients in treatment each day, and each week's average, admissions and discharges.",
        group=OPERATIONS,
        audience=DIRECTORS_AND_BILLING,
        build=census_report,
        chart=ChartSpec("by_day", ("day",), "census", kind="line", title="Patients in treatment"),
        notes=(
            "A patient is in treatment from the day of admission to the day of discharge, "
            "both included; days on hold count. A patient in two programs counts in each.",
        ),
    ),
    ReportSpec(
        name="admissions",
        title="Admissions, discharges and length of stay",
        summary="Admissions, discharges by disposition, transfers and step-downs, average and median stay.",
        group=OPERATIONS,
        audience=DIRECTORS_AND_BILLING,
        build=admissions_report,
        chart=ChartSpec("dispositions", ("disposition",), "discharges", title="Discharges"),
        notes=(
            "Length of stay counts the days from admission to discharge, both included, of "
            "the episodes discharged in the period.",
        ),
    ),
    ReportSpec(
        name="referrals",
        title="Referrals, conversion and waiting list",
        summary="Referred, assessed, admitted; days to admission and to the first session; who is waiting.",
        group=OPERATIONS,
        audience=DIRECTORS,
        build=referrals_report,
        chart=ChartSpec("funnel", ("stage",), "episodes", title="Referral conversion"),
        notes=(
            "The first session is the first group or visit the patient attended in the "
            "program (present, late or left early) on or after the referral day.",
        ),
    ),
    ReportSpec(
        name="attendance",
        title="Attendance, no-shows and group fill",
        summary="Attendance rate, no-shows and late cancellations by group, weekday and time; fill against capacity.",
        group=OPERATIONS,
        audience=DIRECTORS_AND_BILLING,
        build=attendance_report,
        chart=ChartSpec("by_weekday", ("weekday",), "rate", title="Attendance rate by weekday"),
        notes=(
            "Attendance rate: attended (present, late or left early) of the rows where "
            "attendance was taken. A no-show is an absence without an excuse.",
            "A late cancellation is an absence with an excuse: attendance opens only "
            "shortly before a session, so the excuse came late. A booking cancelled ahead "
            "is taken off the schedule and is not counted here.",
        ),
    ),
    ReportSpec(
        name="staff",
        title="Staff caseloads and direct-service hours",
        summary="Each staff member's caseload, visits and group meetings held, and hours of direct service.",
        group=OPERATIONS,
        audience=DIRECTORS,
        build=staff_report,
        chart=ChartSpec("staff", ("staff",), "hours", title="Direct-service hours"),
        notes=(
            "Direct service: individual and medication visits the patient attended and "
            "group meetings with at least one patient attending, at their scheduled length.",
        ),
    ),
    ReportSpec(
        name="hours",
        title="Weekly-hours compliance by payer rule",
        summary="Patient-weeks that met their payer's weekly minimum, by payer rule and by week.",
        group=OPERATIONS,
        audience=DIRECTORS_AND_BILLING,
        build=hours_report,
        chart=ChartSpec("by_rule", ("rule",), "compliance", title="Compliance by payer rule"),
        max_days=HOURS_MAX_DAYS,
        notes=(
            "Each week is measured as on the program's compliance page: the rule of the "
            "patient's coverage that week, prorated for holidays, admission, discharge and "
            "days on hold. The current week counts what is still scheduled.",
        ),
    ),
    ReportSpec(
        name="documentation",
        title="Notes, plan reviews and recertifications on time",
        summary="Notes signed within 24 and 72 hours, overdue notes by author, plan reviews and recertifications.",
        group=OPERATIONS,
        audience=DIRECTORS,
        build=documentation_report,
        chart=ChartSpec("notes", ("kind",), "on_time", title="Notes signed on time"),
        payer_applies=False,
        notes=("This report is about staff work: the payer filter does not apply to it.",),
    ),
    ReportSpec(
        name="outcomes",
        title="Outcomes at discharge",
        summary="Completion and against-advice rates; PHQ-9 and GAD-7 improvement, response, remission; reliable recovery.",
        group=OUTCOMES,
        audience=DIRECTORS,
        build=outcomes_report,
        chart=ChartSpec(
            "measures", ("instrument", "measure"), "share", title="Change at discharge"
        ),
        outcome=True,
        notes=(
            "Baseline: the first PHQ-9 or GAD-7 of the episode; at discharge: its last. "
            "Reliable change by the NHS Talking Therapies thresholds (PHQ-9 6 points, GAD-7 "
            "4 points); response: a fall of 50% or more; remission: below 5.",
            "Reliable recovery (NHS Talking Therapies, joint over both measures): at "
            "caseness on PHQ-9 (10 or more) or GAD-7 (8 or more) at the start, below both "
            "cut-offs at discharge, reliable improvement on at least one and reliable "
            "deterioration on neither.",
        ),
    ),
    ReportSpec(
        name="depression",
        title="Depression remission and response (HEDIS-style)",
        summary="Of episodes starting with a PHQ-9 of 10 or more: follow-up, remission and response.",
        group=OUTCOMES,
        audience=DIRECTORS,
        build=depression_report,
        chart=ChartSpec("depression", ("measure",), "share", title="Depression outcomes"),
        outcome=True,
        notes=(
            "Follows the definitions of CMS159 / NQF 0710, Depression Remission at Twelve "
            "Months (MN Community Measurement), as NCQA's HEDIS depression measures use "
            "them: the population starts with a PHQ-9 above 9; remission is a PHQ-9 below "
            "5; response (NQF 1885) is a fall of 50% or more. Episodes without a follow-up "
            "score stay in the denominator.",
            "Adapted to an intensive outpatient episode: the last PHQ-9 of the episode "
            "stands in for the twelve-month score, and episodes, not patients, are "
            "counted. This is not a certified HEDIS or eCQM result.",
        ),
    ),
    ReportSpec(
        name="readmissions",
        title="Return and readmission after discharge",
        summary="Returns within 30 and 90 days, readmission at a higher level of care, step-ups at discharge.",
        group=OUTCOMES,
        audience=DIRECTORS,
        build=readmissions_report,
        chart=ChartSpec("returns", ("measure",), "share", title="Returns after discharge"),
        outcome=True,
        notes=(
            "Counted from the episodes on record in the programs of this report. The "
            "follow-up report adds what people told us at 30, 60 and 90 days.",
        ),
    ),
    ReportSpec(
        name="followup",
        title="Outcomes at 30, 60 and 90 days after discharge",
        summary="Follow-ups made and completed; PHQ-9 and GAD-7 improvement, response, remission, reliable recovery; higher level of care and days of use.",
        group=OUTCOMES,
        audience=DIRECTORS,
        build=follow_up_report,
        chart=ChartSpec(
            "follow_up",
            ("days", "measure"),
            "share",
            title="After discharge",
            only=("Completed", "PHQ-9 response", "GAD-7 response", "Reliable recovery"),
        ),
        outcome=True,
        notes=(
            "From the follow-ups answered by link or by phone at 30, 60 and 90 days. Each "
            "score is compared with the episode's first score on the same questionnaire, "
            "by the same thresholds as the outcomes at discharge (NHS Talking Therapies "
            "reliable change: PHQ-9 6 points, GAD-7 4 points; response: a fall of 50% or "
            "more; remission: below 5; reliable recovery joint over both).",
            "Admission to a higher level of care and days of alcohol or drug use are what "
            "the person said; the readmissions report counts returns to these programs "
            "from the record. Episodes discharged too recently for a follow-up are left "
            "out of its denominator.",
        ),
    ),
)
REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in SPECS}


def report_spec(name: str) -> ReportSpec | None:
    return REPORTS.get(name)
