"""The patient's own record, downloaded from the portal as a PDF or a FHIR bundle.

Every section (plan, scores, attendance, notes, consents, disclosures, amendments) over the
whole stay; never psychotherapy notes. A patient reading their own record is not a
disclosure, but the copy is still labelled: Stepwell never writes Part 2 records into a
file without the label and the notice. Each download is audited.
"""

from __future__ import annotations

from django.utils import timezone

from stepwell.privacy.access import consent as access
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from ..documents import record_html
from ..fhir import record_bundle
from ..record_content import record_content
from ..terms import OWN_RECORD_SECTIONS


def _start(patient):
    first = patient.episodes.order_by("referred_on").values_list("referred_on", flat=True).first()
    return first or timezone.localdate()


def own_record_html(*, actor) -> tuple[str, object]:
    """The body of the patient's own record (for the page and its PDF), and the patient."""
    patient = access.access_own_record(actor)
    content = record_content(
        patient,
        sections=OWN_RECORD_SECTIONS,
        date_from=_start(patient),
        date_to=timezone.localdate(),
    )
    audit_record(
        user=actor,
        action=AuditAction.EXPORT,
        patient_id=patient.pk,
        object_type="own_record",
        object_id=patient.pk,
        detail={"format": "pdf", "part2": content.part2},
    )
    return record_html(content, title="My record"), patient


def own_record_fhir(*, actor, patient_id: int | None = None) -> dict:
    """The patient's own record as a FHIR bundle. Given `patient_id` (the API's path), it
    must be the patient's own: anyone else's is refused like staff are."""
    patient = access.access_own_record(actor)
    if patient_id is not None and patient_id != patient.pk:
        raise refuse(
            actor=actor, action=AuditAction.EXPORT, object_type="own_record", object_id=patient_id
        )
    episodes = list(patient.episodes.select_related("program").order_by("referred_on", "pk"))
    bundle = record_bundle(
        patient, episodes=episodes, sections=OWN_RECORD_SECTIONS, whole_record=True
    )
    audit_record(
        user=actor,
        action=AuditAction.EXPORT,
        patient_id=patient.pk,
        object_type="own_record",
        object_id=patient.pk,
        detail={"format": "fhir", "resources": len(bundle.get("entry", []))},
    )
    return bundle
