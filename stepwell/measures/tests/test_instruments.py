"""Engine cases from docs/clinical-sources.md §3, one row per rule boundary."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from stepwell.measures.instruments import (
    DefinitionError,
    Flag,
    UnknownInstrumentError,
    get_instrument,
    instrument_registry,
    load_definition,
    score,
)


def answers_for_total(total: int, items: int, highest: int) -> list[int]:
    """Answers that add up to ``total``, filling items from the first."""
    answers = []
    for _ in range(items):
        answers.append(min(highest, total))
        total -= answers[-1]
    assert total == 0
    return answers


def shipped_definition(key: str) -> dict:
    folder = resources.files("stepwell.measures.definitions")
    return json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))


def test_registry_ships_exactly_the_seven_instruments():
    assert list(instrument_registry()) == [
        "phq9",
        "gad7",
        "audit",
        "auditc",
        "dast10",
        "pcl5",
        "asq",
    ]


@pytest.mark.parametrize(
    ("name", "key"),
    [("PHQ-9", "phq9"), ("gad-7", "gad7"), ("AUDIT-C", "auditc"), ("DAST-10", "dast10"),
     ("pcl_5", "pcl5"), ("ASQ", "asq")],
)  # fmt: skip
def test_get_instrument_accepts_case_and_hyphens(name, key):
    assert get_instrument(name).key == key


@pytest.mark.parametrize("name", ["cssrs", "C-SSRS", "locus"])
def test_licensed_instruments_are_not_shipped(name):
    with pytest.raises(UnknownInstrumentError, match="unknown instrument"):
        get_instrument(name)


@pytest.mark.parametrize(
    ("key", "total", "band"),
    [
        ("phq9", 0, "minimal"), ("phq9", 4, "minimal"), ("phq9", 5, "mild"), ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"), ("phq9", 14, "moderate"), ("phq9", 15, "moderately_severe"),
        ("phq9", 19, "moderately_severe"), ("phq9", 20, "severe"), ("phq9", 27, "severe"),
        ("gad7", 0, "minimal"), ("gad7", 4, "minimal"), ("gad7", 5, "mild"), ("gad7", 9, "mild"),
        ("gad7", 10, "moderate"), ("gad7", 14, "moderate"), ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("audit", 0, "low_risk"), ("audit", 7, "low_risk"), ("audit", 8, "hazardous"),
        ("audit", 15, "hazardous"), ("audit", 16, "harmful"), ("audit", 19, "harmful"),
        ("audit", 20, "possible_dependence"), ("audit", 40, "possible_dependence"),
        ("pcl5", 0, "below_threshold"), ("pcl5", 32, "below_threshold"),
        ("pcl5", 33, "probable_ptsd"), ("pcl5", 80, "probable_ptsd"),
    ],
)  # fmt: skip
def test_band_boundaries(key, total, band):
    instrument = get_instrument(key)
    if key == "audit":
        # Items 1-8 score 0-4, items 9-10 only 0, 2 or 4: fill 9-10 first in steps of 2.
        last_two = answers_for_total(min(total - total % 2, 8), 2, 4)
        answers = answers_for_total(total - sum(last_two), 8, 4) + last_two
    else:
        highest = max(option.score for option in instrument.items[0].options)
        scored = [item for item in instrument.items if item.scored]
        answers = answers_for_total(total, len(scored), highest)
    result = score(instrument, answers)
    assert (result.valid, result.total, result.band) == (True, total, band)


@pytest.mark.parametrize(
    ("yes_count", "band"),
    [(0, "none"), (1, "low"), (2, "low"), (3, "moderate"), (5, "moderate"),
     (6, "substantial"), (8, "substantial"), (9, "severe"), (10, "severe")],
)  # fmt: skip
def test_dast10_band_boundaries(yes_count, band):
    # Item 3 scores 1 for "no", so it is answered "no" when it should count.
    answers = ["no"] * 10
    answers[2] = "yes"
    for index in [2, 0, 1, 3, 4, 5, 6, 7, 8, 9][:yes_count]:
        answers[index] = "no" if index == 2 else "yes"
    result = score(get_instrument("dast10"), answers)
    assert (result.total, result.band) == (yes_count, band)


def test_dast10_item_3_is_reversed():
    dast10 = get_instrument("dast10")
    all_no = score(dast10, ["no"] * 10)
    all_yes = score(dast10, ["yes"] * 10)
    assert (all_no.total, all_no.band, all_no.item_scores["dast10_3"]) == (1, "low", 1)
    assert (all_yes.total, all_yes.band, all_yes.item_scores["dast10_3"]) == (9, "severe", 0)


def test_phq9_item_9_raises_suicide_risk_whatever_the_total():
    result = score(get_instrument("phq9"), [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (result.total, result.band, result.flags) == (1, "minimal", ("suicide_risk",))


def test_phq9_item_9_at_zero_raises_no_flag():
    result = score(get_instrument("phq9"), [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert (result.total, result.band, result.flags) == (24, "severe", ())


def test_phq9_item_9_flag_survives_an_invalid_administration():
    result = score(get_instrument("phq9"), [0, 0, 0, 0, 0, 0, 0, 7, 2])
    assert result.valid is False
    assert result.total is None
    assert result.flags == (Flag.SUICIDE_RISK,)
    assert [str(error) for error in result.errors] == [
        "item 8 (phq9_8): answer 7 is not one of the options 0, 1, 2, 3"
    ]


@pytest.mark.parametrize("difficulty", [0, 1, 2, 3])
def test_phq9_item_10_is_not_scored(difficulty):
    result = score(get_instrument("phq9"), [1, 1, 1, 1, 1, 1, 1, 1, 0, difficulty])
    assert (result.valid, result.total, result.band) == (True, 8, "mild")


def test_phq9_item_10_must_still_be_one_of_its_options():
    result = score(get_instrument("phq9"), [1, 1, 1, 1, 1, 1, 1, 1, 0, 4])
    assert [str(error) for error in result.errors] == [
        "item 10 (phq9_10): answer 4 is not one of the options 0, 1, 2, 3"
    ]


def test_gad7_items_follow_loinc_order():
    codes = [item.loinc.code for item in get_instrument("gad7").items]
    assert codes == ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]


@pytest.mark.parametrize("refused", [1, 3])
@pytest.mark.parametrize("item", [9, 10])
def test_audit_items_9_and_10_take_only_0_2_or_4(item, refused):
    answers = [0] * 10
    answers[item - 1] = refused
    result = score(get_instrument("audit"), answers)
    assert result.valid is False
    assert [error.item_number for error in result.errors] == [item]
    assert str(result.errors[0]) == (
        f"item {item} (audit_{item}): answer {refused} is not one of the options 0, 2, 4"
    )


def test_audit_items_9_and_10_accept_4():
    result = score(get_instrument("audit"), [4, 4, 4, 4, 4, 4, 4, 4, 4, 4])
    assert (result.total, result.band) == (40, "possible_dependence")


@pytest.mark.parametrize(
    ("answers", "sex", "band"),
    [
        ([1, 1, 0], "female", "negative"), ([1, 1, 1], "female", "positive"),
        ([1, 1, 1], "male", "negative"), ([2, 1, 1], "male", "positive"),
        ([1, 1, 0], None, "negative"), ([1, 1, 1], None, "positive"),
        ([4, 4, 4], "male", "positive"), ([0, 0, 0], "female", "negative"),
    ],
)  # fmt: skip
def test_auditc_cut_offs_by_sex_with_unknown_sex_using_3(answers, sex, band):
    result = score(get_instrument("auditc"), answers, sex=sex)
    assert (result.total, result.band) == (sum(answers), band)


def test_pcl5_subscales_and_cluster_rule_met():
    answers = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    result = score(get_instrument("pcl5"), answers)
    assert result.total == 12
    assert dict(result.subscales) == {"B": 2, "C": 2, "D": 4, "E": 4}
    assert result.band == "below_threshold"
    assert result.flags == ("dsm5_cluster_rule_met",)


@pytest.mark.parametrize(
    "missing_cluster_item",
    [0, 5, 8, 15],  # the one endorsed B item, the C item, one of two D, one of two E
)
def test_pcl5_cluster_rule_not_met_when_one_cluster_falls_short(missing_cluster_item):
    answers = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    answers[missing_cluster_item] = 1
    result = score(get_instrument("pcl5"), answers)
    assert result.flags == ()


def test_pcl5_high_total_without_cluster_rule():
    answers = [4, 4, 4, 4, 4, 0, 0, 4, 4, 4, 4, 0, 0, 0, 4, 0, 0, 0, 0, 0]
    result = score(get_instrument("pcl5"), answers)
    assert (result.total, result.band, result.flags) == (40, "probable_ptsd", ())
    assert dict(result.subscales) == {"B": 20, "C": 0, "D": 16, "E": 4}


ACUTE = ("acute_suicide_risk", "suicide_risk")


@pytest.mark.parametrize(
    ("answers", "band", "flags"),
    [
        (["no", "no", "no", "no"], "negative", ()),
        (["yes", "no", "no", "no", "no"], "non_acute_positive", ("suicide_risk",)),
        (["no", "no", "no", "yes", "no"], "non_acute_positive", ("suicide_risk",)),
        (["no", "yes", "yes", "no", "yes"], "acute_positive", ACUTE),
        # a declined item is positive (NIMH/AACAP pathway)
        (["declined", "no", "no", "no", "no"], "non_acute_positive", ("suicide_risk",)),
        (["no", "no", "no", "declined", "yes"], "acute_positive", ACUTE),
        (["declined"] * 4 + ["no"], "non_acute_positive", ("suicide_risk",)),
        # item 5 left unanswered after a positive screen: acuity unknown, not refused
        (["declined", "no", "no", "no"], "positive_acuity_unknown", ("suicide_risk",)),
        (["no", "yes", "no", "no"], "positive_acuity_unknown", ("suicide_risk",)),
    ],
)
def test_asq_classification(answers, band, flags):
    result = score(get_instrument("asq"), answers)
    assert (result.valid, result.total, result.band, result.flags) == (True, None, band, flags)


@pytest.mark.parametrize("item", [1, 2, 3, 4])
def test_asq_declined_on_each_screen_item_is_positive(item):
    answers = {n: "no" for n in range(1, 5)} | {item: "declined"}
    result = score(get_instrument("asq"), answers)
    assert (result.valid, result.band, result.flags) == (
        True,
        "positive_acuity_unknown",
        ("suicide_risk",),
    )


def test_asq_item_5_cannot_be_declined():
    result = score(get_instrument("asq"), ["yes", "no", "no", "no", "declined"])
    assert result.valid is False
    assert result.flags == ("suicide_risk",)
    assert [str(error) for error in result.errors] == [
        "item 5 (asq_5): answer 'declined' is not one of the options yes, no"
    ]


def test_asq_acuity_unknown_and_acute_need_an_immediate_response():
    classification = get_instrument("asq").classification
    assert classification.immediate_bands == ("acute_positive", "positive_acuity_unknown")
    assert get_instrument("phq9").classification.immediate_bands == ()


def test_asq_item_5_is_refused_when_the_screen_is_negative():
    result = score(get_instrument("asq"), ["no", "no", "no", "no", "no"])
    assert result.valid is False
    assert [str(error) for error in result.errors] == [
        "item 5 (asq_5): is asked only when one of items 1, 2, 3, 4 is answered yes or declined"
    ]


def test_a_loaded_screen_without_acuity_unknown_still_requires_its_acuity_item():
    data = shipped_definition("asq")
    del data["classification"]["acuity_unknown"]
    data["items"][4]["required"] = True
    result = score(load_definition(data), ["yes", "no", "no", "no"])
    assert (result.valid, result.band, result.flags) == (False, None, ("suicide_risk",))
    assert [(e.item_key, e.missing) for e in result.errors] == [("asq_5", True)]


AUDIT_ZONES = ["low_risk", "hazardous", "harmful", "possible_dependence"]


def _audit(total_from_items_1_to_3: int, **items: int) -> list[int]:
    """AUDIT answers: items 1-3 carry most of the total, the named items their score."""
    answers = answers_for_total(total_from_items_1_to_3, 3, 4) + [0] * 7
    for name, value in items.items():
        answers[int(name.removeprefix("item")) - 1] = value
    return answers


@pytest.mark.parametrize(
    ("answers", "total", "band", "suggested"),
    [
        # no move-up condition: no suggestion
        (_audit(7), 7, "low_risk", None),
        (_audit(4, item4=1, item5=1, item6=1), 7, "low_risk", None),  # no single item at 2
        (_audit(4, item9=2, item10=2), 8, "hazardous", None),  # 9 and 10 only at 2
        # any of items 4-6 at 2 or more moves one zone up
        (_audit(0, item4=2), 2, "low_risk", "hazardous"),
        (_audit(5, item5=2), 7, "low_risk", "hazardous"),
        (_audit(6, item6=4), 10, "hazardous", "harmful"),
        (_audit(12, item4=3, item5=3), 18, "harmful", "possible_dependence"),
        # item 9 or 10 at 4 moves one zone up
        (_audit(0, item9=4), 4, "low_risk", "hazardous"),
        (_audit(8, item10=4), 12, "hazardous", "harmful"),
        (_audit(12, item9=4), 16, "harmful", "possible_dependence"),
        # both conditions still move only one zone
        (_audit(0, item4=2, item9=4), 6, "low_risk", "hazardous"),
        # none above zone IV
        (_audit(12, item4=4, item5=4), 20, "possible_dependence", None),
        (_audit(12, item4=4, item9=4, item10=4), 24, "possible_dependence", None),
    ],
)
def test_audit_zone_move_up(answers, total, band, suggested):
    result = score(get_instrument("audit"), answers)
    assert (result.valid, result.total, result.band, result.suggested_band) == (
        True,
        total,
        band,
        suggested,
    )
    assert ("zone_moved_up" in result.flags) is (suggested is not None)


def test_audit_zone_move_up_is_not_applied_to_an_incomplete_audit():
    result = score(get_instrument("audit"), {"audit_4": 4})
    assert (result.valid, result.band, result.suggested_band, result.flags) == (
        False,
        None,
        None,
        (),
    )


def test_other_instruments_never_suggest_a_band():
    result = score(get_instrument("phq9"), [3] * 9)
    assert (result.band, result.suggested_band) == ("severe", None)


def test_missing_items_are_marked_missing_and_the_valid_answers_kept():
    result = score(get_instrument("phq9"), {"phq9_9": 2})
    missing = [error.item_key for error in result.errors if error.missing]
    assert missing == [f"phq9_{n}" for n in range(1, 9)]  # item 10 is optional
    assert result.flags == ("suicide_risk",)
    assert dict(result.answers) == {"phq9_9": 2}


@pytest.mark.parametrize(
    ("key", "answers", "message"),
    [
        ("phq9", [0] * 8, "item 9 (phq9_9): missing (PHQ-9 takes 9 to 10 answers, got 8)"),
        ("phq9", [0] * 11, "item 11: there is no such item (PHQ-9 takes 9 to 10 answers, got 11)"),
        ("gad7", [0] * 6, "item 7 (gad7_7): missing (GAD-7 takes 7 answers, got 6)"),
        ("gad7", [0, 0, 0, -1, 0, 0, 0],
         "item 4 (gad7_4): answer -1 is not one of the options 0, 1, 2, 3"),
        ("dast10", ["yes"] * 9 + ["maybe"],
         "item 10 (dast10_10): answer 'maybe' is not one of the options yes, no"),
        ("dast10", [1] * 10, "item 1 (dast10_1): answer 1 is not one of the options yes, no"),
        ("asq", ["no"] * 3, "item 4 (asq_4): missing (ASQ takes 4 to 5 answers, got 3)"),
        ("pcl5", [5] + [0] * 19,
         "item 1 (pcl5_1): answer 5 is not one of the options 0, 1, 2, 3, 4"),
    ],
)  # fmt: skip
def test_invalid_answers_name_the_item(key, answers, message):
    result = score(get_instrument(key), answers)
    assert (result.valid, result.total, result.band) == (False, None, None)
    assert str(result.errors[0]) == message


def test_booleans_are_not_option_scores():
    result = score(get_instrument("gad7"), [True, 0, 0, 0, 0, 0, 0])
    assert [error.item_number for error in result.errors] == [1]


def test_answers_by_item_key_and_number():
    by_key = {f"gad7_{n}": 1 for n in range(1, 8)}
    by_number = {n: 2 for n in range(1, 8)}
    assert score(get_instrument("gad7"), by_key).total == 7
    assert score(get_instrument("gad7"), by_number).total == 14


def test_mapping_with_a_missing_and_an_unknown_item():
    answers = {f"gad7_{n}": 0 for n in range(1, 7)} | {"gad7_8": 1}
    result = score(get_instrument("gad7"), answers)
    assert [str(error) for error in result.errors] == [
        "item 'gad7_8' is not part of gad7",
        "item 7 (gad7_7): is required but was not answered",
    ]


def test_score_result_as_dict_is_the_cli_contract():
    result = score(get_instrument("pcl5"), [1] * 20)
    assert result.as_dict() == {
        "instrument": "pcl5",
        "version": "1.0.0",
        "total": 20,
        "band": "below_threshold",
        "suggested_band": None,
        "subscales": {"B": 5, "C": 2, "D": 7, "E": 6},
        "flags": [],
        "valid": True,
        "errors": [],
    }


def test_unverified_loinc_codes_are_marked():
    assert get_instrument("pcl5").loinc_total.verified is False
    assert get_instrument("dast10").loinc_total.verified is False
    assert get_instrument("auditc").items[0].loinc.verified is False
    assert get_instrument("phq9").loinc_total.code == "44261-6"
    assert get_instrument("phq9").loinc_total.verified is True


def test_every_definition_carries_licence_text():
    for instrument in instrument_registry().values():
        assert instrument.licence.text
        assert instrument.licence.attribution
    assert "Pfizer" in get_instrument("phq9").licence.text
    assert "Centre for Addiction and Mental Health" in get_instrument("dast10").licence.text


def test_dast10_licence_states_the_camh_terms():
    text = get_instrument("dast10").licence.text
    assert "Non-commercial clinical use is allowed with credit" in text
    assert "commercial use needs a licence from CAMH" in text


@pytest.mark.parametrize("key", ["phq9", "audit", "asq"])
def test_load_definition_round_trips_a_shipped_file(key):
    assert load_definition(shipped_definition(key)) == get_instrument(key)


def _broken(key: str, change) -> dict:
    data = copy.deepcopy(shipped_definition(key))
    change(data)
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_broken("phq9", lambda d: d.pop("version")), "version"),
        (_broken("phq9", lambda d: d["items"][3].pop("text")), "items[3].text"),
        (_broken("phq9", lambda d: d["items"][2].update(scale="nope")), "items[2].scale"),
        (_broken("phq9", lambda d: d["classification"]["bands"][1].update(min=6)),
         "classification.bands"),
        (_broken("phq9", lambda d: d["classification"]["bands"].pop()), "classification.bands"),
        (_broken("phq9", lambda d: d["flags"][0].update(item="phq9_99")), "flags[0].item"),
        (_broken("phq9", lambda d: d["loinc"]["total"].update(code="x")), "loinc.total.code"),
        (_broken("phq9", lambda d: d["change"]["reliable_change"].pop("source")),
         "change.reliable_change.source"),
        (_broken("auditc", lambda d: d["classification"].pop("unknown")),
         "classification.unknown"),
        (_broken("pcl5", lambda d: d["subscales"][0]["items"].append("pcl5_21")),
         "subscales[0].items"),
        (_broken("asq", lambda d: d["items"][4]["asked_when"].update(items=["asq_6"])),
         "items[4].asked_when.items"),
        (_broken("asq", lambda d: d["response_scales"]["yes_no"][0].update(value="maybe")),
         "response_scales.yes_no[0].value"),
        (_broken("audit", lambda d: d["classification"]["move_up"]["when_any"][1].update(
            items=["audit_11"])), "classification.move_up.when_any[1].items"),
        (_broken("audit", lambda d: d["classification"]["move_up"]["when_any"][0].pop(
            "score_at_or_above")), "classification.move_up.when_any[0].score_at_or_above"),
        (_broken("audit", lambda d: d["classification"]["move_up"].update(when_any=[])),
         "classification.move_up"),
    ],
)  # fmt: skip
def test_load_definition_names_the_bad_field(data, field):
    with pytest.raises(DefinitionError) as raised:
        load_definition(data)
    assert raised.value.field == field


def test_band_gap_message():
    data = _broken("phq9", lambda d: d["classification"]["bands"][1].update(min=6))
    with pytest.raises(DefinitionError, match=r"classification.bands: gap at total 5"):
        load_definition(data)


def test_loaded_definition_with_a_different_pcl5_cut():
    def cut_at_31(data):
        data["classification"]["bands"][0]["max"] = 30
        data["classification"]["bands"][1]["min"] = 31

    pcl5_at_31 = load_definition(_broken("pcl5", cut_at_31))
    answers = answers_for_total(31, 20, 4)
    assert score(pcl5_at_31, answers).band == "probable_ptsd"
    assert score(get_instrument("pcl5"), answers).band == "below_threshold"


def test_item_weights_count_in_total_and_subscale():
    def weigh(data):
        data["items"][0]["weight"] = 2
        data["classification"]["bands"][-1]["max"] = 84

    weighted = load_definition(_broken("pcl5", weigh))
    result = score(weighted, [4] + [0] * 19)
    assert (result.total, result.subscales["B"]) == (8, 8)
    assert weighted.total_range == (0, 84)
