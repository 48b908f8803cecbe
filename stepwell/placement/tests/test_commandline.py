"""`placement recommend FILE.json`, through the pure run_recommend (no Django)."""

import json
from pathlib import Path

import pytest

from stepwell.placement.commandline import run_recommend

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "placement"
EXAMPLE = EXAMPLES / "iop-candidate.json"
USAGE = "usage: placement recommend FILE.json [--rule-set VERSION]"


def write(tmp_path, content):
    path = tmp_path / "input.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_the_documented_example_recommends_iop_and_states_the_availability_barrier():
    code, result = run_recommend(["recommend", str(EXAMPLE)])

    assert code == 0
    assert result["level"] == "intensive_outpatient"
    assert [firing["rule"] for firing in result["rationale"]] == [
        "d3_emotional_behavioral_2",
        "d5_relapse_2",
        "moderate_or_worse_symptoms_with_impairment",
        "outpatient_not_enough",
    ]
    assert result["barriers"] == [
        {
            "barrier": "availability_below_program_minimum",
            "description": (
                "The patient can attend 7 hours a week; the program's minimum for intensive "
                "outpatient is 9 hours a week."
            ),
        }
    ]
    assert [change["level"] for change in result["would_change"]] == ["outpatient"]
    assert result["iop_fit"] == {
        "criteria": {
            "symptoms_interfere_with_daily_life": True,
            "needs_structured_treatment": True,
            "limited_time_for_full_time_care": True,
            "lower_intensity_not_enough": True,
        },
        "fits": True,
    }
    assert result["actions"] == []
    assert result["after_withdrawal_management"] is None
    assert result["rule_set"] == "stepwell-loc-2027.1"
    assert set(result) == {
        "level",
        "after_withdrawal_management",
        "rationale",
        "actions",
        "barriers",
        "would_change",
        "iop_fit",
        "rule_set",
    }


def test_the_withdrawal_first_example_names_the_level_to_reassess_for():
    code, result = run_recommend(["recommend", str(EXAMPLES / "withdrawal-first.json")])

    assert code == 0
    assert result["level"] == "withdrawal_management"
    assert result["after_withdrawal_management"] == "partial_hospitalization"
    assert [(a["action"], a["required"]) for a in result["actions"]] == [
        ("engagement_work", False),
        ("reassess_after_withdrawal_management", True),
    ]
    assert [b["barrier"] for b in result["barriers"]] == [
        "availability_below_php_minimum",
        "recovery_housing_referral",
    ]


def test_the_mental_health_only_example_needs_a_same_day_safety_evaluation():
    code, result = run_recommend(["recommend", str(EXAMPLES / "mental-health-only.json")])

    assert code == 0
    assert result["level"] == "partial_hospitalization"
    assert result["actions"] == [
        {
            "action": "same_day_safety_evaluation",
            "required": True,
            "description": (
                "Suicide risk is high: a same-day safety evaluation is required before the "
                "patient leaves today, whatever level is chosen."
            ),
        }
    ]
    assert result["barriers"] == []


def test_an_older_rule_set_can_be_named():
    code, result = run_recommend(
        ["recommend", str(EXAMPLES / "withdrawal-first.json"), "--rule-set", "stepwell-loc-2026.11"]
    )

    assert code == 0
    assert (result["level"], result["rule_set"]) == (
        "withdrawal_management",
        "stepwell-loc-2026.11",
    )
    assert [firing["rule"] for firing in result["rationale"]][:4] == [
        "d1_withdrawal_3",
        "d6_recovery_environment_3_or_4",
        "d4_readiness_3",
        "d5_relapse_3",
    ]


def test_an_unknown_rule_set_exits_2():
    code, result = run_recommend(["recommend", str(EXAMPLE), "--rule-set", "asam-4"])

    assert (code, result) == (
        2,
        {
            "errors": {
                "rule_set": "unknown rule set 'asam-4'; known: stepwell-loc-2026.11, "
                "stepwell-loc-2027.1"
            }
        },
    )


def test_bad_fields_exit_2_naming_each_field(tmp_path):
    data = json.loads(EXAMPLE.read_text())
    data["dimensions"]["d1_withdrawal"] = 7
    data["suicide_risk"] = "some"

    code, result = run_recommend(["recommend", write(tmp_path, data)])

    assert (code, result) == (
        2,
        {
            "errors": {
                "dimensions.d1_withdrawal": "must be from 0 to 4, got 7",
                "suicide_risk": "must be one of: none, low, moderate, high, imminent",
            }
        },
    )


def test_a_file_that_is_not_json_exits_2(tmp_path):
    code, result = run_recommend(["recommend", write(tmp_path, "{level: iop")])

    assert (code, result) == (
        2,
        {
            "errors": {
                "file": "not valid JSON: Expecting property name enclosed in double quotes: "
                "line 1 column 2 (char 1)"
            }
        },
    )


def test_a_json_list_exits_2(tmp_path):
    code, result = run_recommend(["recommend", write(tmp_path, "[]")])

    assert (code, result) == (2, {"errors": {"input": "must be a JSON object"}})


def test_a_missing_file_exits_2(tmp_path):
    missing = tmp_path / "absent.json"

    code, result = run_recommend(["recommend", str(missing)])

    assert (code, result) == (
        2,
        {"errors": {"file": f"cannot read {missing}: No such file or directory"}},
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            [],
            f"the following arguments are required: command; {USAGE}",
            id="no command",
        ),
        pytest.param(
            ["recommend"],
            f"the following arguments are required: file; {USAGE}",
            id="no file",
        ),
        pytest.param(
            ["place", "x.json"],
            f"argument command: invalid choice: 'place' (choose from 'recommend'); {USAGE}",
            id="unknown command",
        ),
    ],
)
def test_bad_arguments_exit_2(argv, message):
    assert run_recommend(argv) == (2, {"errors": {"arguments": message}})
