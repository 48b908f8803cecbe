"""Medications and allergies of a record: MedicationStatement and AllergyIntolerance.

A medication or an allergy belongs to no single episode: it is placed by its date (a
medication by its start, an allergy by when it was recorded) among the patient's
episodes, like a session (RecordCollector.place). It is taken when every episode of that
date is in the export's scope, and carries the Part 2 labels when any of them is in a
Part 2 program (docs/clinical-sources.md §5). A drug's RxNorm code goes with its system
only when it was checked (§7.2); an unchecked or typed-in drug goes as text. Drug tests
are not exported yet.
"""

from __future__ import annotations

from stepwell.meds.models import Allergy, AllergyKind, Medication, MedicationStatus

from . import codes
from .builders.base import coding, concept, day, instant, meta, narrative

ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
SNOMED = "http://snomed.info/sct"
# "No known allergy (situation)", the code US Core gives for an explicit "no known
# allergies" (docs/clinical-sources.md §7.5).
NO_KNOWN_ALLERGY = "716186003"
STATEMENT_STATUS = {
    MedicationStatus.ACTIVE: "active",
    MedicationStatus.ON_HOLD: "on-hold",
    MedicationStatus.STOPPED: "stopped",
}


def medication_statement(medication: Medication, *, patient_ref, source_ref, part2) -> dict:
    drug = concept(
        medication.name,
        coding(
            codes.RXNORM,
            medication.rxnorm_code,
            medication.name,
            verified=medication.code_verified,
        )
        if medication.rxnorm_code
        else None,
    )
    reason = None
    if medication.reason_code or medication.reason_text:
        reason = concept(
            medication.reason_text,
            coding(codes.ICD10CM, medication.reason_code) if medication.reason_code else None,
        )
    notes = [medication.status_reason] if medication.status_reason else []
    if medication.opioid_treatment_program:
        notes.append(f"Opioid treatment program: {medication.opioid_treatment_program}")
    notes.append(f"Prescriber: {medication.prescriber_label}")
    return {
        "resourceType": "MedicationStatement",
        "id": f"medication-{medication.pk}",
        "meta": meta("MedicationStatement", part2=part2),
        "text": narrative(f"{medication.name} {medication.dose_text}"),
        "status": STATEMENT_STATUS[medication.status],
        "medicationCodeableConcept": drug,
        "subject": patient_ref,
        "effectivePeriod": {
            "start": day(medication.start_date),
            "end": day(medication.stop_date),
        },
        "dateAsserted": instant(medication.created_at),
        "informationSource": source_ref,
        "reasonCode": [reason] if reason else [],
        "dosage": [
            {
                "text": medication.dose_text,
                "route": concept(medication.get_route_display()),
                "doseAndRate": [
                    {"doseQuantity": {"value": medication.dose, "unit": medication.unit}}
                ],
            }
        ],
        "note": [{"text": text} for text in notes],
    }


def allergy_intolerance(allergy: Allergy, *, patient_ref, recorder_ref, part2) -> dict:
    status = "active" if allergy.active else "inactive"
    if allergy.kind == AllergyKind.NO_KNOWN_ALLERGIES:
        code = concept("No known allergies", coding(SNOMED, NO_KNOWN_ALLERGY, "No known allergy"))
        kind, reactions = None, []
    else:
        code = concept(allergy.substance)
        kind = allergy.kind
        reactions = []
        if allergy.reaction or allergy.severity:
            reactions.append(
                {
                    "manifestation": [concept(allergy.reaction or "Reaction not described")],
                    "severity": allergy.severity or None,
                }
            )
    return {
        "resourceType": "AllergyIntolerance",
        "id": f"allergy-{allergy.pk}",
        "meta": meta("AllergyIntolerance", part2=part2),
        "clinicalStatus": concept("", coding(ALLERGY_CLINICAL, status, status.title())),
        "type": kind,
        "code": code,
        "patient": patient_ref,
        "recordedDate": instant(allergy.recorded_at),
        "recorder": recorder_ref,
        "reaction": reactions,
    }


def collect_medications(collector) -> None:
    for medication in (
        Medication.objects.filter(patient=collector.patient)
        .select_related("recorded_by")
        .order_by("start_date", "pk")
    ):
        placement = collector.place(moment=medication.start_date)
        if not placement.include:
            continue
        collector.resources.add(
            medication_statement(
                medication,
                patient_ref=collector.patient_ref,
                source_ref=collector.practitioner(medication.recorded_by),
                part2=placement.part2,
            )
        )
    for allergy in (
        Allergy.objects.filter(patient=collector.patient)
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    ):
        placement = collector.place(moment=allergy.recorded_at)
        if not placement.include:
            continue
        collector.resources.add(
            allergy_intolerance(
                allergy,
                patient_ref=collector.patient_ref,
                recorder_ref=collector.practitioner(allergy.recorded_by),
                part2=placement.part2,
            )
        )


__all__ = ["allergy_intolerance", "collect_medications", "medication_statement"]
