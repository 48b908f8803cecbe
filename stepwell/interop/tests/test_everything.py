"""$everything for a patient with a full record: every resource valid, round-tripped,
profiled; each resource type built as documented in docs/interop.md."""

from __future__ import annotations

import base64
import json
from collections import Counter

import pytest

from stepwell.core.errors import AccessDenied
from stepwell.interop import codes
from stepwell.interop.export import patient_everything
from stepwell.privacy.models import AuditEvent

from .checks import assert_valid_bundle, by_id, is_part2, of_type, resources_of
from .conftest import DRAFT_TEXT, PRIVATE_TEXT

BASE = "https://stepwell.test/api/v1/fhir/"


@pytest.fixture
def bundle(record):
    return patient_everything(
        actor=record.clinic.clinician_a, patient_id=record.patient.pk, base_url=BASE
    )


def test_the_export_validates_resource_by_resource_and_round_trips(bundle):
    assert_valid_bundle(bundle)
    assert Counter(r["resourceType"] for r in resources_of(bundle)) == {
        "Patient": 1,
        "Practitioner": 2,
        "Organization": 2,
        "Condition": 2,
        "EpisodeOfCare": 1,
        "Goal": 1,
        "CarePlan": 1,
        "Provenance": 6,  # plan: clinician, patient; notes: 2 + co-signature; assessment
        "QuestionnaireResponse": 3,
        # PHQ-9 10 items + total + panel; GAD-7 7 + 2; DAST-10 10 + 1 (no panel code) + panel
        "Observation": 12 + 9 + 12,
        "Appointment": 3,
        "Encounter": 2,
        # two notes, and the 42 CFR 2.32 notice: the DAST-10 is a substance-use record
        "DocumentReference": 3,
    }
    assert bundle["entry"][0]["fullUrl"] == f"{BASE}Patient/{bundle['entry'][0]['resource']['id']}"


def test_phq9_observations_carry_loinc_44261_6_in_panel_44249_1(bundle, record):
    total = by_id(bundle, "Observation", f"adm-{record.phq9.pk}-total")
    assert total["code"]["coding"] == [
        {
            "system": "http://loinc.org",
            "code": "44261-6",
            "display": "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
        }
    ]
    assert total["valueQuantity"] == {
        "value": 18,
        "unit": "{score}",
        "system": codes.UCUM,
        "code": "{score}",
    }
    assert total["interpretation"] == [{"text": "Moderately severe"}]
    assert total["category"][0]["coding"][0]["code"] == "survey"
    panel = by_id(bundle, "Observation", f"adm-{record.phq9.pk}")
    assert panel["code"]["coding"][0]["code"] == "44249-1"
    assert len(panel["hasMember"]) == 11
    assert {"reference": f"Observation/adm-{record.phq9.pk}-total"} in panel["hasMember"]
    item9 = by_id(bundle, "Observation", f"adm-{record.phq9.pk}-item-9")
    coding = item9["code"]["coding"][0]
    assert (coding["system"], coding["code"]) == ("http://loinc.org", "44260-8")
    assert item9["valueCodeableConcept"]["coding"][0]["code"] == "LA6570-1"
    assert item9["derivedFrom"] == [{"reference": f"QuestionnaireResponse/adm-{record.phq9.pk}"}]


def test_gad7_total_is_70274_6_in_panel_69737_5(bundle):
    totals = {
        r["code"]["coding"][0]["code"]: r
        for r in of_type(bundle, "Observation")
        if r["id"].endswith("-total")
    }
    assert totals["70274-6"]["valueQuantity"]["value"] == 7
    panels = [r for r in of_type(bundle, "Observation") if "hasMember" in r]
    assert {p["code"].get("coding", [{}])[0].get("code") for p in panels} == {
        "44249-1",
        "69737-5",
        None,
    }


def test_an_unverified_loinc_code_goes_without_a_system(bundle):
    dast_total = next(
        r for r in of_type(bundle, "Observation") if r["code"]["text"] == "DAST-10 total score"
    )
    assert dast_total["code"]["coding"] == [{"code": "82667-7", "display": "Total score [DAST-10]"}]
    assert dast_total["valueQuantity"]["value"] == 1


def test_psychotherapy_notes_and_drafts_never_appear(bundle, record):
    text = json.dumps(bundle)
    decoded = "".join(
        base64.b64decode(d["content"][0]["attachment"]["data"]).decode()
        for d in of_type(bundle, "DocumentReference")
    )
    for needle in (PRIVATE_TEXT, "lighthouse", DRAFT_TEXT):
        assert needle not in text
        assert needle not in decoded
    notes = of_type(bundle, "DocumentReference")
    assert {d["id"] for d in notes if not d["id"].startswith("part2-notice-")} == {
        str(record.group_section.pk),
        str(record.individual_note.pk),
    }


def test_a_group_section_carries_the_shared_section_and_its_addenda(record):
    from datetime import timedelta

    from stepwell.care.models import NoteAddendum

    NoteAddendum.objects.create(
        group_note=record.group_note,
        author=record.clinic.clinician_a,
        text="Group ran 10 minutes over.",
        written_at=record.group_note.signed_at + timedelta(hours=2),
    )
    bundle = patient_everything(actor=record.clinic.clinician_a, patient_id=record.patient.pk)
    section = by_id(bundle, "DocumentReference", str(record.group_section.pk))
    text = base64.b64decode(section["content"][0]["attachment"]["data"]).decode()
    assert "Group topic: Distress tolerance" in text
    assert "Participants: 1" in text
    assert "Behavior: Engaged, affect brighter." in text
    assert text.rstrip().endswith("Group ran 10 minutes over.")


def test_signed_notes_are_progress_notes_with_their_encounter_and_signatures(bundle, record):
    note = by_id(bundle, "DocumentReference", str(record.individual_note.pk))
    assert note["type"]["coding"] == [dict(codes.PROGRESS_NOTE)]
    assert note["category"][0]["coding"][0]["code"] == "clinical-note"
    assert note["context"]["encounter"] == [
        {"reference": f"Encounter/{record.individual_attendance.pk}"}
    ]
    assert note["authenticator"]["reference"] == f"Practitioner/{record.clinic.prescriber_a.pk}"
    text = base64.b64decode(note["content"][0]["attachment"]["data"]).decode()
    assert "Goal: Reduce isolation" in text
    assert "Addendum" in text and "Also discussed sleep hygiene." in text
    cosign = by_id(bundle, "Provenance", f"note-{record.individual_note.pk}-cosign")
    assert cosign["agent"][0]["type"]["coding"][0]["code"] == "verifier"
    assert cosign["target"] == [{"reference": f"DocumentReference/{record.individual_note.pk}"}]


def test_patient_is_us_core_with_record_number_and_birth_sex(bundle, record):
    patient = by_id(bundle, "Patient", str(record.patient.pk))
    assert patient["identifier"][0]["system"] == codes.MRN_SYSTEM
    assert patient["identifier"][0]["value"] == record.patient.mrn
    assert patient["name"][0] == {"use": "official", "family": "Alder", "given": ["Avery"]}
    assert patient["gender"] == "female"
    assert patient["extension"] == [{"url": codes.BIRTH_SEX_EXTENSION, "valueCode": "F"}]
    assert "security" not in patient.get("meta", {})


def test_episode_of_care_has_status_history_and_levels_of_care(bundle, record):
    episode = by_id(bundle, "EpisodeOfCare", str(record.episode.pk))
    assert episode["status"] == "active"
    assert [h["status"] for h in episode["statusHistory"]] == [
        "planned",
        "planned",
        "planned",
        "active",
        "active",
    ]
    assert episode["type"][0] == {"text": "Intensive outpatient (IOP)"}
    (change,) = episode["extension"]
    assert change["url"] == codes.LEVEL_OF_CARE_EXTENSION
    assert change["extension"][1] == {
        "url": "levelOfCare",
        "valueCodeableConcept": {"text": "Residential"},
    }
    assert episode["diagnosis"][0] == {
        "condition": {
            "reference": "Condition/dx-"
            + episode["diagnosis"][0]["condition"]["reference"].split("-")[-1],
            "display": "F33.1",
        },
        "rank": 1,
    }
    assert episode["careManager"]["reference"] == f"Practitioner/{record.clinic.clinician_a.pk}"


def test_conditions_are_icd10cm(bundle):
    codes_sent = {
        (c["code"]["coding"][0]["system"], c["code"]["coding"][0]["code"])
        for c in of_type(bundle, "Condition")
    }
    assert codes_sent == {(codes.ICD10CM, "F33.1"), (codes.ICD10CM, "F41.1")}


def test_care_plan_and_goal_come_from_the_signed_plan(bundle, record):
    plan = by_id(bundle, "CarePlan", str(record.plan.pk))
    assert plan["status"] == "active"
    assert plan["intent"] == "plan"
    assert plan["category"][0]["coding"][0]["code"] == "assess-plan"
    (activity,) = plan["activity"]
    assert activity["detail"]["scheduledTiming"]["repeat"] == {
        "boundsDuration": {"value": 8, "unit": "wk", "system": codes.UCUM, "code": "wk"},
        "duration": 180,
        "durationUnit": "min",
        "frequency": 3,
        "period": 1,
        "periodUnit": "wk",
    }
    assert "Still waiting for" not in plan["text"]["div"]
    (goal,) = of_type(bundle, "Goal")
    assert goal["description"] == {"text": "Reduce depressive symptoms to the mild range"}
    (target,) = goal["target"]
    assert target["measure"]["coding"][0]["code"] == "44261-6"
    assert target["detailQuantity"]["comparator"] == "<"
    assert target["detailQuantity"]["value"] == 10
    roles = {
        p["id"]: p["agent"][0]["type"]["coding"][0]["code"] for p in of_type(bundle, "Provenance")
    }
    assert roles[f"plan-{record.plan.pk}-clinician"] == "author"
    assert roles[f"plan-{record.plan.pk}-patient"] == "attester"


def test_a_draft_plan_is_not_exported(record):
    record.plan.status = "draft"
    record.plan.signed_at = None
    record.plan.save()
    bundle = patient_everything(actor=record.clinic.clinician_a, patient_id=record.patient.pk)
    assert of_type(bundle, "CarePlan") == []
    assert of_type(bundle, "Goal") == []


def test_sessions_become_encounters_and_appointments(bundle, record):
    group = by_id(bundle, "Encounter", str(record.group_attendance.pk))
    assert group["class"]["code"] == "AMB"
    assert group["length"]["value"] == 180
    assert group["episodeOfCare"] == [{"reference": f"EpisodeOfCare/{record.episode.pk}"}]
    individual = by_id(bundle, "Encounter", str(record.individual_attendance.pk))
    assert individual["class"]["code"] == "VR"  # the note says telehealth
    missed = by_id(bundle, "Appointment", f"appt-{record.missed_appointment.pk}")
    assert missed["status"] == "noshow"
    assert len(of_type(bundle, "Encounter")) == 2  # the missed one is no encounter


def test_export_is_audited_with_resource_counts(bundle, record):
    event = AuditEvent.objects.get(action="export", object_type="fhir_bundle")
    assert event.patient_id == record.patient.pk
    assert event.user_id == record.clinic.clinician_a.pk
    assert event.outcome == "allowed"
    assert event.detail["counts"]["Observation"] == 33
    assert event.detail["whole_record"] is True


def test_one_episode_only(record):
    other = record.clinic.program_b
    from stepwell.testing.factories import EpisodeFactory

    second = EpisodeFactory(
        patient=record.patient, program=other, referred_on=record.episode.referred_on
    )
    bundle = patient_everything(
        actor=record.clinic.clinician_a, patient_id=record.patient.pk, episode_id=second.pk
    )
    assert [e["id"] for e in of_type(bundle, "EpisodeOfCare")] == [str(second.pk)]
    assert of_type(bundle, "Observation") == []
    assert of_type(bundle, "Encounter") == []
    assert all(
        is_part2(r)
        for r in resources_of(bundle)
        if r["resourceType"] != "Organization" and r["resourceType"] != "Practitioner"
    )


def test_part2_records_carry_the_labels(record):
    clinic = record.clinic
    bundle = patient_everything(actor=clinic.clinician_b, patient_id=record.part2_patient.pk)
    assert_valid_bundle(bundle)
    assert is_part2(bundle)
    labelled = {r["resourceType"] for r in resources_of(bundle) if is_part2(r)}
    assert labelled == {
        "Patient",
        "DocumentReference",  # the 42 CFR 2.32 notice
        "EpisodeOfCare",
        "Condition",
        "QuestionnaireResponse",
        "Observation",
        "Provenance",
    }
    unlabelled = {r["resourceType"] for r in resources_of(bundle) if not is_part2(r)}
    assert unlabelled == {"Organization", "Practitioner"}
    audit_total = next(r for r in of_type(bundle, "Observation") if r["id"].endswith("-total"))
    assert audit_total["code"]["coding"][0]["code"] == "75624-7"


def test_a_mental_health_export_labels_only_its_substance_use_records(bundle):
    """In a mental-health program only what is about substance use (the DAST-10) is a
    Part 2 record (docs/clinical-sources.md §9.1); the bundle then carries the notice."""
    labelled = [r for r in resources_of(bundle) if is_part2(r)]
    assert {r["resourceType"] for r in labelled} == {
        "QuestionnaireResponse",
        "Observation",
        "DocumentReference",
    }
    assert all(
        r["id"].startswith("part2-notice-")
        for r in labelled
        if r["resourceType"] == "DocumentReference"
    )
    phq9 = [r for r in resources_of(bundle) if r["resourceType"] == "QuestionnaireResponse"]
    assert sum(1 for r in phq9 if is_part2(r)) == 1
    assert is_part2(bundle)


def test_refusal_is_audited_and_reveals_nothing(record):
    with pytest.raises(AccessDenied):
        patient_everything(actor=record.clinic.clinician_b, patient_id=record.patient.pk)
    with pytest.raises(AccessDenied):
        patient_everything(actor=record.clinic.clinician_a, patient_id=999999)
    events = list(AuditEvent.objects.filter(object_type="fhir_bundle").order_by("seq"))
    assert [(e.outcome, e.patient_id) for e in events] == [
        ("denied", record.patient.pk),
        ("denied", None),
    ]
