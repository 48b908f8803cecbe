"""The instrument definition's typed boundary: wrong types, missing, unknown and
out-of-range fields are refused with the field path and a plain message."""

from __future__ import annotations

import pytest

from stepwell.measures.instruments import DefinitionError, load_definition
from stepwell.measures.tests.test_instruments import _broken


def refusal(data: dict) -> tuple[str, str]:
    with pytest.raises(DefinitionError) as raised:
        load_definition(data)
    return raised.value.field, raised.value.problem


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # wrong types
        (_broken("phq9", lambda d: d.update(name=9)), ("name", "must be a string")),
        (_broken("phq9", lambda d: d.update(name=" ")), ("name", "must not be empty")),
        (_broken("phq9", lambda d: d["items"][0].update(weight="2")),
         ("items[0].weight", "must be an integer")),
        (_broken("phq9", lambda d: d["items"][0].update(weight=True)),
         ("items[0].weight", "must be an integer")),
        (_broken("phq9", lambda d: d["items"][1].update(scored="yes")),
         ("items[1].scored", "must be true or false")),
        (_broken("phq9", lambda d: d.update(items={"phq9_1": {}})), ("items", "must be a list")),
        (_broken("phq9", lambda d: d.update(classification=[])),
         ("classification", "must be an object")),
        (_broken("asq", lambda d: d["response_scales"]["yes_no"][0].update(value=True)),
         ("response_scales.yes_no[0].value", "must be an integer, 'yes', 'no' or 'declined'")),
        (_broken("phq9", lambda d: d["flags"][0].update(above="0")),
         ("flags[0].above", "must be an integer")),
        # missing fields
        (_broken("phq9", lambda d: d["licence"].pop("attribution")),
         ("licence.attribution", "is required")),
        (_broken("phq9", lambda d: d["classification"]["bands"][0].pop("label")),
         ("classification.bands[0].label", "is required")),
        (_broken("phq9", lambda d: d["flags"][0].pop("flag")), ("flags[0].flag", "is required")),
        (_broken("phq9", lambda d: d["items"][0].pop("scale")), ("items[0].scale", "is required")),
        # unknown fields
        (_broken("phq9", lambda d: d.update(copyright="x")), ("copyright", "unknown field")),
        (_broken("phq9", lambda d: d["items"][2].update(hint="x")),
         ("items[2].hint", "unknown field")),
        (_broken("phq9", lambda d: d["classification"]["bands"][0].update(colour="red")),
         ("classification.bands[0].colour", "unknown field")),
        (_broken("phq9", lambda d: d["change"]["reliable_change"].update(note="x")),
         ("change.reliable_change.note", "unknown field")),
        # unknown choices
        (_broken("phq9", lambda d: d["classification"].update(type="stanines")),
         ("classification.type", "unknown classification type 'stanines'")),
        (_broken("phq9", lambda d: d["flags"][0].update(type="total_above")),
         ("flags[0].type", "unknown flag rule type 'total_above'")),
        (_broken("phq9", lambda d: d["scoring"].update(method="mean")),
         ("scoring.method", "must be one of sum, none")),
        # out of range
        (_broken("phq9", lambda d: d.update(format=2)), ("format", "only format 1 is understood")),
        (_broken("phq9", lambda d: d["items"][0].update(weight=0)),
         ("items[0].weight", "must be a positive integer")),
        (_broken("phq9", lambda d: d["change"]["reliable_change"].update(points=0)),
         ("change.reliable_change.points", "must be a positive integer")),
        (_broken("phq9", lambda d: d["classification"]["bands"][0].update(min=5)),
         ("classification.bands[0]", "min must not exceed max")),
        (_broken("phq9", lambda d: d["response_scales"].update(empty=[])),
         ("response_scales.empty", "must list at least one option")),
        (_broken("phq9", lambda d: d.update(items=[])), ("items", "must list at least one item")),
        (_broken("phq9", lambda d: d.update(key="PHQ-9")),
         ("key", "must be lower-case letters, digits and underscores")),
    ],
)  # fmt: skip
def test_bad_parts_are_refused_with_their_path(data, expected):
    assert refusal(data) == expected


def test_jacobson_truax_ranges():
    def with_jt(**values):
        def change(data):
            data["change"]["jacobson_truax"] = {"source": "test", **values}

        return _broken("phq9", change)

    assert refusal(with_jt(standard_deviation=0, reliability=0.8)) == (
        "change.jacobson_truax.standard_deviation",
        "must be > 0",
    )
    assert refusal(with_jt(standard_deviation=5, reliability=1)) == (
        "change.jacobson_truax.reliability",
        "must be in [0, 1)",
    )
    assert refusal(with_jt(standard_deviation=False, reliability=0.8)) == (
        "change.jacobson_truax.standard_deviation",
        "must be a number",
    )
    loaded = load_definition(with_jt(standard_deviation=5, reliability=0.84))
    assert loaded.change.jacobson_truax is not None
    assert loaded.change.jacobson_truax.standard_deviation == 5.0


def test_higher_is_better_refuses_response_remission_and_caseness():
    data = _broken("phq9", lambda d: d["change"].update(higher_is_better=True))
    assert refusal(data) == (
        "change",
        "response, remission and caseness need higher_is_better false",
    )


def test_an_option_without_a_value_takes_its_score():
    def inline(data):
        data["items"][0].pop("scale")
        data["items"][0]["options"] = [{"score": 0, "label": "No"}, {"score": 3, "label": "Yes"}]

    item = load_definition(_broken("phq9", inline)).items[0]
    assert [(option.value, option.score) for option in item.options] == [(0, 0), (3, 3)]


def test_empty_change_parts_are_absent_as_before():
    data = _broken("phq9", lambda d: d["change"].update(response={}, caseness={}))
    change = load_definition(data).change
    assert (change.response, change.caseness_at_or_above) == (None, None)
    assert change.remission_below is not None


def _with_unknown_fields(data: dict) -> None:
    data["copyright"] = "x"
    data["items"][0]["hint"] = "x"
    data["classification"]["colour"] = "red"
    data["flags"][0]["note"] = "x"


def test_a_stored_definition_ignores_fields_it_predates():
    """Rows stored before unknown fields were refused still load; new files are refused."""
    data = _broken("phq9", _with_unknown_fields)
    assert refusal(data) == ("items[0].hint", "unknown field")
    stored = load_definition(data, stored=True)
    assert stored == load_definition(_broken("phq9", lambda d: None))
    broken = _broken("phq9", lambda d: (_with_unknown_fields(d), d["items"][0].pop("text")))
    with pytest.raises(DefinitionError) as raised:
        load_definition(broken, stored=True)
    assert (raised.value.field, raised.value.problem) == ("items[0].text", "is required")
