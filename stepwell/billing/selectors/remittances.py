"""Reads of imported remittances (835): what each claim was paid or denied, audited
naming every patient shown (privacy/access/billing.py)."""

from __future__ import annotations

from django.core.paginator import Page

from stepwell.core.paging import page_of
from stepwell.privacy.access.billing import (
    access_billing_program_by_id,
    access_remittance_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import Remittance


def remittance_review(*, user, remittance_id, page_number=None) -> tuple[Remittance, Page]:
    """The remittance and 50 of its claim payments a page (in the file's order), each with
    the claim and its lines; the event names the page's patients."""
    remittance = access_remittance_by_id(user, remittance_id)
    payments = page_of(
        remittance.payments.select_related("claim__patient", "claim__payer")
        .prefetch_related("claim__lines")
        .order_by("pk"),
        page_number,
    )
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        object_type="remittance",
        object_id=remittance.pk,
        detail={"patients": sorted({p.claim.patient_id for p in payments})},
    )
    return remittance, payments


def remittances_of_program(*, user, program_id, page_number=None) -> Page:
    """The program's imported remittances, newest first, 50 a page (no patient is named)."""
    program = access_billing_program_by_id(user, program_id, object_type="remittance")
    return page_of(
        Remittance.objects.filter(program=program).order_by("-created_at", "-pk"), page_number
    )
