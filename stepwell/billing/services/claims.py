"""Writing claims: a claims file for a program and dates, and a corrected claim. One
transaction each, audited with every patient the file names.

What is billed is recorded: the file as written, each claim, its lines and the days it
bills. A day is billed once (the database refuses a second active BilledDay for a
patient and day). A corrected claim (frequency code 7) names the claim it replaces and
takes over its days. Claims hold codes and dates only, never note text.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.billing import access_claim_by_id, access_claims_program_by_id
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.calendar.weeks import utc_to_local

from ..claim_files import (
    ClaimDraft,
    billing_provider_of,
    claim_drafts,
    claim_out,
    claims_file,
)
from ..models import (
    STANDING,
    BilledDay,
    Claim,
    ClaimBatch,
    ClaimFormat,
    ClaimLine,
    ClaimStatus,
)
from ..selectors.days import program_days

MAX_DAYS = 366


def _who(actor) -> str:
    return actor.get_username()


def _check_dates(date_from: date, date_to: date, today: date) -> None:
    errors = {}
    if date_to < date_from:
        errors["date_to"] = "On or after the first day."
    elif (date_to - date_from).days >= MAX_DAYS:
        errors["date_to"] = f"At most {MAX_DAYS} days in one file."
    if date_to >= today:
        errors["date_to"] = "Up to yesterday: a day is billed once it is over."
    if errors:
        raise ApplicationError("Those dates cannot be billed.", field_errors=errors)


def _check_format(file_format: str) -> None:
    if file_format not in ClaimFormat.values:
        raise ApplicationError("Unknown file format.", field_errors={"file_format": "837i or csv."})


def _save(
    *,
    actor,
    program,
    drafts: list[ClaimDraft],
    date_from: date,
    date_to: date,
    file_format: str,
    now: datetime,
    original: Claim | None = None,
) -> ClaimBatch:
    """The batch, its claims, lines and billed days, and the file. Inside a transaction."""
    provider = billing_provider_of(program)
    batch = ClaimBatch.objects.create(
        program=program,
        date_from=date_from,
        date_to=date_to,
        file_format=file_format,
        content="",
        created_by=actor if getattr(actor, "pk", None) else None,
        created_by_name=_who(actor),
        created_at=now,
    )
    outs = []
    for index, draft in enumerate(drafts, start=1):
        claim = Claim.objects.create(
            batch=batch,
            program=program,
            patient=draft.days[0].patient,
            coverage=draft.coverage,
            payer=draft.coverage.payer,
            claim_number=f"SW{batch.pk:06d}{index:04d}",
            frequency_code="7" if original else "1",
            original=original,
            statement_from=draft.statement_from,
            statement_to=draft.statement_to,
            total_charge=draft.total,
            prior_authorization=draft.authorization_number,
            created_at=now,
        )
        ClaimLine.objects.bulk_create(
            ClaimLine(
                claim=claim,
                line_number=number,
                service_date=line.service_date,
                revenue_code=line.revenue_code,
                procedure_code=line.procedure_code,
                units=line.units,
                charge=line.charge,
            )
            for number, line in enumerate(draft.lines, start=1)
        )
        try:
            with transaction.atomic():
                BilledDay.objects.bulk_create(
                    BilledDay(claim=claim, patient_id=draft.patient_id, day=d.day)
                    for d in draft.days
                )
        except IntegrityError as error:
            raise ApplicationError(
                "A day in these dates was billed meanwhile; nothing was written.",
                field_errors={"date_from": "Try again: the billed days are left out."},
            ) from error
        outs.append(claim_out(claim, provider, draft.days[0].diagnoses))
    local = utc_to_local(program.timezone, now)
    batch.content = claims_file(
        file_format=file_format,
        provider=provider,
        claims=outs,
        control_number=batch.pk,
        now=local,
    )
    batch.save(update_fields=["content"])
    return batch


def _audit(actor, batch: ClaimBatch, patient_ids: list[int], **detail) -> None:
    audit_record(
        user=actor,
        action=AuditAction.EXPORT,
        object_type="claim_batch",
        object_id=batch.pk,
        detail={
            "program": batch.program_id,
            "format": batch.file_format,
            "claims": batch.claims.count(),
            "patients": sorted(set(patient_ids)),
            **detail,
        },
    )


def claims_generate(
    *,
    actor,
    program_id: int,
    date_from: date,
    date_to: date,
    file_format: str,
    now: datetime | None = None,
) -> ClaimBatch:
    """A claims file of every billable day of the program between the dates that is not
    billed yet. Days not billable yet (see the billing worklist) and self-pay days are
    left out."""
    program = access_claims_program_by_id(actor, program_id)
    now = now or timezone.now()
    _check_format(file_format)
    _check_dates(date_from, date_to, utc_to_local(program.timezone, now).date())
    days = program_days(program=program, date_from=date_from, date_to=date_to).days
    to_bill = [d for d in days if d.to_bill]
    if not to_bill:
        raise ApplicationError(
            f"No billable day of {program.name} between {date_from:%Y-%m-%d} and "
            f"{date_to:%Y-%m-%d} is waiting to be billed.",
            field_errors={"date_from": "Nothing to bill in these dates."},
        )
    drafts = claim_drafts(to_bill)
    with transaction.atomic():
        batch = _save(
            actor=actor,
            program=program,
            drafts=drafts,
            date_from=date_from,
            date_to=date_to,
            file_format=file_format,
            now=now,
        )
        _audit(actor, batch, [d.patient_id for d in drafts], days=len(to_bill))
    return batch


def claim_correct(
    *, actor, claim_id: int, file_format: str | None = None, now: datetime | None = None
) -> ClaimBatch:
    """A corrected claim (frequency code 7, naming the original) for the days of a claim
    as the record has them now: a new file holding it. The original's days move to it."""
    original = access_claim_by_id(actor, claim_id, action=AuditAction.CREATE)
    now = now or timezone.now()
    file_format = file_format or original.batch.file_format
    _check_format(file_format)
    _check_standing(original)
    billed_here = set(original.days.filter(active=True).values_list("day", flat=True))
    days = program_days(
        program=original.program,
        date_from=original.statement_from,
        date_to=original.statement_to,
        patient_ids=[original.patient_id],
    ).days
    keep = [
        d
        for d in days
        if d.result.billable
        and d.day in billed_here
        and d.coverage is not None
        and d.coverage.pk == original.coverage_id
    ]
    if not keep:
        raise ApplicationError(
            "No day of this claim is billable now, so there is nothing to replace it with.",
            field_errors={"claim": "Void the claim instead."},
        )
    drafts = claim_drafts(keep)
    if len(drafts) != 1:
        raise ApplicationError(
            "The days of this claim now fall under different authorizations.",
            field_errors={"claim": "Correct it with the payer by hand."},
        )
    with transaction.atomic():
        Claim.objects.filter(pk=original.pk).update(status=ClaimStatus.REPLACED)
        BilledDay.objects.filter(claim=original).update(active=False)
        batch = _save(
            actor=actor,
            program=original.program,
            drafts=drafts,
            date_from=original.statement_from,
            date_to=original.statement_to,
            file_format=file_format,
            now=now,
            original=original,
        )
        _audit(actor, batch, [original.patient_id], replaces=original.claim_number)
    return batch


def _check_standing(claim: Claim) -> None:
    if claim.status not in STANDING or claim.is_void:
        raise ApplicationError(
            f"This claim is {claim.get_status_display().lower()}.",
            field_errors={"claim": "Correct or void the newest claim instead."},
        )


def last_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before `today`'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last
