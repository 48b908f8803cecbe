"""What the meds services share: the audit call and the drug look-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.privacy.audit import audit_record

from .. import formulary
from ..models import RxNormConcept


def meds_audit(actor, action: str, *, patient_id, object_type: str, object_id, **detail) -> None:
    audit_record(
        user=actor,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def refused(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, field_errors={field: message})


@dataclass(frozen=True)
class ResolvedDrug:
    formulary_key: str
    name: str
    rxnorm_code: str
    verified: bool
    schedule: str
    detected_as: str
    moud: str


def drug_resolve(*, formulary_key: str = "", rxnorm_code: str = "", name: str = "") -> ResolvedDrug:
    """A drug from the starter formulary (by key or code), from the loaded RxNorm
    release (by code), or a free-text name kept uncoded. An RxNorm code that is in
    neither is refused."""
    formulary_key, rxnorm_code, name = (
        (formulary_key or "").strip(),
        (rxnorm_code or "").strip(),
        (name or "").strip(),
    )
    drug = None
    if formulary_key:
        drug = formulary.starter_drug(formulary_key)
        if drug is None:
            raise refused("formulary_key", "Not a drug of the formulary: choose one from the list.")
    elif rxnorm_code:
        if not (rxnorm_code.isascii() and rxnorm_code.isdigit()):
            raise refused("rxnorm_code", "An RxNorm code is a number, such as 36437.")
        drug = formulary.starter_by_rxnorm(rxnorm_code)
        if drug is None:
            concept = RxNormConcept.objects.filter(rxcui=rxnorm_code).first()
            if concept is None:
                raise refused(
                    "rxnorm_code",
                    f"Unknown RxNorm code {rxnorm_code}: not in the formulary or the loaded "
                    "RxNorm release. Enter the name as free text instead.",
                )
            return ResolvedDrug("", concept.name, concept.rxcui, True, "", "", "")
    if drug is not None:
        return ResolvedDrug(
            drug.key,
            drug.name,
            drug.rxnorm or "",
            drug.verified,
            drug.schedule,
            drug.detected_as,
            drug.moud,
        )
    if not name:
        raise refused("name", "Choose a drug from the formulary or type its name.")
    if len(name) > 200:
        raise refused("name", "At most 200 characters.")
    return ResolvedDrug("", name, "", False, "", "", "")


def patient_today(patient, now=None) -> date:
    """The patient's date of care: their latest episode's program's today."""
    episode = patient.episodes.select_related("program").order_by("-referred_on", "-pk").first()
    if episode is None:
        return timezone.localdate(now or timezone.now())
    return program_today(episode.program, now)
