"""Importing a payer's remittance advice (835): one transaction, audited with every
patient it names.

The file is read whole first (billing/remit.py: validated with pyx12; a bad file is
refused naming its segment, and nothing is written). Each claim payment is matched by
its claim number (CLP01, the CLM01 Stepwell sent) to a claim of the program, and each
service line by its date and procedure (or revenue) code to a line of that claim. A
matched line is marked paid (with the amount) or denied (paid nothing), with the
adjustments' group and reason codes (CARC). Claim numbers the program never sent and
lines that match nothing are reported and kept with the import; they change nothing.
A file is imported once (payer and trace number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.billing import access_remit_program_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import STANDING, Claim, ClaimPayment, ClaimStatus, RemitOutcome, Remittance
from ..remit import ClaimPaymentIn, RemitError, ServicePayment, parse_835

MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class RemitResult:
    remittance: Remittance
    claims_matched: int
    lines_paid: int
    lines_denied: int
    unknown_claims: list[str]
    unmatched_lines: list[str]


def _codes(adjustments) -> str:
    return ", ".join(a.label for a in adjustments)[:200]


def _match_line(claim: Claim, line: ServicePayment, taken: set[int]):
    for candidate in claim.lines.all():
        if candidate.pk in taken or candidate.service_date != line.service_date:
            continue
        if line.procedure_code in (candidate.procedure_code, candidate.revenue_code) or (
            line.revenue_code and line.revenue_code == candidate.revenue_code
        ):
            return candidate
    return None


def _apply(claim: Claim, payment: ClaimPaymentIn, counts: dict, unmatched: list[str]) -> None:
    taken: set[int] = set()
    for line in payment.lines:
        match = _match_line(claim, line, taken)
        if match is None:
            when = f"{line.service_date:%Y-%m-%d}" if line.service_date else "no date"
            unmatched.append(f"{claim.claim_number}: {when} {line.procedure_code}")
            continue
        taken.add(match.pk)
        denied = payment.denied or line.paid <= 0
        match.remit_outcome = RemitOutcome.DENIED if denied else RemitOutcome.PAID
        match.paid_amount = line.paid
        match.reason_codes = _codes((*line.adjustments, *payment.adjustments))
        match.save(update_fields=["remit_outcome", "paid_amount", "reason_codes"])
        counts["denied" if denied else "paid"] += 1
    if payment.denied and not payment.lines:  # a claim denied whole, without lines
        for match in claim.lines.all():
            match.remit_outcome = RemitOutcome.DENIED
            match.paid_amount = Decimal("0")
            match.reason_codes = _codes(payment.adjustments)
            match.save(update_fields=["remit_outcome", "paid_amount", "reason_codes"])
            counts["denied"] += 1


def remittance_import(
    *, actor, program_id: int, content: str, file_name: str = "", now: datetime | None = None
) -> RemitResult:
    """Import an 835 for a program: mark its claims' lines paid or denied."""
    program = access_remit_program_by_id(actor, program_id)
    if not content or not content.strip():
        raise ApplicationError("The file is empty.", field_errors={"file": "Choose an 835 file."})
    if len(content) > MAX_BYTES:
        raise ApplicationError(
            "The file is too large.", field_errors={"file": "At most 5 MB per remittance."}
        )
    try:
        remit = parse_835(content)
    except RemitError as error:
        raise ApplicationError(
            f"The remittance could not be read: {error}", field_errors={"file": str(error)}
        ) from error
    if Remittance.objects.filter(
        program=program, payer_name=remit.payer_name, trace_number=remit.trace_number
    ).exists():
        raise ApplicationError(
            "This remittance was imported already.",
            field_errors={"file": f"{remit.payer_name} {remit.trace_number} is already imported."},
        )
    numbers = [c.claim_number for c in remit.claims]
    claims = {
        c.claim_number: c
        for c in Claim.objects.filter(program=program, claim_number__in=numbers).prefetch_related(
            "lines"
        )
    }
    unknown = [n for n in numbers if n not in claims]
    unmatched: list[str] = []
    counts = {"paid": 0, "denied": 0}
    now = now or timezone.now()
    with transaction.atomic():
        remittance = Remittance.objects.create(
            program=program,
            payer_name=remit.payer_name[:60],
            payer_identifier=remit.payer_identifier[:80],
            trace_number=remit.trace_number[:50],
            paid_on=remit.paid_on,
            total_paid=remit.total_paid,
            file_name=(file_name or "")[:200],
            content=content,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_by_name=actor.get_username(),
            created_at=now,
        )
        for payment in remit.claims:
            claim = claims.get(payment.claim_number)
            if claim is None:
                continue
            ClaimPayment.objects.create(
                remittance=remittance,
                claim=claim,
                status_code=payment.status_code,
                charge=payment.charge,
                paid=payment.paid,
                patient_responsibility=payment.patient_responsibility,
                payer_claim_number=payment.payer_claim_number[:50],
                reason_codes=_codes(payment.adjustments),
            )
            _apply(claim, payment, counts, unmatched)
            if claim.status in STANDING:
                status = ClaimStatus.DENIED if payment.denied else ClaimStatus.PAID
                Claim.objects.filter(pk=claim.pk).update(status=status)
        remittance.unknown_claims = unknown
        remittance.unmatched_lines = unmatched
        remittance.save(update_fields=["unknown_claims", "unmatched_lines"])
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="remittance",
            object_id=remittance.pk,
            detail={
                "program": program.pk,
                "claims": len(claims),
                "unknown": len(unknown),
                "patients": sorted({c.patient_id for c in claims.values()}),
            },
        )
    return RemitResult(
        remittance, len(claims), counts["paid"], counts["denied"], unknown, unmatched
    )
