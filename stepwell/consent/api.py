"""Consents, disclosures and the patient's own record over the API. Access is the
services' (privacy.access.consent); refusals and rule errors are answered by stepwell/api.py."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime

from django.urls import reverse
from ninja import Query, Router, Schema

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses
from stepwell.core.errors import ApplicationError

from . import selectors, services

router = Router(tags=["consent"])


class ConsentOut(Out):
    id: int
    kind: str
    status: str
    recipient_kind: str
    recipients: list[str]
    purpose: str
    sections: list[str]
    expires_on: date | None
    expiry_event: str
    signed_at: datetime | None
    ended_at: datetime | None


class ConsentIn(Schema):
    kind: str
    program_ids: list[int]
    signature_method: str = "portal"
    recipient_kind: str = ""
    recipients: list[str] = []
    purpose: str = ""
    purpose_detail: str = ""
    sections: list[str] = []
    information_description: str = ""
    date_from: date | None = None
    date_to: date | None = None
    expires_on: date | None = None
    expiry_event: str = ""
    signer_name: str = ""
    signed_on: date | None = None
    scan_base64: str = ""
    scan_content_type: str = ""


class RevokeIn(Schema):
    note: str = ""


class DisclosureOut(Out):
    id: int
    made_at: datetime
    recipient: str
    recipient_affiliation: str
    purpose: str
    basis: str
    consent_id: int | None
    sections: list[str]
    date_from: date
    date_to: date
    document_format: str
    part2: bool
    document_url: str


class DisclosureIn(Schema):
    basis: str = "consent"
    consent_id: int | None = None
    recipient: str
    recipient_affiliation: str = ""
    purpose: str
    purpose_detail: str = ""
    sections: list[str]
    date_from: date | None = None
    date_to: date | None = None
    document_format: str = "pdf"


def _consent_out(c) -> dict:
    return {
        "id": c.pk,
        "kind": c.kind,
        "status": c.status,
        "recipient_kind": c.recipient_kind,
        "recipients": c.recipient_list,
        "purpose": c.purpose,
        "sections": c.sections,
        "expires_on": c.expires_on,
        "expiry_event": c.expiry_event,
        "signed_at": c.signed_at,
        "ended_at": c.ended_at,
    }


def _disclosure_out(request, d) -> dict:
    return {
        "id": d.pk,
        "made_at": d.made_at,
        "recipient": d.recipient,
        "recipient_affiliation": d.recipient_affiliation,
        "purpose": d.purpose,
        "basis": d.basis,
        "consent_id": d.consent_id,
        "sections": d.sections,
        "date_from": d.date_from,
        "date_to": d.date_to,
        "document_format": d.document_format,
        "part2": d.part2,
        "document_url": request.build_absolute_uri(
            reverse("consent:disclosure", args=[d.pk]) + "?download=1"
        ),
    }


@router.get("/patients/{patient_id}/consents", response=responses({200: list[ConsentOut]}))
def consents_list(
    request,
    patient_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The patient's consents, newest first, a page at a time: `limit` (50 unless asked,
    at most 500) after `offset`."""
    rows = selectors.consents_listed(
        actor=request.user, patient_id=patient_id, limit=limit, offset=offset
    )
    return [_consent_out(c) for c in rows]


@router.post("/patients/{patient_id}/consents", response=responses({201: ConsentOut}))
def consent_create(request, patient_id: int, payload: ConsentIn):
    """Record a consent: waiting for the patient's signature on the portal, or signed on
    paper with its scan (base64)."""
    try:
        scan = base64.b64decode(payload.scan_base64, validate=True) if payload.scan_base64 else None
    except (binascii.Error, ValueError):
        raise ApplicationError(
            "The scan is not valid base64.", field_errors={"scan_base64": "Not valid base64."}
        ) from None
    data = payload.dict(exclude={"scan_base64", "recipients"})
    consent = services.consent_record(
        actor=request.user,
        patient_id=patient_id,
        recipients="\n".join(payload.recipients),
        scan=scan,
        scan_name="scan",
        **data,
    )
    return 201, _consent_out(consent)


@router.post("/consents/{consent_id}/revoke", response=responses({200: ConsentOut}))
def consent_revoke(request, consent_id: int, payload: RevokeIn):
    """Revoke a signed consent (the patient, or staff on the patient's word)."""
    consent = services.consent_revoke(actor=request.user, consent_id=consent_id, note=payload.note)
    return _consent_out(consent)


@router.get("/patients/{patient_id}/disclosures", response=responses({200: list[DisclosureOut]}))
def disclosures_list(
    request,
    patient_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The accounting of disclosures: every disclosure, with date, recipient, purpose and
    content, newest first, a page at a time: `limit` (50 unless asked, at most 500) after
    `offset`."""
    rows = selectors.disclosures_listed(
        actor=request.user, patient_id=patient_id, limit=limit, offset=offset
    )
    return [_disclosure_out(request, d) for d in rows]


@router.post("/patients/{patient_id}/disclosures", response=responses({201: DisclosureOut}))
def disclosure_create(request, patient_id: int, payload: DisclosureIn):
    """Make a disclosure under a consent; 400 naming what the consent does not cover."""
    disclosure = services.disclosure_make(
        actor=request.user,
        patient_id=patient_id,
        basis=payload.basis,
        consent_id=payload.consent_id,
        through="api",
        data=services.DisclosureInput(
            recipient=payload.recipient,
            recipient_affiliation=payload.recipient_affiliation,
            purpose=payload.purpose,
            purpose_detail=payload.purpose_detail,
            sections=tuple(payload.sections),
            date_from=payload.date_from,
            date_to=payload.date_to,
            document_format=payload.document_format,
        ),
    )
    return 201, _disclosure_out(request, disclosure)


@router.get("/patients/{patient_id}/record", response=responses({200: dict}))
def own_record(request, patient_id: int):
    """The patient's own record as a FHIR bundle: the patient only."""
    return services.own_record_fhir(actor=request.user, patient_id=patient_id)
