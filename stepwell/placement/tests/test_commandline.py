"""`placement recommend FILE.json`, through the pure run_recommend (no Django)."""

import json
from pathlib import Path

import pytest

from stepwell.placement.commandline import run_recommend

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "placement" / "iop-candidate.json"


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
        "moderate_or_worse_symptoms",
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
    assert result["rule_set"] == "stepwell-loc-2026.11"
    assert set(result) == {"level", "rationale", "barriers", "would_change", "iop_fit", "rule_set"}


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
            "the following arguments are required: command; usage: placement recommend FILE.json",
            id="no command",
        ),
        pytest.param(
            ["recommend"],
            "the following arguments are required: file; usage: placement recommend FILE.json",
            id="no file",
        ),
        pytest.param(
            ["place", "x.json"],
            "argument command: invalid choice: 'place' (choose from 'recommend'); "
            "usage: placement recommend FILE.json",
            id="unknown command",
        ),
    ],
)
def test_bad_arguments_exit_2(argv, message):
    assert run_recommend(argv) == (2, {"errors": {"arguments": message}})
