"""Medications, allergies, reconciliations and drug tests over JSON: the same services
and access rules as the pages. Drug tests carry the 42 CFR Part 2 label of their program."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses

from . import selectors, services
from .models import Allergy, DrugTest, Medication, Reconciliation
from .services import DecisionIn, MedicationData

router = Router(tags=["medications"])
PART2_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


class MedicationOut(Out):
    id: int
    patient_id: int
    name: str
    rxnorm_code: str | None
    code_verified: bool
    coded: bool
    dose: Decimal
    unit: str
    route: str
    frequency: str
    start_date: date
    stop_date: date | None
    prescriber: str
    opioid_treatment_program: str
    reason_code: str
    reason_text: str
    status: str
    status_reason: str
    controlled_schedule: str


class MedicationIn(Schema):
    formulary_key: str = Field("", max_length=40)
    rxnorm_code: str = Field("", max_length=12)
    name: str = Field("", max_length=200)
    dose: str = Field(max_length=20)
    unit: str = Field(max_length=20)
    route: str = Field("oral", max_length=16)
    frequency: str = Field(max_length=100)
    start_date: date
    stop_date: date | None = None
    prescriber_id: int | None = None
    prescriber_name: str = Field("", max_length=200)
    opioid_treatment_program: str = Field("", max_length=200)
    reason_code: str = Field("", max_length=8)
    reason_text: str = Field("", max_length=300)
    controlled_schedule: str = Field("", max_length=4)


class MedicationPatch(Schema):
    dose: str | None = Field(None, max_length=20)
    unit: str | None = Field(None, max_length=20)
    frequency: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=16)
    status_reason: str = Field("", max_length=300)
    stop_date: date | None = None


class AllergyOut(Out):
    id: int
    patient_id: int
    kind: str
    substance: str
    reaction: str
    severity: str
    active: bool


class AllergyIn(Schema):
    kind: str = Field(max_length=20)
    substance: str = Field("", max_length=200)
    reaction: str = Field("", max_length=300)
    severity: str = Field("", max_length=10)


class DecisionSchema(Schema):
    medication_id: int
    decision: str = Field(max_length=10)
    new_dose: str | None = Field(None, max_length=20)
    new_frequency: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class ReconciliationIn(Schema):
    occasion: str = Field(max_length=16)
    decisions: list[DecisionSchema] = []


class MedicationItemOut(Out):
    medication_id: int
    name: str
    decision: str
    new_dose: Decimal | None
    new_frequency: str
    note: str


class ReconciliationOut(Out):
    id: int
    episode_id: int
    patient_id: int
    occasion: str
    signed_at: datetime | None
    signed_by: str
    items: list[MedicationItemOut]


class ResultOut(Out):
    substance: str
    outcome: str
    expected: bool
    confirmation: str
    unexpected_positive: bool


class DrugTestOut(Out):
    id: int
    patient_id: int
    program_id: int
    method: str
    reason: str
    panel: list[str]
    scheduled_on: date
    status: str
    collected_at: datetime | None
    observed: bool | None
    results: list[ResultOut]
    security_labels: list[str]
    notice: str


class DrugTestIn(Schema):
    method: str = Field("point_of_care", max_length=16)
    reason: str = Field("clinical", max_length=12)
    program_id: int | None = None
    scheduled_on: date | None = None
    panel: list[str] = []
    collected_at: datetime | None = None
    observed: bool | None = None
    results: dict[str, str] | None = None


def medication_out(m: Medication) -> dict:
    return {
        "id": m.pk,
        "patient_id": m.patient_id,
        "name": m.name,
        "rxnorm_code": m.rxnorm_code or None,
        "code_verified": m.code_verified,
        "coded": m.coded,
        "dose": m.dose,
        "unit": m.unit,
        "route": m.route,
        "frequency": m.frequency,
        "start_date": m.start_date,
        "stop_date": m.stop_date,
        "prescriber": m.prescriber_label,
        "opioid_treatment_program": m.opioid_treatment_program,
        "reason_code": m.reason_code,
        "reason_text": m.reason_text,
        "status": m.status,
        "status_reason": m.status_reason,
        "controlled_schedule": m.controlled_schedule,
    }


def allergy_out(a: Allergy) -> dict:
    return {
        "id": a.pk,
        "patient_id": a.patient_id,
        "kind": a.kind,
        "substance": a.substance,
        "reaction": a.reaction,
        "severity": a.severity,
        "active": a.active,
    }


def reconciliation_out(r: Reconciliation) -> dict:
    return {
        "id": r.pk,
        "episode_id": r.episode_id,
        "patient_id": r.episode.patient_id,
        "occasion": r.occasion,
        "signed_at": r.signed_at,
        "signed_by": r.signer_name,
        "items": [
            {
                "medication_id": i.medication_id,
                "name": i.medication.name,
                "decision": i.decision,
                "new_dose": i.new_dose,
                "new_frequency": i.new_frequency,
                "note": i.note,
            }
            for i in selectors.reconciliation_items(r)
        ],
    }


def drug_test_out(t: DrugTest) -> dict:
    part2 = t.program.part2_program
    return {
        "id": t.pk,
        "patient_id": t.patient_id,
        "program_id": t.program_id,
        "method": t.method,
        "reason": t.reason,
        "panel": t.panel,
        "scheduled_on": t.scheduled_on,
        "status": t.status,
        "collected_at": t.collected_at,
        "observed": t.observed,
        "results": [
            {
                "substance": r.substance,
                "outcome": r.outcome,
                "expected": r.expected,
                "confirmation": r.confirmation,
                "unexpected_positive": r.unexpected_positive,
            }
            for r in t.results.all()
        ],
        "security_labels": ["42CFRPart2", "R"] if part2 else [],
        "notice": PART2_NOTICE if part2 else "",
    }


@router.get("/patients/{patient_id}/medications", response=responses({200: list[MedicationOut]}))
def medications_list(
    request,
    patient_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The patient's medication list, stopped ones included (active, on hold, stopped,
    each by name), a page at a time: `limit` (50 unless asked, at most 500) after
    `offset`."""
    _, rows = selectors.patient_medications(
        user=request.user, patient_id=patient_id, limit=limit, offset=offset
    )
    return Status(200, [medication_out(m) for m in rows])


@router.post("/patients/{patient_id}/medications", response=responses({201: MedicationOut}))
def medication_create(request, patient_id: int, payload: MedicationIn):
    medication = services.medication_create(
        actor=request.user, patient_id=patient_id, data=MedicationData(**payload.dict())
    )
    return Status(201, medication_out(medication))


@router.patch("/medications/{medication_id}", response=responses({200: MedicationOut}))
def medication_update(request, medication_id: int, payload: MedicationPatch):
    medication = services.medication_update(
        actor=request.user, medication_id=medication_id, **payload.dict()
    )
    return Status(200, medication_out(medication))


@router.get("/patients/{patient_id}/allergies", response=responses({200: list[AllergyOut]}))
def allergies_list(
    request,
    patient_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The patient's allergy records (active ones first, then by kind and substance), a
    page at a time: `limit` (50 unless asked, at most 500) after `offset`."""
    _, rows = selectors.patient_allergies(
        user=request.user, patient_id=patient_id, limit=limit, offset=offset
    )
    return Status(200, [allergy_out(a) for a in rows])


@router.post("/patients/{patient_id}/allergies", response=responses({201: AllergyOut}))
def allergy_create(request, patient_id: int, payload: AllergyIn):
    allergy = services.allergy_record(actor=request.user, patient_id=patient_id, **payload.dict())
    return Status(201, allergy_out(allergy))


@router.post("/episodes/{episode_id}/reconciliations", response=responses({201: ReconciliationOut}))
def reconciliation_create(request, episode_id: int, payload: ReconciliationIn):
    """Open a reconciliation with its decisions (continue, change, stop)."""
    reconciliation = services.reconciliation_record(
        actor=request.user,
        episode_id=episode_id,
        occasion=payload.occasion,
        decisions=[DecisionIn(**d.dict()) for d in payload.decisions],
    )
    return Status(201, reconciliation_out(reconciliation))


@router.post(
    "/episodes/{episode_id}/reconciliations/{reconciliation_id}/sign",
    response=responses({200: ReconciliationOut}),
)
def reconciliation_sign(request, episode_id: int, reconciliation_id: int):
    reconciliation = services.reconciliation_sign(
        actor=request.user, reconciliation_id=reconciliation_id, episode_id=episode_id
    )
    return Status(200, reconciliation_out(reconciliation))


@router.get("/patients/{patient_id}/drug-tests", response=responses({200: list[DrugTestOut]}))
def drug_tests_list(
    request,
    patient_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The drug tests the user may read, newest first; Part 2 ones carry the label and
    notice. A page at a time: `limit` (50 unless asked, at most 500) after `offset`."""
    _, rows = selectors.patient_drug_tests(
        user=request.user, patient_id=patient_id, limit=limit, offset=offset
    )
    return Status(200, [drug_test_out(t) for t in rows])


@router.post("/patients/{patient_id}/drug-tests", response=responses({201: DrugTestOut}))
def drug_test_create(request, patient_id: int, payload: DrugTestIn):
    """Order a test; with `results` (and `collected_at`, `observed`), a point-of-care
    cup read on the spot."""
    if payload.results is not None:
        test = services.drug_test_point_of_care(
            actor=request.user,
            patient_id=patient_id,
            collected_at=payload.collected_at,
            observed=payload.observed,
            results=payload.results,
            method=payload.method,
            reason=payload.reason,
            program_id=payload.program_id,
        )
    else:
        test = services.drug_test_order(
            actor=request.user,
            patient_id=patient_id,
            method=payload.method,
            scheduled_on=payload.scheduled_on,
            panel=payload.panel or None,
            reason=payload.reason,
            program_id=payload.program_id,
        )
    return Status(201, drug_test_out(test))
