"""A patient's medication list and allergies: prescribers and nurses write them
(privacy.access.meds). Bad input is refused with the field named and nothing written:
a dose that is not a positive number, a stop date before the start, an unknown RxNorm
code, a controlled substance with no prescriber (docs/clinical-sources.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from stepwell.accounts.models import Role, User, UserKind
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.privacy.access.meds import (
    MedsNeed,
    access_medication_by_id,
    access_patient_meds_by_id,
)
from stepwell.privacy.audit import AuditAction

from ..formulary import SCHEDULES
from ..models import (
    Allergy,
    AllergyKind,
    AllergySeverity,
    Medication,
    MedicationChange,
    MedicationStatus,
    Route,
)
from .common import ResolvedDrug, drug_resolve, meds_audit, patient_today, refused

MAX_DOSE = Decimal("1000000")


@dataclass(frozen=True)
class MedicationData:
    """What a medication is entered with. Exactly one of formulary_key, rxnorm_code or a
    free-text name names the drug."""

    dose: object
    unit: str
    frequency: str
    start_date: date | None
    formulary_key: str = ""
    rxnorm_code: str = ""
    name: str = ""
    route: str = Route.ORAL
    stop_date: date | None = None
    prescriber_id: int | None = None
    prescriber_name: str = ""
    opioid_treatment_program: str = ""
    reason_code: str = ""
    reason_text: str = ""
    controlled_schedule: str = ""


def _dose(value) -> Decimal:
    try:
        dose = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise refused("dose", "The dose must be a positive number, such as 50 or 0.5.") from None
    if not dose.is_finite() or dose <= 0 or dose >= MAX_DOSE:
        raise refused("dose", "The dose must be a positive number, such as 50 or 0.5.")
    return dose.quantize(Decimal("0.001"))


def _prescriber(prescriber_id) -> User | None:
    if not prescriber_id:
        return None
    user = User.objects.filter(
        pk=prescriber_id,
        kind=UserKind.STAFF,
        is_active=True,
        role_assignments__role=Role.PRESCRIBER,
    ).first()
    if user is None:
        raise refused("prescriber_id", "Choose one of the program's prescribers.")
    return user


def _reason(patient, code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        return ""
    known = AssessmentDiagnosis.objects.filter(assessment__episode__patient=patient, code=code)
    if not known.exists():
        raise refused("reason_code", "Choose one of the patient's diagnoses.")
    return code


def _checked(patient, data: MedicationData, drug: ResolvedDrug) -> dict:
    """The fields of a medication, or the first rule the input breaks."""
    dose = _dose(data.dose)
    unit, frequency = (data.unit or "").strip(), (data.frequency or "").strip()
    if not unit or len(unit) > 20:
        raise refused("unit", "Give the unit of the dose, such as mg or mL.")
    if not frequency or len(frequency) > 100:
        raise refused("frequency", "Say how often, such as 'once daily'.")
    if data.route not in Route.values:
        raise refused("route", "Choose a route from the list.")
    if data.start_date is None:
        raise refused("start_date", "Give the start date.")
    if data.stop_date is not None and data.stop_date < data.start_date:
        raise refused("stop_date", "The stop date cannot be before the start date.")
    schedule = drug.schedule or (data.controlled_schedule or "").strip().upper()
    if schedule and schedule not in SCHEDULES:
        raise refused("controlled_schedule", "A schedule is II, III, IV or V.")
    prescriber = _prescriber(data.prescriber_id)
    prescriber_name = (data.prescriber_name or "").strip()[:200]
    if schedule and prescriber is None and not prescriber_name:
        raise refused(
            "prescriber_id",
            f"A controlled substance (schedule {schedule}) needs its prescriber: "
            "choose the program's prescriber or name the outside one.",
        )
    otp = (data.opioid_treatment_program or "").strip()[:200]
    if drug.moud == "methadone" and not otp:
        raise refused(
            "opioid_treatment_program",
            "Methadone for opioid use disorder is dispensed by an opioid treatment "
            "program: name it.",
        )
    if drug.moud == "buprenorphine" and prescriber is None and not prescriber_name:
        raise refused("prescriber_id", "Name the treating provider who prescribes buprenorphine.")
    return {
        "formulary_key": drug.formulary_key,
        "name": drug.name,
        "rxnorm_code": drug.rxnorm_code,
        "code_verified": drug.verified,
        "dose": dose,
        "unit": unit,
        "route": data.route,
        "frequency": frequency,
        "start_date": data.start_date,
        "stop_date": data.stop_date,
        "prescriber": prescriber,
        "prescriber_name": "" if prescriber else prescriber_name,
        "opioid_treatment_program": otp,
        "reason_code": _reason(patient, data.reason_code),
        "reason_text": (data.reason_text or "").strip()[:300],
        "controlled_schedule": schedule,
        "detected_as": drug.detected_as,
        "moud": drug.moud,
    }


def medication_create(
    *, actor, patient_id: int, data: MedicationData, visit_note=None, reconciliation=None
) -> Medication:
    """Add a medication to the patient's list (prescribers and nurses)."""
    patient = access_patient_meds_by_id(
        actor, patient_id, need=MedsNeed.WRITE, action=AuditAction.CREATE, object_id="new"
    )
    drug = drug_resolve(
        formulary_key=data.formulary_key, rxnorm_code=data.rxnorm_code, name=data.name
    )
    fields = _checked(patient, data, drug)
    with transaction.atomic():
        medication = Medication(patient=patient, recorded_by=actor, **fields)
        if medication.stop_date is not None:
            medication.status = MedicationStatus.STOPPED
            medication.status_reason = "Stop date given when entered"
        medication.full_clean()
        medication.save()
        MedicationChange.objects.create(
            medication=medication,
            kind=MedicationChange.Kind.STARTED,
            after=f"{medication.name} {medication.dose_text}",
            visit_note=visit_note,
            reconciliation=reconciliation,
            changed_by=actor,
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="medication",
            object_id=medication.pk,
            coded=medication.coded,
        )
    return medication


def medication_update(
    *,
    actor,
    medication_id: int,
    dose: object = None,
    unit: str | None = None,
    frequency: str | None = None,
    status: str | None = None,
    status_reason: str = "",
    stop_date: date | None = None,
    visit_note=None,
    reconciliation=None,
) -> Medication:
    """Change a dose or frequency, put on hold, restart or stop (with a reason). Every
    change is kept in the medication's history, with the visit it was made in."""
    medication = access_medication_by_id(actor, medication_id)
    with transaction.atomic():
        medication = Medication.objects.select_for_update().get(pk=medication.pk)
        if medication.status == MedicationStatus.STOPPED:
            raise refused("status", "This medication is stopped; add it again to restart it.")
        before = medication.dose_text
        new_dose = medication.dose if dose in (None, "") else _dose(dose)
        unit = medication.unit if unit in (None, "") else unit.strip()
        frequency = medication.frequency if frequency in (None, "") else frequency.strip()
        if len(unit) > 20:
            raise refused("unit", "At most 20 characters.")
        if len(frequency) > 100:
            raise refused("frequency", "At most 100 characters.")
        changed = []
        if (new_dose, unit, frequency) != (medication.dose, medication.unit, medication.frequency):
            medication.dose, medication.unit, medication.frequency = new_dose, unit, frequency
            changed.append(
                (MedicationChange.Kind.DOSE, before, medication.dose_text, status_reason)
            )
        if status not in (None, "") and status != medication.status:
            if status not in MedicationStatus.values:
                raise refused("status", "Choose active, on hold or stopped.")
            reason = (status_reason or "").strip()[:300]
            if status in (MedicationStatus.STOPPED, MedicationStatus.ON_HOLD) and not reason:
                raise refused("status_reason", "Say why the medication is stopped or on hold.")
            if status == MedicationStatus.STOPPED:
                end = stop_date or patient_today(medication.patient)
                if end < medication.start_date:
                    raise refused("stop_date", "The stop date cannot be before the start date.")
                medication.stop_date = end
            changed.append(
                (
                    MedicationChange.Kind.STATUS,
                    medication.get_status_display(),
                    MedicationStatus(status).label,
                    reason,
                )
            )
            medication.status, medication.status_reason = status, reason
        if not changed:
            raise refused("dose", "Nothing changed: give a new dose, frequency or status.")
        medication.full_clean()
        medication.save()
        for kind, old, new, reason in changed:
            MedicationChange.objects.create(
                medication=medication,
                kind=kind,
                before=old,
                after=new,
                reason=reason,
                visit_note=visit_note,
                reconciliation=reconciliation,
                changed_by=actor,
            )
        meds_audit(
            actor,
            AuditAction.UPDATE,
            patient_id=medication.patient_id,
            object_type="medication",
            object_id=medication.pk,
            changes=[c[0] for c in changed],
        )
    return medication


def allergy_record(
    *,
    actor,
    patient_id: int,
    kind: str,
    substance: str = "",
    reaction: str = "",
    severity: str = "",
) -> Allergy:
    """Record an allergy or intolerance, or "no known allergies". Recording an allergy
    ends an earlier "no known allergies"; "no known allergies" is refused while an
    allergy is recorded."""
    patient = access_patient_meds_by_id(
        actor,
        patient_id,
        need=MedsNeed.WRITE,
        action=AuditAction.CREATE,
        object_type="allergy",
        object_id="new",
    )
    if kind not in AllergyKind.values:
        raise refused("kind", "Choose allergy, intolerance or no known allergies.")
    substance, reaction = (substance or "").strip()[:200], (reaction or "").strip()[:300]
    active = Allergy.objects.filter(patient=patient, active=True)
    if kind == AllergyKind.NO_KNOWN_ALLERGIES:
        if active.exclude(kind=AllergyKind.NO_KNOWN_ALLERGIES).exists():
            raise refused("kind", "An allergy is recorded: it cannot also have none known.")
        substance, reaction, severity = "", "", ""
    else:
        if not substance:
            raise refused("substance", "Name the substance (a drug, a food, latex...).")
        if severity and severity not in AllergySeverity.values:
            raise refused("severity", "Choose mild, moderate or severe.")
    with transaction.atomic():
        if kind != AllergyKind.NO_KNOWN_ALLERGIES:
            active.filter(kind=AllergyKind.NO_KNOWN_ALLERGIES).update(active=False)
        allergy = Allergy.objects.create(
            patient=patient,
            kind=kind,
            substance=substance,
            reaction=reaction,
            severity=severity or "",
            recorded_by=actor,
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="allergy",
            object_id=allergy.pk,
            kind=kind,
        )
    return allergy
