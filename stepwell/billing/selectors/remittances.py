"""Reads of imported remittances (835): what each claim was paid or denied, audited
naming every patient shown (privacy/access/billing.py)."""

from __future__ import annotations

from stepwell.privacy.access.billing import (
    access_billing_program_by_id,
    access_remittance_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import Remittance


def remittance_review(*, user, remittance_id) -> tuple[Remittance, list]:
    """The remittance and its claim payments, each with the claim and its lines."""
    remittance = access_remittance_by_id(user, remittance_id)
    payments = list(
        remittance.payments.select_related("claim__patient", "claim__payer").prefetch_related(
            "claim__lines"
        )
    )
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        object_type="remittance",
        object_id=remittance.pk,
        detail={"patients": sorted({p.claim.patient_id for p in payments})},
    )
    return remittance, payments


def remittances_of_program(*, user, program_id) -> list[Remittance]:
    """The program's imported remittances, newest first (no patient is named)."""
    program = access_billing_program_by_id(user, program_id, object_type="remittance")
    return list(Remittance.objects.filter(program=program).order_by("-created_at", "-pk")[:20])
