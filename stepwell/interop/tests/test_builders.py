"""Builders and readers without the database: mappings case by case."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from stepwell.interop import codes
from stepwell.interop.builders import base, care, measures
from stepwell.interop.builders.base import ResourceInvalid
from stepwell.interop.outcomes import FhirInputError, Issue, fhir_path, operation_outcome
from stepwell.interop.referral_bundle import parse_bundle, read_referral
from stepwell.measures.instruments import get_instrument

from .checks import assert_valid_resource

PATIENT = {"reference": "Patient/1"}
WHEN = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "admitted", "status"),
    [
        ("referred", False, "planned"),
        ("screening", False, "planned"),
        ("assessed", False, "planned"),
        ("admitted", True, "active"),
        ("active", True, "active"),
        ("on_hold", True, "onhold"),
        ("discharged", True, "finished"),
        ("discharged", False, "cancelled"),  # declined or referred elsewhere before admission
    ],
)
def test_episode_status(state, admitted, status):
    assert care.episode_status(state, admitted=admitted) == status


@pytest.mark.parametrize(
    ("cancelled", "attendance", "status"),
    [
        (False, None, "booked"),
        (False, "expected", "booked"),
        (False, "present", "fulfilled"),
        (False, "late", "fulfilled"),
        (False, "left_early", "fulfilled"),
        (False, "absent_excused", "noshow"),
        (False, "absent_unexcused", "noshow"),
        (False, "cancelled_by_program", "cancelled"),
        (True, None, "cancelled"),
    ],
)
def test_appointment_status(cancelled, attendance, status):
    assert care.appointment_status(cancelled=cancelled, attendance_status=attendance) == status


def test_an_unverified_code_has_no_system():
    assert base.coding(codes.LOINC, "96843-5", "PCL-5", verified=False) == {
        "code": "96843-5",
        "display": "PCL-5",
    }
    assert base.coding(codes.LOINC, "44261-6")["system"] == codes.LOINC


def test_meta_sets_profile_and_part2_labels():
    assert base.meta("Goal", part2=False) == {"profile": [codes.PROFILES["Goal"]]}
    assert base.meta("EpisodeOfCare", part2=False) == {}
    assert base.meta("EpisodeOfCare", part2=True)["security"] == [
        {"system": codes.ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
        {"system": codes.CONFIDENTIALITY, "code": "R", "display": "restricted"},
    ]


def test_narrative_escapes_text():
    div = base.narrative("a <b> & c")["div"]
    assert div == '<div xmlns="http://www.w3.org/1999/xhtml"><p>a &lt;b&gt; &amp; c</p></div>'


def test_prune_drops_empty_elements_only():
    assert base.prune({"a": None, "b": "", "c": [], "d": {"e": []}, "f": 0, "g": False}) == {
        "f": 0,
        "g": False,
    }


def test_a_resource_its_model_refuses_is_a_bug_not_output():
    with pytest.raises(ResourceInvalid, match="Observation/x"):
        base.validated({"resourceType": "Observation", "id": "x", "code": {"text": "t"}})


def test_fhir_path():
    location = ("entry", 0, "resource", "name", 1, "given")
    assert fhir_path("Bundle", location) == "Bundle.entry[0].resource.name[1].given"
    assert fhir_path("Bundle", ("entry", 2, "resource", "function-after[x]")) == (
        "Bundle.entry[2].resource"
    )


def test_operation_outcome_names_the_element():
    issue = Issue("Bundle.entry[0].resource.birthDate", "The date of birth is required.")
    assert FhirInputError([issue]).status == 422
    assert operation_outcome([issue]) == {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "invalid",
                "diagnostics": "The date of birth is required.",
                "expression": ["Bundle.entry[0].resource.birthDate"],
            }
        ],
    }


def _administration(status: str, answers: dict, total):
    return SimpleNamespace(pk=7, status=status, answers=answers, total=total, completed_at=WHEN)


def test_an_incomplete_questionnaire_is_stopped_and_has_no_total():
    phq9 = get_instrument("phq9")
    administration = _administration("incomplete", {"phq9_1": 1, "phq9_2": 0}, None)
    response = measures.questionnaire_response_resource(
        administration, phq9, patient_ref=PATIENT, author_ref=PATIENT, part2=False
    )
    assert response["status"] == "stopped"
    assert [item["linkId"] for item in response["item"]] == ["phq9_1", "phq9_2"]
    observations = measures.observation_resources(
        administration, phq9, band_label="", patient_ref=PATIENT, part2=False
    )
    assert [o["id"] for o in observations] == ["adm-7-item-1", "adm-7-item-2", "adm-7"]
    assert observations[-1]["note"] == [{"text": "Not completed: no total score."}]
    for resource in [response, *observations]:
        assert_valid_resource(base.validated(resource))


def test_yes_no_answers_without_loinc_go_as_text():
    dast = get_instrument("dast10")
    administration = _administration("completed", {"dast10_1": "yes"}, 1)
    (item, total, panel) = measures.observation_resources(
        administration, dast, band_label="Low", patient_ref=PATIENT, part2=True
    )
    assert item["valueString"] == "Yes"
    assert total["code"]["coding"] == [{"code": "82667-7", "display": "Total score [DAST-10]"}]
    assert panel["code"] == {"text": dast.name}
    assert all(o["meta"]["security"][0]["code"] == "42CFRPart2" for o in (item, total, panel))


EXAMPLE = Path(settings.BASE_DIR) / "examples" / "fhir" / "referral-bundle.json"


@pytest.mark.parametrize(
    ("priority", "urgency"),
    [("routine", "routine"), ("urgent", "priority"), ("asap", "urgent"), ("stat", "urgent")],
)
def test_request_priority_maps_to_urgency(priority, urgency):
    data = json.loads(EXAMPLE.read_text())
    data["entry"][2]["resource"]["priority"] = priority
    assert read_referral(parse_bundle(data), known_totals={}).urgency == urgency


def test_every_problem_of_a_bundle_is_named_at_once():
    data = json.loads(EXAMPLE.read_text())
    del data["entry"][0]["resource"]["birthDate"]
    data["entry"][2]["resource"]["status"] = "draft"
    with pytest.raises(FhirInputError) as caught:
        read_referral(parse_bundle(data), known_totals={})
    assert [issue.expression for issue in caught.value.issues] == [
        "Bundle.entry[0].resource.birthDate",
        "Bundle.entry[2].resource.status",
    ]


def test_a_practitioner_never_carries_the_login_name():
    from stepwell.interop.builders.people import practitioner_resource

    nameless = SimpleNamespace(
        pk=9, first_name="", last_name="", credentials="", is_active=True, username="jsmith42"
    )
    nameless.get_full_name = lambda: ""
    resource = base.validated(practitioner_resource(nameless))
    assert "jsmith42" not in json.dumps(resource)
    assert resource["name"] == [{"text": "Staff member 9", "family": "Staff member 9"}]
    assert resource["identifier"] == [{"system": codes.STAFF_SYSTEM, "value": "9"}]
