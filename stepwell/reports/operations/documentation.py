"""Notes signed on time, overdue notes by author, plan reviews and recertifications on time.

- Notes: group notes (the shared section) and individual and medication notes of sessions
  that ended on a day of the period, by how long after the session the author signed:
  within STEPWELL_NOTE_LATE_HOURS (24 h), within STEPWELL_NOTE_DIRECTOR_HOURS (72 h), later,
  or not yet. Group meetings that patients attended with no note at all are counted too.
- Overdue by author: those not yet signed whose session ended more than 24 h ago (and of
  them, more than 72 h ago), per author, now.
- A plan review is on time when it came within the plan's review days of the plan's
  signature or of its review before (plans/selectors/due.py); a recertification when it
  came by the date the certification before it set (docs/clinical-sources.md §2.1). Overdue
  now: plans in force and certifications of patients in treatment whose date has passed.
This report is about staff work: the payer filter does not apply to it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate

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
from stepwell.schedule.models import OccurrenceStatus, SessionOccurrence

from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, one_decimal, percent

IN_TREATMENT = ("admitted", "active", "on_hold")


def _timeliness(queryset) -> dict[str, int]:
    late, director = settings.STEPWELL_NOTE_LATE_HOURS, settings.STEPWELL_NOTE_DIRECTOR_HOURS
    first = F("ended_at") + timedelta(hours=late)
    second = F("ended_at") + timedelta(hours=director)
    return queryset.aggregate(
        notes=Count("pk"),
        first=Count("pk", filter=Q(signed_at__lte=first)),
        second=Count("pk", filter=Q(signed_at__gt=first, signed_at__lte=second)),
        later=Count("pk", filter=Q(signed_at__gt=second)),
        unsigned=Count("pk", filter=Q(signed_at__isnull=True)),
    )


def clinical_notes_in_period(scope: ReportScope):
    """Individual and medication notes of the programs, by the session's end in its zone:
    the appointment's program, or (a note written without an appointment) the patient's."""
    condition = Q(pk__in=[])
    for zone, ids in scope.by_zone().items():
        in_programs = Episode.objects.filter(patient=OuterRef("patient"), program_id__in=ids)
        of_program = Q(appointment__program_id__in=ids) | (
            Q(appointment__isnull=True) & Q(Exists(in_programs))
        )
        condition |= of_program & scope.zone_window(zone, "ended_at")
    return ClinicalNote.objects.filter(
        condition, kind__in=(NoteKind.INDIVIDUAL, NoteKind.MEDICATION)
    )


def group_notes_in_period(scope: ReportScope):
    return GroupNote.objects.filter(scope.moments_in_period("ended_at", "occurrence__program_id"))


def undocumented_meetings(scope: ReportScope):
    attended = Attendance.objects.filter(
        occurrence=OuterRef("pk"), status__in=[s.value for s in ATTENDED]
    )
    return SessionOccurrence.objects.filter(
        scope.moments_in_period("ends_at", "program_id"),
        status=OccurrenceStatus.SCHEDULED,
        ends_at__lte=scope.now,
        group_note__isnull=True,
    ).filter(Exists(attended))


def _note_row(label: str, counts: dict) -> tuple:
    return (
        label,
        counts["notes"],
        counts["first"],
        counts["second"],
        counts["later"],
        counts["unsigned"],
        percent(counts["first"], counts["notes"]),
    )


def notes_table(scope: ReportScope) -> Table:
    late, director = settings.STEPWELL_NOTE_LATE_HOURS, settings.STEPWELL_NOTE_DIRECTOR_HOURS
    clinical = clinical_notes_in_period(scope)
    parts = [
        ("Group notes", _timeliness(group_notes_in_period(scope))),
        ("Individual notes", _timeliness(clinical.filter(kind=NoteKind.INDIVIDUAL))),
        ("Medication notes", _timeliness(clinical.filter(kind=NoteKind.MEDICATION))),
    ]
    total = Counter()
    for _, counts in parts:
        total.update(counts)
    missing = undocumented_meetings(scope).count()
    return Table(
        key="notes",
        title="Notes signed on time",
        columns=(
            Column("kind", "Notes", ColumnKind.TEXT),
            Column("notes", "Sessions"),
            Column("first", f"Signed within {late} h"),
            Column("second", f"Signed within {late}–{director} h"),
            Column("later", f"Signed after {director} h"),
            Column("unsigned", "Not yet signed"),
            Column("on_time", f"Signed within {late} h (share)", ColumnKind.PERCENT),
        ),
        rows=(
            *(_note_row(label, counts) for label, counts in parts),
            _note_row(
                "All notes",
                {k: total[k] for k in ("notes", "first", "second", "later", "unsigned")},
            ),
            ("Group meetings with no note yet", missing, None, None, None, missing, None),
        ),
    )


def overdue_table(scope: ReportScope) -> Table:
    late, director = settings.STEPWELL_NOTE_LATE_HOURS, settings.STEPWELL_NOTE_DIRECTOR_HOURS
    overdue_from = scope.now - timedelta(hours=late)
    very_late = scope.now - timedelta(hours=director)
    per_author: dict[int, list] = {}
    for queryset in (
        group_notes_in_period(scope),
        clinical_notes_in_period(scope),
    ):
        for author_id, n, past, oldest in (
            queryset.filter(signed_at__isnull=True, ended_at__lt=overdue_from)
            .values("author_id")
            .annotate(
                n=Count("pk"),
                past=Count("pk", filter=Q(ended_at__lt=very_late)),
                oldest=Min("ended_at"),
            )
            .values_list("author_id", "n", "past", "oldest")
        ):
            counts = per_author.setdefault(author_id, [0, 0, oldest])
            counts[0] += n
            counts[1] += past
            counts[2] = min(counts[2], oldest)
    authors = (
        get_user_model()
        .objects.filter(pk__in=list(per_author))
        .order_by("last_name", "first_name", "username")
    )
    return Table(
        key="overdue",
        title="Overdue notes by author (now)",
        columns=(
            Column("author", "Author", ColumnKind.TEXT),
            Column("overdue", f"Unsigned after {late} h"),
            Column("very_late", f"Of them, after {director} h"),
            Column("oldest", "Oldest (days since the session)", ColumnKind.NUMBER),
        ),
        rows=tuple(
            (
                author.get_full_name() or author.username,
                per_author[author.pk][0],
                per_author[author.pk][1],
                one_decimal((scope.now - per_author[author.pk][2]).total_seconds() / 86400),
            )
            for author in authors
        ),
        note="Notes of sessions in the period that are still unsigned.",
    )


def _signed_on(zone: str, field: str = "signed_at"):
    return TruncDate(field, tzinfo=ZoneInfo(zone))


def plan_reviews(scope: ReportScope) -> tuple[int, int, int]:
    """Reviews recorded in the period: (recorded, on time, overdue plans now)."""
    before = PlanReview.objects.filter(
        plan=OuterRef("plan"), reviewed_on__lt=OuterRef("reviewed_on")
    ).order_by("-reviewed_on")
    recorded = on_time = 0
    last_review = PlanReview.objects.filter(plan=OuterRef("pk")).order_by("-reviewed_on")
    overdue = 0
    for zone, ids in scope.by_zone().items():
        since = ExpressionWrapper(
            F("reviewed_on")
            - Coalesce(
                Subquery(before.values("reviewed_on")[:1]), _signed_on(zone, "plan__signed_at")
            ),
            output_field=DurationField(),
        )
        for review_days, waited, n in (
            PlanReview.objects.filter(
                plan__episode__program_id__in=ids,
                reviewed_on__gte=scope.date_from,
                reviewed_on__lte=scope.date_to,
            )
            .values("plan__review_days", waited=since)
            .annotate(n=Count("pk"))
            .values_list("plan__review_days", "waited", "n")
        ):
            recorded += n
            on_time += n if waited.days <= review_days else 0
        newer_signed = TreatmentPlan.objects.filter(
            previous=OuterRef("pk"), status=PlanStatus.SIGNED
        )
        in_force = TreatmentPlan.objects.filter(
            episode__program_id__in=ids, episode__state__in=IN_TREATMENT, status=PlanStatus.SIGNED
        ).exclude(Exists(newer_signed))
        for review_days, last, n in (
            in_force.values(
                "review_days",
                last=Coalesce(Subquery(last_review.values("reviewed_on")[:1]), _signed_on(zone)),
            )
            .annotate(n=Count("pk"))
            .values_list("review_days", "last", "n")
        ):
            if last + timedelta(days=review_days) < scope.today:
                overdue += n
    return recorded, on_time, overdue


def recertifications(scope: ReportScope) -> tuple[int, int, int]:
    """Recertifications recorded in the period: (recorded, on time, overdue episodes now)."""
    before = PhysicianCertification.objects.filter(
        episode=OuterRef("episode"), certified_on__lt=OuterRef("certified_on")
    ).order_by("-certified_on", "-pk")
    counts = (
        PhysicianCertification.objects.filter(
            episode__program_id__in=scope.program_ids,
            kind=CertificationKind.RECERTIFICATION,
            certified_on__gte=scope.date_from,
            certified_on__lte=scope.date_to,
        )
        .annotate(due=Subquery(before.values("recertify_by")[:1]))
        .aggregate(
            recorded=Count("pk"),
            on_time=Count("pk", filter=Q(due__isnull=True) | Q(certified_on__lte=F("due"))),
        )
    )
    latest = PhysicianCertification.objects.filter(episode=OuterRef("pk")).order_by(
        "-certified_on", "-pk"
    )
    overdue = (
        Episode.objects.filter(program_id__in=scope.program_ids, state__in=IN_TREATMENT)
        .annotate(due=Subquery(latest.values("recertify_by")[:1]))
        .filter(due__lt=scope.today)
        .count()
    )
    return counts["recorded"], counts["on_time"], overdue


def documentation_report(scope: ReportScope) -> Report:
    reviews = plan_reviews(scope)
    recerts = recertifications(scope)
    plans = Table(
        key="plans",
        title="Plan reviews and recertifications on time",
        columns=(
            Column("item", "What", ColumnKind.TEXT),
            Column("recorded", "Recorded in the period"),
            Column("on_time", "On time"),
            Column("late", "Late"),
            Column("share", "On time (share)", ColumnKind.PERCENT),
            Column("overdue", "Overdue now"),
        ),
        rows=tuple(
            (label, recorded, on_time, recorded - on_time, percent(on_time, recorded), overdue)
            for label, (recorded, on_time, overdue) in (
                ("Treatment plan reviews", reviews),
                ("Physician recertifications", recerts),
            )
        ),
        note="Overdue now: plans in force and certifications of patients in treatment today.",
    )
    patients = (
        Episode.objects.filter(program_id__in=scope.program_ids)
        .filter(
            Q(patient__clinical_notes__in=clinical_notes_in_period(scope))
            | Q(treatment_plans__reviews__reviewed_on__range=(scope.date_from, scope.date_to))
        )
        .values("patient_id")
        .distinct()
        .count()
    )
    return Report(tables=(notes_table(scope), overdue_table(scope), plans), patient_count=patients)
