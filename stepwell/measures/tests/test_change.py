"""Change rules from docs/clinical-sources.md §3.7 (IAPT thresholds, response, remission,
the joint reliable recovery)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from stepwell.measures.change import (
    ChangeClassification,
    ChangeError,
    change_between,
    reliable_recovery,
)
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
    ("key", "baseline", "current", "at_caseness", "below_now"),
    [
        ("phq9", 10, 9, True, True),  # PHQ-9 caseness is 10
        ("phq9", 9, 10, False, False),
        ("gad7", 8, 7, True, True),  # GAD-7 caseness is 8
        ("gad7", 7, 8, False, False),
    ],
)
def test_per_instrument_caseness(key, baseline, current, at_caseness, below_now):
    result = change_between(get_instrument(key), baseline, current)
    assert (result.caseness_at_baseline, result.below_caseness_now) == (at_caseness, below_now)


def test_per_instrument_results_never_speak_of_recovery():
    result = change_between(get_instrument("phq9"), 20, 4)
    assert not any("recover" in name for name in vars(result))
    assert not any("recover" in name for name in result.as_dict())


def _joint(phq9, gad7):
    return reliable_recovery(
        phq9=get_instrument("phq9"),
        gad7=get_instrument("gad7"),
        phq9_totals=phq9,
        gad7_totals=gad7,
    )


@pytest.mark.parametrize(
    ("phq9", "gad7", "recovered", "reason"),
    [
        # caseness on PHQ-9 only; below on both at the end; PHQ-9 fell 6 points
        ((15, 9), (6, 5), True, ""),
        # caseness on GAD-7 only; GAD-7 fell 4 points
        ((8, 7), (10, 6), True, ""),
        # caseness on both; both below at the end; one reliable improvement is enough
        ((12, 6), (9, 7), True, ""),
        # below caseness on both at the end, but no reliable improvement on either
        ((12, 9), (9, 7), False, ""),
        # reliable improvement on PHQ-9 but GAD-7 still at caseness at the end
        ((16, 5), (9, 8), False, ""),
        # reliable improvement on PHQ-9, but reliable deterioration on GAD-7
        ((16, 5), (2, 6), False, ""),
        # PHQ-9 improved 5 points only (IAPT asks 6)
        ((14, 9), (7, 4), False, ""),
        # below caseness on both at the start: not applicable
        ((9, 2), (7, 1), None, "below caseness on both at the start"),
        # a measure missing: not applicable
        ((20, 4), None, None, "needs a first and a latest PHQ-9 and GAD-7"),
        (None, (15, 3), None, "needs a first and a latest PHQ-9 and GAD-7"),
    ],
)
def test_reliable_recovery_is_joint(phq9, gad7, recovered, reason):
    outcome = _joint(phq9, gad7)
    assert (outcome.reliable_recovery, outcome.reason) == (recovered, reason)


def test_reliable_recovery_reports_its_parts():
    outcome = _joint((16, 5), (2, 6))
    assert outcome.as_dict() == {
        "reliable_recovery": False,
        "reason": "",
        "caseness_at_baseline": True,
        "below_caseness_on_both": True,
        "reliable_improvement": True,
        "reliable_deterioration": True,
    }


def test_reliable_recovery_refuses_impossible_totals():
    with pytest.raises(ChangeError, match="outside PHQ-9"):
        _joint((30, 2), (10, 2))


def test_instruments_without_sourced_thresholds_do_not_classify():
    result = change_between(get_instrument("audit"), 20, 5)
    assert (result.change, result.classification, result.response, result.remission) == (
        -15,
        None,
        None,
        None,
    )
    assert (result.rci, result.threshold_verified, result.caseness_at_baseline) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(("baseline", "current"), [(50, 40), (50, 10), (20, 60), (50, 49)])
def test_pcl5_unverified_threshold_never_classifies_change(baseline, current):
    pcl5 = get_instrument("pcl5")
    assert pcl5.change.reliable_change.verified is False
    result = change_between(pcl5, baseline, current)
    assert (result.classification, result.threshold_verified, result.threshold_points) == (
        None,
        False,
        10,
    )


def test_an_unverified_threshold_falls_back_to_a_sourced_rci():
    parameters = JacobsonTruaxParameters(standard_deviation=10.0, reliability=0.8, source="test")
    pcl5 = get_instrument("pcl5")
    instrument = replace(pcl5, change=replace(pcl5.change, jacobson_truax=parameters))
    # SE = 10 * sqrt(0.2) = 4.47; S_diff = 6.32; 1.96 * 6.32 = 12.4 points
    assert change_between(instrument, 50, 37).classification == "reliable_improvement"
    assert change_between(instrument, 50, 38).classification == "no_reliable_change"


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
        "threshold_verified": True,
        "response": True,
        "remission": True,
    }
