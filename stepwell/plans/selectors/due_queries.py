"""The worklists' due dates computed by the database, so a list counts, orders and slices
its rows in SQL and loads only the page it shows.

The rules are those of due.py and versions.py, which stay the source of truth (the
tests run both over varied episodes and expect the same rows):

- first plan: due `first_plan_due_days` after admission (docs/clinical-sources.md §2.3),
  listed until some version is signed (by the clinician, which locks it) with the
  patient's signature, and the physician's when the version asks for it, or, for a version no
  signed later version supersedes, when Medicare covers the patient on the program's
  day (§2.1);
- plan review: the latest signed version, `review_days` after the later of its signing
  day (in the program's zone) and its last review;
- recertification: the latest certification's `recertify_by`, for an episode with a
  signed version.

"Today" is each program's own (clinic.time.program_today): programs are few, so their
days, zones and first-plan days are read first and written into the query as constants.
Dates are added with `AddDays`, which both engines understand.

Each kind is found as a set, not by a subquery per episode of the programs (at 20,000
patients a director's programs hold thousands of episodes in treatment, and a lookup per
episode for each kind took about 50 ms; as sets, about 30): the plan reviews start from
the programs' current signed versions (signed, and no signed version after them), the
recertifications from the certifications (the latest per episode), and the first plans
from the episodes with no complete version among their programs' plans.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page
from django.db import connections
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate

from stepwell.billing.models import Coverage, PayerKind
from stepwell.clinic.models import Program
from stepwell.clinic.time import zone_today
from stepwell.core.paging import page_counted_by
from stepwell.patients.models import Episode

from ..models import (
    DEFAULT_FIRST_PLAN_DUE_DAYS,
    PhysicianCertification,
    PlanReview,
    PlanSignature,
    PlanStatus,
    ProgramPlanPolicy,
    SignatureRole,
    TreatmentPlan,
)

KIND_ORDER = {"first_plan": 0, "plan_review": 1, "recertification": 2}


class AddDays(Func):
    """A date plus a whole number of days, on SQLite and PostgreSQL."""

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL: date + integer
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
            **extra_context,
        )


@dataclass(frozen=True)
class ProgramDays:
    """What the query needs of each program, read once: its day, zone, first-plan days."""

    today: dict[int, date]
    zone: dict[int, str]
    first_plan_days: dict[int, int]

    @classmethod
    def of(cls, episodes: QuerySet[Episode], today: date | None = None) -> ProgramDays:
        policy = ProgramPlanPolicy.objects.filter(program_id=OuterRef("pk"))
        programs = list(
            Program.objects.filter(pk__in=episodes.order_by().values("program_id"))
            .annotate(first_days=Subquery(policy.values("first_plan_due_days")[:1]))
            .values_list("pk", "timezone", "first_days")
        )
        return cls(
            today={pk: today or zone_today(zone) for pk, zone, _ in programs},
            zone={pk: zone for pk, zone, _ in programs},
            first_plan_days={
                pk: DEFAULT_FIRST_PLAN_DUE_DAYS if days is None else days
                for pk, _, days in programs
            },
        )

    def by_day(self) -> dict[date, list[int]]:
        groups: dict[date, list[int]] = defaultdict(list)
        for program_id, day in self.today.items():
            groups[day].append(program_id)
        return groups

    def by_zone(self) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for program_id, zone in self.zone.items():
            groups[zone].append(program_id)
        return groups

    def per_program(self, field: str, values: dict[int, object], output) -> Case:
        return Case(
            *(When(**{field: pk}, then=Value(value)) for pk, value in values.items()),
            default=Value(None),
            output_field=output,
        )


def _medicare_on(days: ProgramDays, program_field: str, patient_ref: str) -> Q:
    """Medicare covers the patient on their program's day (billing's coverage rule)."""
    covered = Q(pk__in=[])
    for day, program_ids in days.by_day().items():
        in_force = Coverage.objects.filter(
            Q(effective_from__isnull=True) | Q(effective_from__lte=day),
            Q(effective_to__isnull=True) | Q(effective_to__gte=day),
            patient_id=OuterRef(patient_ref),
            payer__kind=PayerKind.MEDICARE,
        )
        covered |= Q(**{f"{program_field}__in": program_ids}) & Q(Exists(in_force))
    return covered


def _signed_by(role: str) -> Exists:
    return Exists(PlanSignature.objects.filter(plan_id=OuterRef("pk"), role=role))


def complete_versions(days: ProgramDays) -> QuerySet[TreatmentPlan]:
    """Signed versions that have every signature they need on their program's day. The
    clinician's signature is the one that signed (locked) the version, so, as in
    versions.signature_status_of, the patient's and the physician's are what is looked at."""
    superseded = Exists(
        TreatmentPlan.objects.filter(previous_id=OuterRef("pk"), status=PlanStatus.SIGNED)
    )
    physician_needed = Q(requires_physician_signature=True) | (
        ~Q(superseded) & _medicare_on(days, "episode__program_id", "patient_id")
    )
    return TreatmentPlan.objects.filter(
        Q(_signed_by(SignatureRole.PATIENT))
        & (Q(_signed_by(SignatureRole.PHYSICIAN)) | ~physician_needed),
        status=PlanStatus.SIGNED,
    )


def _local_day(days: ProgramDays, field: str, program_field: str) -> Case:
    """The date of a stored instant in its program's zone."""
    return Case(
        *(
            When(
                **{f"{program_field}__in": ids},
                then=TruncDate(field, tzinfo=zoneinfo.ZoneInfo(zone)),
            )
            for zone, ids in days.by_zone().items()
        ),
        default=Value(None),
        output_field=DateField(),
    )


def _latest_signed() -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(
        episode_id=OuterRef("pk"), status=PlanStatus.SIGNED
    ).order_by("-version")


def _current_signed(episodes: QuerySet[Episode]) -> QuerySet[TreatmentPlan]:
    """Each episode's latest signed version, as a set: the signed versions of `episodes`
    with no signed version after them (one anti-join, not a lookup per episode)."""
    later = TreatmentPlan.objects.filter(
        episode_id=OuterRef("episode_id"), status=PlanStatus.SIGNED, version__gt=OuterRef("version")
    )
    return TreatmentPlan.objects.order_by().filter(
        ~Q(Exists(later)), status=PlanStatus.SIGNED, episode_id__in=_ids(episodes)
    )


def _ids(episodes: QuerySet[Episode]) -> QuerySet:
    return episodes.order_by().values("pk")


def _reviews_due(
    episodes: QuerySet[Episode], days: ProgramDays, within_days: int
) -> QuerySet[TreatmentPlan]:
    """Each current signed version whose review falls due on or before its program's day
    plus `within_days`, with that day as `due_on`.

    The review is due `review_days` after the later of the signing day and the last
    review, so it falls within the horizon exactly when the signing day plus
    `review_days` does and no review plus `review_days` passes it. The filter says it that
    way (a set of recent reviews, found once), and the last review is looked up only for
    the rows kept."""
    plans = _current_signed(episodes).annotate(
        signed_day=_local_day(days, "signed_at", "episode__program_id")
    )
    within = Q(pk__in=[])
    for day, program_ids in days.by_day().items():
        horizon = day + timedelta(days=within_days)
        reviewed_since = PlanReview.objects.annotate(
            until=AddDays(F("reviewed_on"), OuterRef("review_days"))
        ).filter(plan_id=OuterRef("pk"), until__gt=horizon)
        within |= (
            Q(episode__program_id__in=program_ids)
            & Q(from_signing__lte=horizon)
            & ~Q(Exists(reviewed_since))
        )
    last_review = (
        PlanReview.objects.filter(plan_id=OuterRef("pk"))
        .order_by()
        .values("plan_id")
        .annotate(last=Max("reviewed_on"))
        .values("last")
    )
    # Coalesce first: SQLite's max() of a NULL is NULL, PostgreSQL's GREATEST skips it.
    review_from = Greatest(
        Coalesce(Subquery(last_review, output_field=DateField()), F("signed_day")),
        F("signed_day"),
    )
    return (
        plans.annotate(from_signing=AddDays(F("signed_day"), F("review_days")))
        .filter(within)
        .annotate(due_on=AddDays(review_from, F("review_days")))
    )


def _recertifications_due(episodes: QuerySet[Episode]) -> QuerySet[PhysicianCertification]:
    """Each episode's latest certification (by day, then entry), for the episodes that
    have a signed version; its `recertify_by` is when the next one is due."""
    later = PhysicianCertification.objects.filter(
        Q(certified_on__gt=OuterRef("certified_on"))
        | Q(certified_on=OuterRef("certified_on"), pk__gt=OuterRef("pk")),
        episode_id=OuterRef("episode_id"),
    )
    signed = TreatmentPlan.objects.filter(
        episode_id=OuterRef("episode_id"), status=PlanStatus.SIGNED
    )
    return PhysicianCertification.objects.order_by().filter(
        ~Q(Exists(later)), Exists(signed), episode_id__in=_ids(episodes)
    )


def _horizon(
    days: ProgramDays, within_days: int, field: str, program_field: str = "program_id"
) -> Q:
    """`field` falls on or before its program's day plus `within_days`."""
    due = Q(pk__in=[])
    for day, program_ids in days.by_day().items():
        horizon = day + timedelta(days=within_days)
        due |= Q(**{f"{program_field}__in": program_ids, f"{field}__lte": horizon})
    return due


def due_rows(
    episodes: QuerySet[Episode], days: ProgramDays, *, within_days: int
) -> QuerySet[Episode]:
    """One row per item due (episode_id, kind, due_on, last_name), soonest first, as a
    query the caller counts and slices."""
    episodes = episodes.order_by().annotate(last_name=F("patient__legal_last_name"))
    first_due = AddDays(
        F("admitted_on"),
        days.per_program("program_id", days.first_plan_days, IntegerField()),
    )
    # (the programs' complete versions only: the anti-join reads those, not all plans)
    complete = complete_versions(days).filter(
        episode_id=OuterRef("pk"), episode__program_id__in=list(days.today)
    )
    first = (
        episodes.filter(admitted_on__isnull=False)
        .annotate(due_on=first_due)
        .filter(_horizon(days, within_days, "due_on"), ~Q(Exists(complete)))
        .annotate(kind=Value("first_plan"), kind_order=Value(0))
    )
    review = (
        _reviews_due(episodes, days, within_days)
        .annotate(last_name=F("patient__legal_last_name"))
        .annotate(kind=Value("plan_review"), kind_order=Value(1))
    )
    recertification = (
        _recertifications_due(episodes)
        .annotate(last_name=F("episode__patient__legal_last_name"), due_on=F("recertify_by"))
        .filter(_horizon(days, within_days, "due_on", "episode__program_id"))
        .annotate(due_kind=Value("recertification"), kind_order=Value(2))
    )
    columns = ("kind", "due_on", "last_name", "kind_order")
    return (
        first.values("pk", *columns)
        .union(
            review.values("episode_id", *columns),
            # (a certification has a `kind` of its own; the union's columns are by place)
            recertification.values("episode_id", "due_kind", *columns[1:]),
            all=True,
        )
        .order_by("due_on", "last_name", "pk", "kind_order")
    )


def awaiting_physician(episodes: QuerySet[Episode], days: ProgramDays) -> QuerySet[Episode]:
    """Episodes whose latest signed version still needs the physician's signature (the
    latest signed version is never superseded), longest waiting first, with that version
    as `waiting_plan_id` and its signing day as `waiting_since`."""
    latest = _latest_signed()
    waiting = latest.exclude(Q(_signed_by(SignatureRole.PHYSICIAN))).filter(
        Q(requires_physician_signature=True)
        | _medicare_on(days, "episode__program_id", "patient_id")
    )
    return (
        episodes.order_by()
        .annotate(
            waiting_plan_id=Subquery(latest.values("pk")[:1]),
            waiting_since=Subquery(
                latest.annotate(day=_local_day(days, "signed_at", "episode__program_id")).values(
                    "day"
                )[:1],
                output_field=DateField(),
            ),
        )
        .filter(Exists(waiting.filter(pk=OuterRef("waiting_plan_id"))))
        .order_by("waiting_since", "patient__legal_last_name", "pk")
    )


def due_page(rows: QuerySet, *, page_number, per_page: int) -> tuple[list[dict], Page]:
    """One page of `due_rows` and the total, in one query (a window count next to the
    page's rows), instead of a count and a slice that each work out every due date; the
    page core.paging.page_of would give for `page_number` (core.paging.page_counted_by)."""
    page = page_counted_by(
        lambda offset, limit: _rows_and_total(rows, offset=offset, limit=limit),
        rows.count,
        page_number,
        size=per_page,
    )
    return page.object_list, page


def _rows_and_total(rows: QuerySet, *, offset: int, limit: int) -> tuple[list[dict], int]:
    try:
        sql, params = rows.order_by().query.sql_with_params()
    except EmptyResultSet:  # no program to look in
        return [], 0
    connection = connections[rows.db]
    date_field = DateField()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT due.pk, due.kind, due.due_on, COUNT(*) OVER () FROM ({sql}) due "  # noqa: S608
            "ORDER BY due.due_on, due.last_name, due.pk, due.kind_order LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        fetched = cursor.fetchall()
    found = [
        {"pk": pk, "kind": kind, "due_on": date_field.to_python(due_on)}
        for pk, kind, due_on, _ in fetched
    ]
    return found, fetched[0][3] if fetched else 0
