"""Referral conversion, days from referral to the first session, and the waiting list.

- Referred: episodes referred on a day of the period (every way in opens one: the referral
  board, registration, the FHIR referral).
- Assessed: those that reached assessment (an intake assessment state, or admitted, which
  only follows it; a referral closed after its assessment still counts).
- Admitted: those admitted, whenever it happened.
- First session: the first session the patient attended in the episode's program (present,
  late or left early), on or after the referral; its day is the program's local date.
- Waiting list: episodes open today and not yet admitted, by state and time waited.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import Attendance
from stepwell.intake.models import Referral, ReferralSource
from stepwell.patients.models import EpisodeEvent, EpisodeState

from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, histogram_mean, histogram_median, percent

REACHED_ASSESSMENT = (
    EpisodeState.ASSESSED,
    EpisodeState.ADMITTED,
    EpisodeState.ACTIVE,
    EpisodeState.ON_HOLD,
)
WAITING_STATES = (EpisodeState.REFERRED, EpisodeState.SCREENING, EpisodeState.ASSESSED)
# (label, fewest days waited, most days waited or None)
WAIT_BUCKETS = (
    ("0–7 days", 0, 7),
    ("8–14 days", 8, 14),
    ("15–30 days", 15, 30),
    ("over 30 days", 31, None),
)
DIRECT = "direct"


def referred_in_period(scope: ReportScope):
    assessed_event = EpisodeEvent.objects.filter(
        episode=OuterRef("pk"), to_state=EpisodeState.ASSESSED
    )
    return (
        scope.episodes()
        .filter(referred_on__gte=scope.date_from, referred_on__lte=scope.date_to)
        .annotate(
            assessed=ExpressionWrapper(
                Q(Exists(assessed_event))
                | Q(state__in=REACHED_ASSESSMENT)
                | Q(admitted_on__isnull=False),
                output_field=BooleanField(),
            ),
            admitted=ExpressionWrapper(Q(admitted_on__isnull=False), output_field=BooleanField()),
            source=Subquery(Referral.objects.filter(episode=OuterRef("pk")).values("source")[:1]),
        )
    )


def _first_session(zone: str):
    attended = Attendance.objects.filter(
        patient=OuterRef("patient"),
        status__in=[s.value for s in ATTENDED],
        session_starts_at__gte=OuterRef("referred_on"),
    ).filter(
        Q(occurrence__program=OuterRef("program")) | Q(appointment__program=OuterRef("program"))
    )
    first = Subquery(attended.order_by("session_starts_at").values("session_starts_at")[:1])
    return TruncDate(first, tzinfo=ZoneInfo(zone))


def days_to_first_session(scope: ReportScope, episodes) -> tuple[Counter, Counter]:
    """Admitted episodes: {days from referral to first session: n} and {days from referral
    to admission: n}."""
    to_session: Counter = Counter()
    for zone, ids in scope.by_zone().items():
        waited = ExpressionWrapper(
            _first_session(zone) - F("referred_on"), output_field=DurationField()
        )
        for days, n in (
            episodes.filter(program_id__in=ids, admitted_on__isnull=False)
            .values(waited=waited)
            .annotate(n=Count("pk"))
            .values_list("waited", "n")
        ):
            if days is not None:
                to_session[days.days] += n
    waited = ExpressionWrapper(F("admitted_on") - F("referred_on"), output_field=DurationField())
    to_admission = Counter(
        {
            days.days: n
            for days, n in episodes.filter(admitted_on__isnull=False)
            .values(waited=waited)
            .annotate(n=Count("pk"))
            .values_list("waited", "n")
        }
    )
    return to_session, to_admission


def _waiting_bucket(today):
    whens = []
    for n, (_, fewest, most) in enumerate(WAIT_BUCKETS):
        condition = Q(referred_on__lte=today - timedelta(days=fewest))
        if most is not None:
            condition &= Q(referred_on__gte=today - timedelta(days=most))
        whens.append(When(condition, then=Value(n)))
    return Case(*whens, default=Value(len(WAIT_BUCKETS) - 1), output_field=IntegerField())


def referrals_report(scope: ReportScope) -> Report:
    episodes = referred_in_period(scope)
    stages: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for source, assessed, admitted, n in (
        episodes.values("source", "assessed", "admitted")
        .annotate(n=Count("pk"))
        .values_list("source", "assessed", "admitted", "n")
    ):
        counts = stages[source or DIRECT]
        counts[0] += n
        counts[1] += n if assessed else 0
        counts[2] += n if admitted else 0
    referred = sum(c[0] for c in stages.values())
    assessed = sum(c[1] for c in stages.values())
    admitted = sum(c[2] for c in stages.values())
    funnel = Table(
        key="funnel",
        title="Referral conversion",
        columns=(
            Column("stage", "Stage", ColumnKind.TEXT),
            Column("episodes", "Episodes"),
            Column("share", "Share of referred", ColumnKind.PERCENT),
        ),
        rows=(
            ("Referred", referred, percent(referred, referred)),
            ("Assessed", assessed, percent(assessed, referred)),
            ("Admitted", admitted, percent(admitted, referred)),
        ),
        note="Episodes referred in the period, and how far each has come by today.",
    )
    labels = {DIRECT: "Registered directly (no referral record)", **dict(ReferralSource.choices)}
    by_source = Table(
        key="by_source",
        title="Conversion by referral source",
        columns=(
            Column("source", "Source", ColumnKind.TEXT),
            Column("referred", "Referred"),
            Column("assessed", "Assessed"),
            Column("admitted", "Admitted"),
            Column("conversion", "Admitted of referred", ColumnKind.PERCENT),
        ),
        rows=tuple(
            (labels[key], *stages[key], percent(stages[key][2], stages[key][0]))
            for key in [*ReferralSource.values, DIRECT]
            if key in stages
        ),
    )
    to_session, to_admission = days_to_first_session(scope, episodes)
    timing = Table(
        key="time_to_care",
        title="Days from referral to admission and to the first session",
        columns=(
            Column("admitted", "Admitted"),
            Column("with_session", "With a first session"),
            Column("average_admission", "Average days to admission", ColumnKind.NUMBER),
            Column("median_admission", "Median days to admission", ColumnKind.NUMBER),
            Column("average_session", "Average days to first session", ColumnKind.NUMBER),
            Column("median_session", "Median days to first session", ColumnKind.NUMBER),
        ),
        rows=(
            (
                admitted,
                sum(to_session.values()),
                histogram_mean(to_admission),
                histogram_median(to_admission),
                histogram_mean(to_session),
                histogram_median(to_session),
            ),
        ),
    )
    waiting = (
        scope.episodes()
        .filter(state__in=WAITING_STATES, referred_on__lte=scope.today)
        .annotate(bucket=_waiting_bucket(scope.today))
    )
    counts = {
        (state, bucket): n
        for state, bucket, n in waiting.values("state", "bucket")
        .annotate(n=Count("pk"))
        .values_list("state", "bucket", "n")
    }
    waited = ExpressionWrapper(
        Value(scope.today, output_field=DateField()) - F("referred_on"),
        output_field=DurationField(),
    )
    days_waited: dict[str, Counter] = defaultdict(Counter)
    for state, days, n in (
        waiting.values("state", waited=waited)
        .annotate(n=Count("pk"))
        .values_list("state", "waited", "n")
    ):
        days_waited[state][days.days] += n
    waiting_rows = []
    for state in WAITING_STATES:
        per_bucket = [counts.get((state.value, n), 0) for n in range(len(WAIT_BUCKETS))]
        waiting_rows.append(
            (state.label, *per_bucket, sum(per_bucket), histogram_mean(days_waited[state.value]))
        )
    waiting_list = Table(
        key="waiting",
        title=f"Waiting list today ({scope.today.isoformat()})",
        columns=(
            Column("state", "State", ColumnKind.TEXT),
            *(Column(f"bucket_{n}", label) for n, (label, _, _) in enumerate(WAIT_BUCKETS)),
            Column("total", "Waiting"),
            Column("average_wait", "Average days waiting", ColumnKind.NUMBER),
        ),
        rows=tuple(waiting_rows),
        note="Open episodes not yet admitted, whatever the period: the list as it stands today.",
    )
    patients = (
        scope.episodes()
        .filter(
            Q(referred_on__gte=scope.date_from, referred_on__lte=scope.date_to)
            | Q(state__in=WAITING_STATES, referred_on__lte=scope.today)
        )
        .values("patient_id")
        .distinct()
        .count()
    )
    return Report(tables=(funnel, by_source, timing, waiting_list), patient_count=patients)
