"""Reads of the billing pages and API: the weeks to bill, authorizations and their units,
claims files. Each starts from the acting user (privacy/access/billing.py) and audits the
read, naming every patient it shows. No note text is read or shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.paginator import Page
from django.db.models import Min

from stepwell.core.errors import ApplicationError
from stepwell.core.paging import page_of, window
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
from .days import PatientDay, patients_attended, program_days

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
    patients: Page | None = None  # on the page: which page of the patients `weeks` shows

    @property
    def blocked(self) -> list[PatientWeek]:
        return [w for w in self.weeks if w.blocked]


def _mondays(date_from: date, date_to: date) -> tuple[date, date]:
    start = date_from - timedelta(days=date_from.weekday())
    end = date_to + timedelta(days=6 - date_to.weekday())
    return start, end


def _weeks_program(user, program_id, date_from: date, date_to: date):
    """The program whose billing the user does and the Mondays and Sundays holding the
    dates (at most MAX_WEEKS weeks)."""
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
    return program, start, end


def _patient_weeks(program, start: date, end: date, patient_ids=None) -> list[PatientWeek]:
    computed = program_days(program=program, date_from=start, date_to=end, patient_ids=patient_ids)
    by_week: dict[tuple[int, date], PatientWeek] = {}
    for day in computed.days:
        monday = day.day - timedelta(days=day.day.weekday())
        key = (day.patient.pk, monday)
        if key not in by_week:
            by_week[key] = PatientWeek(day.patient, monday)
        by_week[key].days.append(day)
    return list(by_week.values())


def _audit_weeks(user, program, start: date, end: date, weeks: list[PatientWeek]) -> None:
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


BY_NAME = ("legal_last_name", "legal_first_name", "pk")


def billing_weeks(
    *, user, program_id, date_from: date, date_to: date, limit: int, offset: int = 0
) -> BillingWeeks:
    """The billing worklist of the API: per patient and week (Monday to Sunday) between
    the dates, each day with attended services, whether it is billable, billed, or what
    blocks it; `limit` patients by name after `offset`, found and cut in SQL as on the
    page (billing_weeks_page)."""
    program, start, end = _weeks_program(user, program_id, date_from, date_to)
    attended = patients_attended(program=program, date_from=start, date_to=end)
    patients = list(window(attended.order_by(*BY_NAME), limit=limit, offset=offset))
    return BillingWeeks(program, start, end, _weeks_of(user, program, start, end, patients))


def billing_weeks_page(
    *, user, program_id, date_from: date, date_to: date, page_number=None
) -> BillingWeeks:
    """The billing page's worklist, 50 patients a page by name, each patient's weeks in
    order: the patients with a billable kind of service attended in the weeks are found and
    paged in SQL, and the days engine runs for the page's patients only (a patient's days
    depend on their own record alone). The event names the page's patients."""
    program, start, end = _weeks_program(user, program_id, date_from, date_to)
    patients = page_of(
        patients_attended(program=program, date_from=start, date_to=end).order_by(*BY_NAME),
        page_number,
    )
    return BillingWeeks(
        program, start, end, _weeks_of(user, program, start, end, patients), patients
    )


def _weeks_of(user, program, start: date, end: date, patients) -> list[PatientWeek]:
    """The weeks of these patients (a page of them, in order), each patient's weeks in
    order; the days engine runs for them only. The event names them."""
    order = {patient.pk: n for n, patient in enumerate(patients)}
    weeks = sorted(
        _patient_weeks(program, start, end, patient_ids=list(order)),
        key=lambda w: (order[w.patient.pk], w.monday),
    )
    _audit_weeks(user, program, start, end, weeks)
    return weeks


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


def _authorizations_of(program, today: date):
    """The program's authorizations not ended more than a month ago, soonest ending first."""
    return Authorization.objects.filter(
        program=program, ends_on__gte=today - timedelta(days=31)
    ).order_by("ends_on", "pk")


def _with_usage(program, rows: list[Authorization], today: date, since: date | None):
    """Each authorization with its units used (the days engine, run for these rows'
    patients from `since`, the first day of every row of the list, so a page counts as
    the whole list would) and its open review's day."""
    due: dict[int, date] = {}
    for authorization_id, due_on in (
        UtilizationReview.objects.filter(authorization__in=rows, outcome__in=OPEN_OUTCOMES)
        .order_by("-due_on")
        .values_list("authorization_id", "due_on")
    ):
        due[authorization_id] = due_on  # the earliest open review wins
    used: dict[int, int] = defaultdict(int)
    if rows and since is not None:
        last = min(max(a.ends_on for a in rows), today)
        if since <= last:
            used.update(
                program_days(
                    program=program,
                    date_from=since,
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
    return result


def authorizations_in_use(*, user, program_id, today: date, page_number=None) -> Page:
    """A page (50 rows, soonest ending first) of the program's authorizations not ended
    more than a month ago, with units used (counted from billable days) and left, why each
    is running out (by units or by date, STEPWELL_AUTH_WARN_UNITS / STEPWELL_AUTH_WARN_DAYS),
    and the open review's due day: the utilization review worklist of the billing page.
    The rows are paged in SQL; the units are counted for the page's patients only."""
    program = access_billing_program_by_id(user, program_id, object_type="authorization")
    listed = _authorizations_of(program, today)
    page = page_of(listed.select_related("patient", "payer"), page_number)
    rows = list(page)
    since = listed.aggregate(first=Min("starts_on"))["first"] if rows else None
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="authorization",
        object_id=program.pk,
        detail={"patients": sorted({a.patient_id for a in rows})},
    )
    return Page(_with_usage(program, rows, today, since), page.number, page.paginator)


def claim_batches(*, user, program_id, page_number=None) -> Page:
    """The program's claims files, newest first, 50 a page (no patient is named)."""
    program = access_billing_program_by_id(user, program_id, object_type="claim_batch")
    return page_of(
        ClaimBatch.objects.filter(program=program).order_by("-created_at", "-pk"), page_number
    )


def _batch_claims(batch):
    return (
        batch.claims.select_related("patient", "payer", "original", "primary_claim")
        .prefetch_related("lines")
        .order_by("claim_number", "pk")
    )


def _audit_batch(user, batch, claims) -> None:
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        object_type="claim_batch",
        object_id=batch.pk,
        detail={"patients": sorted({c.patient_id for c in claims})},
    )


def claim_batch_window(*, user, batch_id, limit: int, offset: int):
    """A claims file's claims and lines by claim number, `limit` claims after `offset`
    (the API's paging, cut in SQL), and how many claims the file holds; audited naming
    the patients of the claims returned."""
    batch = access_claim_batch_by_id(user, batch_id, action=AuditAction.VIEW)
    claims = list(window(_batch_claims(batch), limit=limit, offset=offset))
    _audit_batch(user, batch, claims)
    return batch, claims, batch.claims.count()


def claim_batch_page(*, user, batch_id, page_number=None) -> tuple[ClaimBatch, Page]:
    """A claims file's review page: 50 claims a page by claim number, each with its lines;
    the event names the page's patients."""
    batch = access_claim_batch_by_id(user, batch_id, action=AuditAction.VIEW)
    claims = page_of(_batch_claims(batch), page_number)
    _audit_batch(user, batch, claims)
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
