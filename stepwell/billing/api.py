"""Billing over JSON: a program's billable days, writing a claims file, and reading one.
Same services, selectors and access rules as the pages; every read names its patients in
the audit trail. No note text is ever answered."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses

from . import services
from .selectors import work

router = Router(tags=["billing"])


class ProblemOut(Out):
    code: str
    message: str
    fix: str


class BillableDayOut(Out):
    patient_id: int
    day: date
    payer: str | None
    minutes: int
    services: int
    status: str  # billable, blocked, not_claimed
    billed_claim: str
    tier: str
    authorization: str
    problems: list[ProblemOut]


class DaysOut(Out):
    program_id: int
    date_from: date
    date_to: date
    days: list[BillableDayOut]


class LineOut(Out):
    line_number: int
    service_date: date
    revenue_code: str
    procedure_code: str
    units: int
    charge: Decimal


class ClaimOut(Out):
    id: int
    claim_number: str
    patient_id: int
    payer: str
    statement_from: date
    statement_to: date
    frequency_code: str
    original_claim_number: str
    prior_authorization: str
    total_charge: Decimal
    status: str
    lines: list[LineOut]


class BatchOut(Out):
    id: int
    program_id: int
    file_format: str
    date_from: date
    date_to: date
    created_at: str
    claims_total: int  # how many claims the file holds; `claims` is a window of them
    claims: list[ClaimOut]


class ClaimsIn(Schema):
    date_from: date
    date_to: date
    file_format: str = "837i"


def _day(d) -> dict:
    return {
        "patient_id": d.patient.pk,
        "day": d.day,
        "payer": d.coverage.payer.name if d.coverage else None,
        "minutes": d.result.minutes,
        "services": len(d.result.services),
        "status": d.result.status.value,
        "billed_claim": d.billed_claim,
        "tier": d.result.tier,
        "authorization": d.result.authorization.value,
        "problems": [
            {"code": p.code, "message": p.message, "fix": p.fix} for p in d.result.problems
        ],
    }


def _batch(batch, claims, total: int) -> dict:
    return {
        "id": batch.pk,
        "program_id": batch.program_id,
        "file_format": batch.file_format,
        "date_from": batch.date_from,
        "date_to": batch.date_to,
        "created_at": batch.created_at.isoformat(),
        "claims_total": total,
        "claims": [
            {
                "id": c.pk,
                "claim_number": c.claim_number,
                "patient_id": c.patient_id,
                "payer": c.payer.name,
                "statement_from": c.statement_from,
                "statement_to": c.statement_to,
                "frequency_code": c.frequency_code,
                "original_claim_number": c.original.claim_number if c.original_id else "",
                "prior_authorization": c.prior_authorization,
                "total_charge": c.total_charge,
                "status": c.status,
                "lines": [
                    {
                        "line_number": ln.line_number,
                        "service_date": ln.service_date,
                        "revenue_code": ln.revenue_code,
                        "procedure_code": ln.procedure_code,
                        "units": ln.units,
                        "charge": ln.charge,
                    }
                    for ln in c.lines.all()
                ],
            }
            for c in claims
        ],
    }


@router.get("/programs/{program_id}/days", response=responses({200: DaysOut}))
def billable_days(
    request,
    program_id: int,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Each patient's day with attended services in the weeks holding the dates (default:
    the two weeks before today): billable, billed, self-pay, or blocked with each problem
    and its fix. A page of patients at a time, by name: `limit` patients (50 unless asked,
    at most 500) after `offset`, each with all their days in the weeks."""
    date_to = date_to or timezone.localdate() - timedelta(days=1)
    date_from = date_from or date_to - timedelta(days=13)
    page = work.billing_weeks(
        user=request.user,
        program_id=program_id,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        offset=offset,
    )
    days = [_day(d) for week in page.weeks for d in week.days]
    return Status(
        200,
        {
            "program_id": page.program.pk,
            "date_from": page.date_from,
            "date_to": page.date_to,
            "days": days,
        },
    )


@router.post("/programs/{program_id}/claims", response=responses({201: BatchOut}))
def claims_create(request, program_id: int, payload: ClaimsIn):
    """Write a claims file (837i or csv) of every billable day between the dates not
    billed yet. The answer holds the file's first 50 claims by claim number and
    `claims_total`; the rest come from GET /claims/{batch_id} with `offset`."""
    batch = services.claims_generate(
        actor=request.user,
        program_id=program_id,
        date_from=payload.date_from,
        date_to=payload.date_to,
        file_format=payload.file_format,
    )
    batch, claims, total = work.claim_batch_window(
        user=request.user, batch_id=batch.pk, limit=PAGE_SIZE, offset=0
    )
    return Status(201, _batch(batch, claims, total))


@router.get("/claims/{batch_id}", response=responses({200: BatchOut}))
def claims_file(
    request,
    batch_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """A claims file's claims and lines by claim number: `limit` claims (50 unless asked,
    at most 500) after `offset`, and `claims_total`, how many the file holds. (The file
    itself is the page's download.)"""
    batch, claims, total = work.claim_batch_window(
        user=request.user, batch_id=batch_id, limit=limit, offset=offset
    )
    return Status(200, _batch(batch, claims, total))
