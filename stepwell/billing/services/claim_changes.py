"""After a claim is sent: voiding it (frequency code 8) and billing the patient's
secondary coverage once the primary has paid (coordination of benefits). One transaction
each, audited with the patient the file names (docs/clinical-sources.md §2.7)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.billing import access_claim_by_id
from stepwell.privacy.audit import AuditAction
from stepwell.schedule.calendar.weeks import utc_to_local

from ..claim_files import billing_provider_of, claim_out, claims_file
from ..models import (
    BilledDay,
    Claim,
    ClaimBatch,
    ClaimLine,
    ClaimMethod,
    ClaimStatus,
    Coverage,
    CoveragePriority,
)
from ..selectors.days import diagnoses_of
from .claims import _audit, _check_format, _check_standing, _who


def claim_void(
    *, actor, claim_id: int, file_format: str | None = None, now: datetime | None = None
) -> ClaimBatch:
    """Void a claim with the payer: a new file holding a void (frequency code 8, naming
    the original, with the original's lines). The original's days are released, so they
    can be billed again (to the right payer, for instance)."""
    original = access_claim_by_id(actor, claim_id, action=AuditAction.CREATE)
    now = now or timezone.now()
    file_format = file_format or original.batch.file_format
    _check_format(file_format)
    _check_standing(original)
    diagnoses = diagnoses_of(original.program, [original.patient_id]).get(original.patient_id)
    if not diagnoses:
        raise ApplicationError(
            "The patient has no signed diagnosis, which even a void claim carries.",
            field_errors={"claim": "Sign the assessment's diagnoses first."},
        )
    provider = billing_provider_of(original.program)
    with transaction.atomic():
        Claim.objects.filter(pk=original.pk).update(status=ClaimStatus.VOIDED)
        BilledDay.objects.filter(claim=original).update(active=False)
        batch = ClaimBatch.objects.create(
            program=original.program,
            date_from=original.statement_from,
            date_to=original.statement_to,
            file_format=file_format,
            content="",
            created_by=actor if getattr(actor, "pk", None) else None,
            created_by_name=_who(actor),
            created_at=now,
        )
        void = Claim.objects.create(
            batch=batch,
            program=original.program,
            patient=original.patient,
            coverage=original.coverage,
            payer=original.payer,
            claim_number=f"SW{batch.pk:06d}0001",
            frequency_code="8",
            original=original,
            statement_from=original.statement_from,
            statement_to=original.statement_to,
            total_charge=original.total_charge,
            prior_authorization=original.prior_authorization,
            status=ClaimStatus.VOIDED,
            created_at=now,
        )
        _copy_lines_and_write(
            batch,
            void,
            original,
            file_format=file_format,
            provider=provider,
            diagnoses=diagnoses,
            now=now,
        )
        _audit(actor, batch, [original.patient_id], voids=original.claim_number)
    return batch


def _secondary_coverage(primary: Claim):
    coverages = Coverage.objects.filter(
        patient_id=primary.patient_id, priority=CoveragePriority.SECONDARY
    ).select_related("payer")
    return next(
        (
            c
            for c in coverages
            if c.covers(primary.statement_from)
            and c.payer.claim_method != ClaimMethod.NOT_CLAIMED
            and c.pk != primary.coverage_id
        ),
        None,
    )


def claim_secondary(
    *, actor, claim_id: int, file_format: str | None = None, now: datetime | None = None
) -> ClaimBatch:
    """Bill the patient's secondary coverage for a claim the primary payer has paid: a
    new file holding a claim to the secondary payer (SBR*S) that carries the primary's
    payment and adjustments (loops 2320/2330 and 2430). The days stay billed to the
    primary; a primary claim gets one secondary claim."""
    primary = access_claim_by_id(actor, claim_id, action=AuditAction.CREATE)
    now = now or timezone.now()
    file_format = file_format or primary.batch.file_format
    _check_format(file_format)
    errors = {}
    if primary.status != ClaimStatus.PAID or primary.primary_claim_id:
        errors["claim"] = "Bill the secondary once the primary's remittance has paid the claim."
    elif Claim.objects.filter(primary_claim=primary).exists():
        errors["claim"] = "This claim's secondary claim is written already."
    secondary = _secondary_coverage(primary) if not errors else None
    if not errors and secondary is None:
        errors["claim"] = "The patient has no secondary coverage in force on these days."
    diagnoses = diagnoses_of(primary.program, [primary.patient_id]).get(primary.patient_id)
    if not errors and not diagnoses:
        errors["claim"] = "Sign the assessment's diagnoses first."
    if errors:
        raise ApplicationError("No secondary claim can be written.", field_errors=errors)
    provider = billing_provider_of(primary.program)
    with transaction.atomic():
        batch = ClaimBatch.objects.create(
            program=primary.program,
            date_from=primary.statement_from,
            date_to=primary.statement_to,
            file_format=file_format,
            content="",
            created_by=actor if getattr(actor, "pk", None) else None,
            created_by_name=_who(actor),
            created_at=now,
        )
        claim = Claim.objects.create(
            batch=batch,
            program=primary.program,
            patient=primary.patient,
            coverage=secondary,
            payer=secondary.payer,
            claim_number=f"SW{batch.pk:06d}0001",
            primary_claim=primary,
            statement_from=primary.statement_from,
            statement_to=primary.statement_to,
            total_charge=primary.total_charge,
            created_at=now,
        )
        _copy_lines_and_write(
            batch,
            claim,
            primary,
            file_format=file_format,
            provider=provider,
            diagnoses=diagnoses,
            now=now,
        )
        _audit(actor, batch, [primary.patient_id], secondary_of=primary.claim_number)
    return batch


def _copy_lines_and_write(
    batch, claim, source, *, file_format, provider, diagnoses, now: datetime
) -> None:
    """A void and a secondary claim bill the lines of the claim they follow, unchanged;
    the batch's file then holds that one claim."""
    ClaimLine.objects.bulk_create(
        ClaimLine(
            claim=claim,
            line_number=line.line_number,
            service_date=line.service_date,
            revenue_code=line.revenue_code,
            procedure_code=line.procedure_code,
            units=line.units,
            charge=line.charge,
        )
        for line in source.lines.all()
    )
    batch.content = claims_file(
        file_format=file_format,
        provider=provider,
        claims=[claim_out(claim, provider, diagnoses)],
        control_number=batch.pk,
        now=utc_to_local(source.program.timezone, now),
    )
    batch.save(update_fields=["content"])
