"""Hypothesis properties over every shipped instrument with a numeric total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stepwell.measures.instruments import (
    SeverityBands,
    SexSpecificBands,
    instrument_registry,
    score,
)

NUMERIC = [i for i in instrument_registry().values() if i.total_range is not None]


@st.composite
def administrations(draw):
    """A valid administration: one option per item (optional items sometimes left out)."""
    instrument = draw(st.sampled_from(NUMERIC))
    answers = {}
    for item in instrument.items:
        if item.required or draw(st.booleans()):
            answers[item.key] = draw(st.sampled_from(item.options)).value
    sex = draw(st.sampled_from([None, "female", "male"]))
    return instrument, answers, sex


@given(administrations())
def test_totals_stay_in_range(administration):
    instrument, answers, sex = administration
    result = score(instrument, answers, sex=sex)
    low, high = instrument.total_range
    assert result.valid is True
    assert low <= result.total <= high
    assert all(low <= value <= high for value in result.subscales.values())


@given(administrations())
def test_every_valid_total_gets_a_band(administration):
    instrument, answers, sex = administration
    result = score(instrument, answers, sex=sex)
    assert result.band is not None


def test_bands_cover_the_whole_range_without_gaps_or_overlaps():
    for instrument in NUMERIC:
        low, high = instrument.total_range
        classification = instrument.classification
        if isinstance(classification, SexSpecificBands):
            tables = [classification.female, classification.male, classification.unknown]
        else:
            assert isinstance(classification, SeverityBands)
            tables = [classification.bands]
        for bands in tables:
            for total in range(low, high + 1):
                covering = [b.key for b in bands if b.minimum <= total <= b.maximum]
                assert len(covering) == 1, (instrument.key, total, covering)
            assert min(b.minimum for b in bands) == low
            assert max(b.maximum for b in bands) == high


@given(administrations(), st.data())
def test_more_symptoms_never_lower_the_total(administration, data):
    instrument, answers, sex = administration
    before = score(instrument, answers, sex=sex).total
    item = data.draw(st.sampled_from([i for i in instrument.items if i.key in answers]))
    current = item.score_of(item.option_for(answers[item.key]))
    worse = [o for o in item.options if item.score_of(o) >= current]
    answers = {**answers, item.key: data.draw(st.sampled_from(worse)).value}
    assert score(instrument, answers, sex=sex).total >= before


@given(administrations(), st.data())
def test_more_symptoms_never_lower_the_band(administration, data):
    instrument, answers, sex = administration
    first = score(instrument, answers, sex=sex)
    item = data.draw(st.sampled_from([i for i in instrument.items if i.key in answers]))
    highest = max(item.options, key=item.score_of)
    second = score(instrument, {**answers, item.key: highest.value}, sex=sex)
    order = [band.key for band in _bands(instrument, sex)]
    assert order.index(second.band) >= order.index(first.band)


@given(st.sampled_from(NUMERIC), st.integers(min_value=-3, max_value=8))
def test_answers_outside_the_options_are_errors(instrument, value):
    item = instrument.items[0]
    answers = {i.key: i.options[0].value for i in instrument.items if i.required}
    answers[item.key] = value
    result = score(instrument, answers)
    is_option = item.option_for(value) is not None
    assert result.valid is is_option
    if not is_option:
        assert [error.item_number for error in result.errors] == [1]


def _bands(instrument, sex):
    classification = instrument.classification
    if isinstance(classification, SexSpecificBands):
        return classification.bands_for(sex or "unknown")
    return classification.bands


AUDIT = instrument_registry()["audit"]
AUDIT_ZONES = [band.key for band in AUDIT.classification.bands]


@st.composite
def audits(draw):
    return {item.key: draw(st.sampled_from(item.options)).value for item in AUDIT.items}


def _zone(result) -> int:
    """The zone the result points to: the suggested one when the items move it up."""
    return AUDIT_ZONES.index(result.suggested_band or result.band)


@given(audits(), st.data())
def test_audit_more_symptoms_never_lower_the_suggested_zone(answers, data):
    first = score(AUDIT, answers)
    item = data.draw(st.sampled_from(AUDIT.items))
    current = item.score_of(item.option_for(answers[item.key]))
    worse = [o for o in item.options if item.score_of(o) >= current]
    second = score(AUDIT, {**answers, item.key: data.draw(st.sampled_from(worse)).value})
    assert _zone(second) >= _zone(first)


@given(audits())
def test_audit_suggestion_is_exactly_one_zone_up_and_flagged(answers):
    result = score(AUDIT, answers)
    assert ("zone_moved_up" in result.flags) is (result.suggested_band is not None)
    if result.suggested_band is not None:
        assert _zone(result) == AUDIT_ZONES.index(result.band) + 1
