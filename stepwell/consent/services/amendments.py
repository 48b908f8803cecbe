"""Amendment requests: the patient asks for a correction of their record; a clinician or
director of their program accepts or denies it, always with a reason, and the record shows
the request and the decision (HIPAA's right to amend, docs/clinical-sources.md §9.7).
A signed note or plan is never edited: an accepted amendment is made as an addendum or a
new version by the usual pages, and the decision says so.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access import consent as access
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import AmendmentRequest, AmendmentStatus
from ..terms import Section

MAX_TEXT = 4000


def amendment_request(*, actor, section: str, request: str) -> AmendmentRequest:
    """The patient asks, on the portal, for part of their record to be corrected."""
    patient = access.access_own_record(actor, object_type="amendment")
    errors = {}
    if section not in {s.value for s in Section}:
        errors["section"] = "Choose the part of your record to correct."
    text = (request or "").strip()
    if not text:
        errors["request"] = "Say what should change, and why."
    elif len(text) > MAX_TEXT:
        errors["request"] = f"Keep it under {MAX_TEXT} characters."
    if errors:
        raise ApplicationError("The request is missing something.", field_errors=errors)
    with transaction.atomic():
        amendment = AmendmentRequest.objects.create(
            patient=patient,
            section=section,
            request=text,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="amendment",
            object_id=amendment.pk,
            detail={"section": section},
        )
    return amendment


def amendment_decide(*, actor, amendment_id: int, accept: bool, reason: str) -> AmendmentRequest:
    """Accept or deny a patient's amendment request, with the reason."""
    amendment = access.access_amendment_decide_by_id(actor, amendment_id)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give the reason for the decision.",
            field_errors={"reason": "Accepting: what was corrected and where. Denying: why."},
        )
    with transaction.atomic():
        amendment = AmendmentRequest.objects.select_for_update().get(pk=amendment.pk)
        if amendment.status != AmendmentStatus.PENDING:
            raise ApplicationError(
                "This request was already decided.", field_errors={"reason": "Already decided."}
            )
        amendment.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.DENIED
        amendment.decided_by = actor
        amendment.decided_at = timezone.now()
        amendment.decision_reason = reason[:MAX_TEXT]
        amendment.save()
        audit_record(
            user=actor,
            action="decide",
            patient_id=amendment.patient_id,
            object_type="amendment",
            object_id=amendment.pk,
            detail={"status": amendment.status},
        )
    return amendment
