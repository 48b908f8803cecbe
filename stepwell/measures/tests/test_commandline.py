"""The ``stepwell score``/``change``/``instruments`` contract, without Django."""

from __future__ import annotations

import json

import pytest

from stepwell.measures.commandline import run_change, run_instruments, run_score
from stepwell.measures.definitions import SHIPPED_KEYS


def test_score_phq9_item_9_flag():
    code, result = run_score(["phq9", "--answers", "0,0,0,0,0,0,0,0,1"])
    assert code == 0
    assert result == {
        "instrument": "phq9",
        "version": "1.0.0",
        "total": 1,
        "band": "minimal",
        "suggested_band": None,
        "subscales": {},
        "flags": ["suicide_risk"],
        "valid": True,
        "errors": [],
    }


def test_score_accepts_hyphenated_name_and_spaces():
    code, result = run_score(["GAD-7", "--answers", "3, 3, 3, 3, 3, 0, 0"])
    assert (code, result["instrument"], result["total"], result["band"]) == (
        0,
        "gad7",
        15,
        "severe",
    )


@pytest.mark.parametrize(("sex", "band"), [("female", "positive"), ("male", "negative")])
def test_score_auditc_with_sex(sex, band):
    code, result = run_score(["auditc", "--answers", "1,1,1", "--sex", sex])
    assert (code, result["total"], result["band"]) == (0, 3, band)


def test_score_auditc_without_sex_uses_3():
    code, result = run_score(["AUDIT-C", "--answers", "1,1,1"])
    assert (code, result["band"]) == (0, "positive")


def test_score_asq_yes_no_and_item_5_only_when_asked():
    assert run_score(["asq", "--answers", "no,no,no,no"])[1]["band"] == "negative"
    code, result = run_score(["asq", "--answers", "YES,no,no,no,yes"])
    assert (code, result["band"], result["flags"], result["total"]) == (
        0,
        "acute_positive",
        ["acute_suicide_risk", "suicide_risk"],
        None,
    )
    code, result = run_score(["asq", "--answers", "no,no,no,no,no"])
    assert (code, result["valid"]) == (2, False)
    assert result["errors"] == [
        "item 5 (asq_5): is asked only when one of items 1, 2, 3, 4 is answered yes or declined"
    ]


@pytest.mark.parametrize(
    ("answers", "band"),
    [
        ("declined,no,no,no", "positive_acuity_unknown"),
        ("no,no,Declined,no,no", "non_acute_positive"),
        ("no,declined,no,no,yes", "acute_positive"),
    ],
)
def test_score_asq_declined_is_a_positive_screen(answers, band):
    code, result = run_score(["asq", "--answers", answers])
    assert (code, result["valid"], result["band"]) == (0, True, band)
    assert "suicide_risk" in result["flags"]


def test_score_audit_suggests_the_next_zone():
    code, result = run_score(["audit", "--answers", "2,1,1,2,0,0,0,0,0,0"])
    assert (code, result["total"], result["band"], result["suggested_band"]) == (
        0,
        6,
        "low_risk",
        "hazardous",
    )
    assert result["flags"] == ["zone_moved_up"]


def test_score_pcl5_subscales():
    code, result = run_score(["pcl5", "--answers", ",".join(["2"] * 20)])
    assert (code, result["total"], result["band"]) == (0, 40, "probable_ptsd")
    assert result["subscales"] == {"B": 10, "C": 4, "D": 14, "E": 12}
    assert result["flags"] == ["dsm5_cluster_rule_met"]


def test_score_invalid_answer_exits_2_naming_the_item():
    code, result = run_score(["audit", "--answers", "0,0,0,0,0,0,0,0,3,0"])
    assert code == 2
    assert (result["valid"], result["total"], result["band"]) == (False, None, None)
    assert result["errors"] == ["item 9 (audit_9): answer 3 is not one of the options 0, 2, 4"]


def test_score_empty_answer_names_the_item():
    code, result = run_score(["gad7", "--answers", "1,1,,1,1,1,1"])
    assert code == 2
    assert result["errors"] == ["item 3 (gad7_3): answer '' is not one of the options 0, 1, 2, 3"]


def test_score_unknown_instrument():
    code, result = run_score(["cssrs", "--answers", "yes"])
    assert (code, result["instrument"], result["valid"]) == (2, "cssrs", False)
    assert result["errors"][0].startswith("unknown instrument 'cssrs'")


def test_score_missing_answers_argument():
    code, result = run_score(["phq9"])
    assert code == 2
    assert result["errors"] == ["the following arguments are required: --answers"]


def test_score_rejects_other_sex_values():
    code, result = run_score(["auditc", "--answers", "1,1,1", "--sex", "other"])
    assert code == 2
    assert "--sex" in result["errors"][0]


def test_change_phq9():
    code, result = run_change(["phq9", "--baseline", "18", "--current", "12"])
    assert (code, result) == (
        0,
        {"change": -6, "classification": "reliable_improvement", "threshold_verified": True,
         "response": False, "remission": False},
    )  # fmt: skip


def test_change_gad7_deterioration():
    code, result = run_change(["GAD-7", "--baseline", "4", "--current", "8"])
    assert (code, result) == (
        0,
        {"change": 4, "classification": "reliable_deterioration", "threshold_verified": True,
         "response": False, "remission": False},
    )  # fmt: skip


def test_change_pcl5_threshold_is_unverified_and_never_reliable():
    code, result = run_change(["pcl5", "--baseline", "60", "--current", "20"])
    assert (code, result) == (
        0,
        {"change": -40, "classification": None, "threshold_verified": False,
         "response": None, "remission": None},
    )  # fmt: skip
    assert "recovery" not in json.dumps(result)


def test_change_out_of_range_exits_2():
    code, result = run_change(["phq9", "--baseline", "30", "--current", "2"])
    assert code == 2
    assert result["errors"] == ["baseline total 30 is outside PHQ-9's 0-27"]


def test_change_non_integer_exits_2():
    code, result = run_change(["phq9", "--baseline", "ten", "--current", "2"])
    assert code == 2
    assert result["errors"] == [
        "argument --baseline: 'ten' is not a whole number (ASCII digits, at most 18)"
    ]


def test_instruments_list():
    code, result = run_instruments(["list"])
    assert code == 0
    assert [row["key"] for row in result["instruments"]] == list(SHIPPED_KEYS)


def test_instruments_load_validates_without_a_store(tmp_path):
    path = tmp_path / "custom.json"
    definition = {
        "format": 1,
        "key": "custom",
        "name": "Custom two-item check",
        "abbreviation": "C2",
        "version": "0.1",
        "time_frame": "today",
        "licence": {"text": "Licensed to the clinic.", "attribution": "Clinic"},
        "items": [
            {"key": "c_1", "text": "One?", "options": [{"label": "No", "score": 0},
                                                       {"label": "Yes", "score": 1}]},
            {"key": "c_2", "text": "Two?", "options": [{"label": "No", "score": 0},
                                                       {"label": "Yes", "score": 1}]},
        ],
        "scoring": {"method": "sum"},
        "classification": {"type": "bands", "bands": [
            {"key": "low", "label": "Low", "min": 0, "max": 1},
            {"key": "high", "label": "High", "min": 2, "max": 2}]},
    }  # fmt: skip
    path.write_text(json.dumps(definition), encoding="utf-8")
    code, result = run_instruments(["load", str(path)])
    assert (code, result["valid"], result["key"], result["stored"]) == (0, True, "custom", False)
    assert result["message"] == "validation passed; storing the definition needs the database app"

    stored = []
    code, result = run_instruments(["load", str(path)], save=stored.append)
    assert (code, result["stored"], stored) == (0, True, [definition])


def test_instruments_load_reports_the_bad_field(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"format": 1, "key": "broken"}), encoding="utf-8")
    stored = []
    code, result = run_instruments(["load", str(path)], save=stored.append)
    assert (code, result["valid"], result["errors"], stored) == (
        2,
        False,
        ["licence: is required"],
        [],
    )


def test_instruments_load_missing_file(tmp_path):
    code, result = run_instruments(["load", str(tmp_path / "nope.json")])
    assert code == 2
    assert "nope.json" in result["errors"][0]
