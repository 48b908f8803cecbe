"""Medications and allergies in the FHIR record ($everything): MedicationStatement and
AllergyIntolerance, valid and round-tripped; a checked RxNorm code goes with its system,
an unchecked or typed-in drug as text; "no known allergies" is its SNOMED code; Part 2
labels on a Part 2 program's patient."""

from __future__ import annotations

from datetime import date

from stepwell.interop.export import patient_everything
from stepwell.interop.tests.checks import assert_valid_bundle, by_id, is_part2, of_type
from stepwell.meds import services
from stepwell.patients.models import CareTeamMember, EpisodeState
from stepwell.testing.factories import EpisodeFactory, PatientFactory, UserFactory

from .conftest import sertraline

BASE = "https://stepwell.test/api/v1/fhir/"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _everything(actor, patient):
    bundle = patient_everything(actor=actor, patient_id=patient.pk, base_url=BASE)
    assert_valid_bundle(bundle)
    return bundle


def test_medications_and_allergies_are_in_the_record(diagnosed):
    clinic = diagnosed
    prescriber, patient = clinic.prescriber_a, clinic.patient_a
    checked = services.medication_create(
        actor=prescriber, patient_id=patient.pk, data=sertraline(reason_code="F33.1")
    )
    unchecked = services.medication_create(
        actor=prescriber,
        patient_id=patient.pk,
        data=sertraline(formulary_key="trazodone", frequency="at bedtime"),
    )
    typed = services.medication_create(
        actor=prescriber,
        patient_id=patient.pk,
        data=sertraline(formulary_key="", name="St John's wort", dose="300"),
    )
    services.medication_update(
        actor=prescriber, medication_id=typed.pk, status="stopped", status_reason="Interaction"
    )
    none_known = services.allergy_record(
        actor=prescriber, patient_id=patient.pk, kind="no_known_allergies"
    )
    penicillin = services.allergy_record(
        actor=prescriber,
        patient_id=patient.pk,
        kind="allergy",
        substance="penicillin",
        reaction="Hives",
        severity="moderate",
    )
    CareTeamMember.objects.create(patient=patient, user=clinic.clinician_a, team_role="clinician")
    bundle = _everything(clinic.clinician_a, patient)

    statements = of_type(bundle, "MedicationStatement")
    assert len(statements) == 3
    first = by_id(bundle, "MedicationStatement", f"medication-{checked.pk}")
    assert first["status"] == "active"
    assert first["medicationCodeableConcept"]["coding"] == [
        {"system": RXNORM, "code": "36437", "display": "sertraline"}
    ]
    assert first["effectivePeriod"] == {"start": "2026-10-01"}
    assert first["reasonCode"][0]["coding"][0]["code"] == "F33.1"
    assert first["dosage"][0]["text"] == "50 mg by mouth, once daily"
    assert first["subject"]["reference"] == f"Patient/{patient.pk}"
    second = by_id(bundle, "MedicationStatement", f"medication-{unchecked.pk}")
    assert "system" not in second["medicationCodeableConcept"]["coding"][0]  # unverified
    third = by_id(bundle, "MedicationStatement", f"medication-{typed.pk}")
    assert third["status"] == "stopped"
    assert "coding" not in third["medicationCodeableConcept"]
    assert third["medicationCodeableConcept"]["text"] == "St John's wort"

    allergies = of_type(bundle, "AllergyIntolerance")
    assert len(allergies) == 2
    nka = by_id(bundle, "AllergyIntolerance", f"allergy-{none_known.pk}")
    assert nka["code"]["coding"][0]["code"] == "716186003"
    assert nka["clinicalStatus"]["coding"][0]["code"] == "inactive"  # ended by the allergy
    allergy = by_id(bundle, "AllergyIntolerance", f"allergy-{penicillin.pk}")
    assert allergy["type"] == "allergy" and allergy["code"]["text"] == "penicillin"
    assert allergy["reaction"] == [{"manifestation": [{"text": "Hives"}], "severity": "moderate"}]
    assert allergy["clinicalStatus"]["coding"][0]["code"] == "active"
    assert not is_part2(allergy) and not is_part2(first)


def test_a_part2_programs_medication_carries_the_labels(diagnosed):
    clinic = diagnosed  # program B is a Part 2 program
    prescriber = UserFactory(username="presc_b", roles=["prescriber"], programs=[clinic.program_b])
    patient = PatientFactory(legal_first_name="Drew", legal_last_name="Dell")
    episode = EpisodeFactory(patient=patient, program=clinic.program_b, state=EpisodeState.ACTIVE)
    episode.admitted_on = episode.referred_on = date(2026, 9, 1)
    episode.save()
    medication = services.medication_create(
        actor=prescriber,
        patient_id=patient.pk,
        data=sertraline(
            formulary_key="buprenorphine_naloxone",
            dose="8",
            route="sublingual",
            prescriber_id=prescriber.pk,
        ),
    )
    CareTeamMember.objects.create(patient=patient, user=prescriber, team_role="prescriber")
    bundle = _everything(prescriber, patient)
    statement = by_id(bundle, "MedicationStatement", f"medication-{medication.pk}")
    assert is_part2(statement)
