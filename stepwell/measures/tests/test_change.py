"""Change rules from clinical-facts.md §4 (IAPT thresholds, response, remission, recovery)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from stepwell.measures.change import ChangeClassification, ChangeError, change_between
from stepwell.measures.instruments import JacobsonTruaxParameters, get_instrument


@pytest.mark.parametrize(
    ("key", "baseline", "current", "change", "classification"),
    [
        ("phq9", 20, 14, -6, "reliable_improvement"),
        ("phq9", 20, 15, -5, "no_reliable_change"),
        ("phq9", 14, 20, 6, "reliable_deterioration"),
        ("phq9", 15, 20, 5, "no_reliable_change"),
        ("phq9", 10, 10, 0, "no_reliable_change"),
        ("gad7", 12, 8, -4, "reliable_improvement"),
        ("gad7", 12, 9, -3, "no_reliable_change"),
        ("gad7", 8, 12, 4, "reliable_deterioration"),
        ("gad7", 9, 12, 3, "no_reliable_change"),
    ],
)
def test_reliable_change_thresholds_are_inclusive(key, baseline, current, change, classification):
    result = change_between(get_instrument(key), baseline, current)
    assert (result.change, result.classification) == (change, classification)


def test_threshold_is_stored_with_its_source():
    result = change_between(get_instrument("phq9"), 20, 10)
    assert result.threshold_points == 6
    assert "NHS Talking Therapies" in result.threshold_source
    assert change_between(get_instrument("gad7"), 20, 10).threshold_points == 4


@pytest.mark.parametrize(
    ("baseline", "current", "response"),
    [(20, 10, True), (20, 11, False), (9, 4, True), (9, 5, False), (1, 0, True), (0, 0, None)],
)
def test_phq9_response_is_at_least_half_reduction(baseline, current, response):
    assert change_between(get_instrument("phq9"), baseline, current).response is response


@pytest.mark.parametrize(("current", "remission"), [(4, True), (5, False), (0, True)])
@pytest.mark.parametrize("key", ["phq9", "gad7"])
def test_remission_is_below_5(key, current, remission):
    assert change_between(get_instrument(key), 15, current).remission is remission


@pytest.mark.parametrize(
    ("key", "baseline", "current", "recovery"),
    [
        ("phq9", 10, 4, True),  # caseness to below it with a 6-point fall
        ("phq9", 12, 9, False),  # below caseness, but only 3 points: not reliable
        ("phq9", 16, 10, False),  # reliable, but still at caseness
        ("phq9", 9, 2, None),  # baseline below caseness: not applicable
        ("gad7", 8, 4, True),  # GAD-7 caseness is 8
        ("gad7", 8, 5, False),
        ("gad7", 7, 0, None),
    ],
)
def test_recovery(key, baseline, current, recovery):
    assert change_between(get_instrument(key), baseline, current).recovery is recovery


def test_instruments_without_sourced_thresholds_do_not_classify():
    result = change_between(get_instrument("audit"), 20, 5)
    assert (result.change, result.classification, result.response, result.remission) == (
        -15,
        None,
        None,
        None,
    )
    assert (result.rci, result.recovery) == (None, None)


def test_pcl5_threshold_is_marked_unverified():
    pcl5 = get_instrument("pcl5")
    assert pcl5.change.reliable_change.verified is False
    assert change_between(pcl5, 50, 40).classification == "reliable_improvement"
    assert change_between(pcl5, 50, 41).classification == "no_reliable_change"


def test_jacobson_truax_rci_with_stored_parameters():
    parameters = JacobsonTruaxParameters(standard_deviation=5.0, reliability=0.84, source="test")
    phq9 = get_instrument("phq9")
    instrument = replace(phq9, change=replace(phq9.change, jacobson_truax=parameters))
    result = change_between(instrument, 18, 10)
    # SE = 5 * sqrt(0.16) = 2; S_diff = sqrt(2 * 4) = 2.828...; RCI = -8 / 2.828...
    assert result.rci == pytest.approx(-8 / math.sqrt(8))
    assert result.rci == pytest.approx(-2.828427, abs=1e-6)
    assert result.rci_method == "jacobson_truax_1991"
    assert result.rci_parameters == parameters
    assert result.classification == ChangeClassification.RELIABLE_IMPROVEMENT


def test_rci_classifies_when_no_points_threshold():
    parameters = JacobsonTruaxParameters(standard_deviation=5.0, reliability=0.84, source="test")
    audit = get_instrument("audit")
    instrument = replace(audit, change=replace(audit.change, jacobson_truax=parameters))
    # 1.96 * 2.828 = 5.54 points: 6 is reliable, 5 is not.
    assert change_between(instrument, 20, 14).classification == "reliable_improvement"
    assert change_between(instrument, 20, 15).classification == "no_reliable_change"
    assert change_between(instrument, 14, 20).classification == "reliable_deterioration"


def test_higher_is_better_flips_the_direction():
    gad7 = get_instrument("gad7")
    flipped = replace(gad7, change=replace(gad7.change, higher_is_better=True))
    assert change_between(flipped, 8, 12).classification == "reliable_improvement"


@pytest.mark.parametrize(
    ("key", "baseline", "current", "message"),
    [
        ("phq9", 28, 10, "baseline total 28 is outside PHQ-9's 0-27"),
        ("gad7", 5, -1, "current total -1 is outside GAD-7's 0-21"),
        ("asq", 0, 0, "ASQ has no numeric total to compare"),
    ],
)
def test_change_refuses_impossible_totals(key, baseline, current, message):
    with pytest.raises(ChangeError) as raised:
        change_between(get_instrument(key), baseline, current)
    assert str(raised.value) == message


def test_change_result_as_dict_is_the_cli_contract():
    result = change_between(get_instrument("phq9"), 18, 4)
    assert result.as_dict() == {
        "change": -14,
        "classification": "reliable_improvement",
        "response": True,
        "remission": True,
    }
