"""Reads of the billing pages and API: the weeks to bill, authorizations and their units,
claims files. Each starts from the acting user (privacy/access/billing.py) and audits the
read, naming every patient it shows. No note text is read or shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.billing import (
    access_billing_program_by_id,
    access_claim_batch_by_id,
    billing_programs_of,
)
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import (
    OPEN_OUTCOMES,
    Authorization,
    AuthorizationStatus,
    ClaimBatch,
    ClaimFormat,
    UtilizationReview,
)
from ..utilization import Usage
from .days import PatientDay, program_days

MAX_WEEKS = 6


def billing_programs(*, user):
    """The programs whose billing the user does (an audited refusal when none)."""
    return list(billing_programs_of(user))


@dataclass
class PatientWeek:
    """One patient's week: each day with its status, problems and fixes."""

    patient: object
    monday: date
    days: list[PatientDay] = field(default_factory=list)

    @property
    def to_bill(self) -> int:
        return sum(1 for d in self.days if d.to_bill)

    @property
    def blocked(self) -> int:
        return sum(1 for d in self.days if d.needs_work)

    @property
    def billed(self) -> int:
        return sum(1 for d in self.days if d.billed)


@dataclass(frozen=True)
class BillingWeeks:
    program: object
    date_from: date
    date_to: date
    weeks: list[PatientWeek]

    @property
    def blocked(self) -> list[PatientWeek]:
        return [w for w in self.weeks if w.blocked]


def _mondays(date_from: date, date_to: date) -> tuple[date, date]:
    start = date_from - timedelta(days=date_from.weekday())
    end = date_to + timedelta(days=6 - date_to.weekday())
    return start, end


def billing_weeks(*, user, program_id, date_from: date, date_to: date) -> BillingWeeks:
    """The billing worklist: per patient and week (Monday to Sunday) between the dates,
    each day with attended services, whether it is billable, billed, or what blocks it."""
    program = access_billing_program_by_id(user, program_id, object_type="billing_days")
    if date_to < date_from:
        raise ApplicationError(
            "The last week is before the first.", field_errors={"date_to": "On or after the start."}
        )
    start, end = _mondays(date_from, date_to)
    if (end - start).days > MAX_WEEKS * 7:
        raise ApplicationError(
            f"At most {MAX_WEEKS} weeks at a time.",
            field_errors={"date_to": f"Within {MAX_WEEKS} weeks of the start."},
        )
    computed = program_days(program=program, date_from=start, date_to=end)
    by_week: dict[tuple[int, date], PatientWeek] = {}
    for day in computed.days:
        monday = day.day - timedelta(days=day.day.weekday())
        key = (day.patient.pk, monday)
        if key not in by_week:
            by_week[key] = PatientWeek(day.patient, monday)
        by_week[key].days.append(day)
    weeks = sorted(by_week.values(), key=lambda w: (w.monday, w.patient.display_name))
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="billing_days",
        object_id=program.pk,
        detail={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "patients": sorted({w.patient.pk for w in weeks}),
        },
    )
    return BillingWeeks(program, start, end, weeks)


@dataclass(frozen=True)
class AuthorizationRow:
    authorization: Authorization
    usage: Usage | None  # None while pending or denied
    review_due: date | None = None  # the open review's day, if one is scheduled

    @property
    def warnings(self) -> tuple[str, ...]:
        review = (f"review due {self.review_due:%Y-%m-%d}",) if self.review_due else ()
        if self.usage is None:
            return (self.authorization.get_status_display(), *review)
        return (*self.usage.reasons, *review)


def authorizations_in_use(*, user, program_id, today: date) -> list[AuthorizationRow]:
    """The program's authorizations not ended more than a month ago, with units used
    (counted from billable days) and left, why each is running out (by units or by date,
    STEPWELL_AUTH_WARN_UNITS / STEPWELL_AUTH_WARN_DAYS), and the open review's due day:
    the utilization review worklist of the billing page."""
    program = access_billing_program_by_id(user, program_id, object_type="authorization")
    rows = list(
        Authorization.objects.filter(program=program, ends_on__gte=today - timedelta(days=31))
        .select_related("patient", "payer")
        .order_by("ends_on", "pk")
    )
    due: dict[int, date] = {}
    for authorization_id, due_on in (
        UtilizationReview.objects.filter(authorization__in=rows, outcome__in=OPEN_OUTCOMES)
        .order_by("-due_on")
        .values_list("authorization_id", "due_on")
    ):
        due[authorization_id] = due_on  # the earliest open review wins
    used: dict[int, int] = defaultdict(int)
    if rows:
        first = min(a.starts_on for a in rows)
        last = min(max(a.ends_on for a in rows), today)
        if first <= last:
            used.update(
                program_days(
                    program=program,
                    date_from=first,
                    date_to=last,
                    patient_ids={a.patient_id for a in rows},
                ).units_used
            )
    result = []
    for authorization in rows:
        usage = None
        if authorization.status == AuthorizationStatus.APPROVED:
            usage = Usage(
                units_approved=authorization.units_approved,
                units_used=used.get(authorization.pk, 0),
                ends_on=authorization.ends_on,
                today=today,
                warn_units=settings.STEPWELL_AUTH_WARN_UNITS,
                warn_days=settings.STEPWELL_AUTH_WARN_DAYS,
            )
        result.append(AuthorizationRow(authorization, usage, due.get(authorization.pk)))
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="authorization",
        object_id=program.pk,
        detail={"patients": sorted({a.patient_id for a in rows})},
    )
    return result


def claim_batches(*, user, program_id) -> list[ClaimBatch]:
    """The program's claims files, newest first (no patient is named in the list)."""
    program = access_billing_program_by_id(user, program_id, object_type="claim_batch")
    return list(ClaimBatch.objects.filter(program=program).order_by("-created_at", "-pk")[:50])


def claim_batch_review(*, user, batch_id):
    """A claims file's claims and lines for review, audited naming every patient."""
    batch = access_claim_batch_by_id(user, batch_id, action=AuditAction.VIEW)
    claims = list(
        batch.claims.select_related("patient", "payer", "original", "primary_claim")
        .prefetch_related("lines")
        .order_by("claim_number")
    )
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        object_type="claim_batch",
        object_id=batch.pk,
        detail={"patients": sorted({c.patient_id for c in claims})},
    )
    return batch, claims


@dataclass(frozen=True)
class ClaimsFile:
    filename: str
    content: str
    content_type: str


def claim_batch_file(*, user, batch_id) -> ClaimsFile:
    """The file as it was written, for download; audited as an export."""
    batch = access_claim_batch_by_id(user, batch_id, action=AuditAction.EXPORT)
    patients = sorted(set(batch.claims.values_list("patient_id", flat=True)))
    audit_record(
        user=user,
        action=AuditAction.EXPORT,
        object_type="claim_batch",
        object_id=batch.pk,
        detail={"download": True, "patients": patients},
    )
    is_csv = batch.file_format == ClaimFormat.CSV
    extension = "csv" if is_csv else "837"
    return ClaimsFile(
        filename=f"claims-{batch.program_id}-{batch.pk:06d}.{extension}",
        content=batch.content,
        content_type="text/csv" if is_csv else "application/edi-x12",
    )


def billing_programs_program(*, user, program_id):
    """One program whose billing the user does (an audited refusal otherwise)."""
    return access_billing_program_by_id(user, program_id, object_type="billing_days")
