"""The instrument definition's typed boundary: pydantic models of the JSON format.

Pydantic checks each part's shape: types (a boolean is not a number), required and
unknown fields, ranges, LOINC codes, text answers. What needs the whole definition (item
keys that must exist, bands that cover every total, subscales a flag rule names) is
checked where the engine's dataclasses are built, in ``definitions/__init__.py``. The
classification and each flag rule are validated by their ``type``, once the type is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

from stepwell.core.typed_input import problem
from stepwell.measures.definitions.model import AnswerValue, ScoringMethod

FORMAT_VERSION = 1
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_LOINC_PATTERN = re.compile(r"^(LA)?\d{1,7}-\d$")
# Text answers: yes/no items, and "declined" for a patient who prefers not to answer (the
# ASQ counts a declined screen item as positive, docs/clinical-sources.md §3.6).
TEXT_VALUES = ("yes", "no", "declined")


def _non_blank(value: str) -> str:
    if not value.strip():
        raise problem("must not be empty")
    return value


def _check(test: Callable[[Any], bool], message: str) -> AfterValidator:
    def check(value: Any) -> Any:
        if not test(value):
            raise problem(message)
        return value

    return AfterValidator(check)


def _answer(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise problem("must be an integer, 'yes', 'no' or 'declined'")
    if isinstance(value, str) and value not in TEXT_VALUES:
        raise problem("must be an integer, 'yes', 'no' or 'declined'")
    return value


def _answers(value: object) -> object:
    if not isinstance(value, list) or not value:
        raise problem("must list answer values")
    if any(isinstance(each, bool) or not isinstance(each, int | str) for each in value):
        raise problem("must list answer values")
    return tuple(value)


def _loinc_code(code: str) -> str:
    if not _LOINC_PATTERN.match(code):
        raise problem(f"{code!r} is not a LOINC code")
    return code


Text = Annotated[str, Strict(), AfterValidator(_non_blank)]
Whole = Annotated[int, Strict()]
Switch = Annotated[bool, Strict()]
Answers = Annotated[tuple[AnswerValue, ...], BeforeValidator(_answers)]
Keys = tuple[Text, ...]  # item keys; the builder checks they exist and are distinct


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise problem("must be a number")
    return value


Number = Annotated[int | float, BeforeValidator(_number)]


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LoincIn(Part):
    code: Annotated[str, Strict(), AfterValidator(_loinc_code)]
    display: Text = ""
    verified: Switch = True


class OptionIn(Part):
    score: Whole
    value: Annotated[AnswerValue | None, BeforeValidator(_answer)] = None  # None: the score
    label: Text
    loinc: LoincIn | None = None


def _unique_values(options: tuple[OptionIn, ...]) -> tuple[OptionIn, ...]:
    if not options:
        raise problem("must list at least one option")
    values = [option.score if option.value is None else option.value for option in options]
    if len(set(values)) != len(values):
        raise problem("option values must be unique")
    return options


Options = Annotated[tuple[OptionIn, ...], AfterValidator(_unique_values)]


class ConditionIn(Part):
    items: Keys
    answer_in: Answers


class ItemIn(Part):
    key: Text
    text: Text
    options: Options | None = None
    scale: Text | None = None
    scored: Switch = True
    required: Switch = True
    reverse: Switch = False
    weight: Annotated[Whole, _check(lambda w: w >= 1, "must be a positive integer")] = 1
    asked_when: ConditionIn | None = None
    loinc: LoincIn | None = None


class LicenceIn(Part):
    text: Text
    attribution: Text
    source: Text = ""


class PanelCodesIn(Part):
    panel: LoincIn | None = None
    total: LoincIn | None = None


def _method(value: object) -> object:
    if value not in set(ScoringMethod):
        raise problem(f"must be one of {', '.join(ScoringMethod)}")
    return value


class ScoringIn(Part):
    method: Annotated[ScoringMethod, BeforeValidator(_method)]


class SubscaleIn(Part):
    key: Text
    name: Text
    items: Keys


class BandIn(Part):
    key: Text
    label: Text
    minimum: Whole = Field(alias="min")
    maximum: Whole = Field(alias="max")

    @model_validator(mode="after")
    def _ordered(self) -> BandIn:
        if self.minimum > self.maximum:
            raise problem("min must not exceed max")
        return self


class ScoreAtLeastIn(Part):
    items: Keys
    score_at_or_above: Whole


class MoveUpIn(Part):
    flag: Text
    when_any: tuple[ScoreAtLeastIn, ...]
    source: Text = ""


class TypedIn(Part):
    """Only the `type` of a classification or flag rule; the rest is read by that type."""

    model_config = ConfigDict(extra="allow")
    type: Text


class BandsIn(Part):
    type: Literal["bands"]
    bands: tuple[BandIn, ...]
    source: Text = ""
    move_up: MoveUpIn | None = None


class BandsBySexIn(Part):
    type: Literal["bands_by_sex"]
    female: tuple[BandIn, ...]
    male: tuple[BandIn, ...]
    unknown: tuple[BandIn, ...]
    source: Text = ""


class ScreenWithAcuityIn(Part):
    type: Literal["screen_with_acuity"]
    screen_items: Keys
    positive_answers: Answers
    acuity_item: Text
    acute_answers: Answers
    negative: Text
    acute_positive: Text
    non_acute_positive: Text
    acuity_unknown: Text | None = None
    source: Text = ""


CLASSIFICATIONS: dict[str, type[Part]] = {
    "bands": BandsIn,
    "bands_by_sex": BandsBySexIn,
    "screen_with_acuity": ScreenWithAcuityIn,
}


class ItemAboveIn(Part):
    type: Literal["item_above"]
    flag: Text
    item: Text
    above: Whole
    source: Text = ""


class AnswerInIn(Part):
    type: Literal["answer_in"]
    flag: Text
    items: Keys
    answers: Answers
    source: Text = ""


class ClusterCriteriaIn(Part):
    type: Literal["cluster_criteria"]
    flag: Text
    minimum_endorsed: dict[str, Whole]
    endorsed_at_or_above: Whole
    source: Text = ""


FLAG_RULES: dict[str, type[Part]] = {
    "item_above": ItemAboveIn,
    "answer_in": AnswerInIn,
    "cluster_criteria": ClusterCriteriaIn,
}


class ReliableChangeIn(Part):
    points: Annotated[Whole, _check(lambda p: p >= 1, "must be a positive integer")]
    source: Text
    verified: Switch = True


class ResponseIn(Part):
    reduction_at_least_percent: Whole
    source: Text


class RemissionIn(Part):
    below: Whole
    source: Text


class CasenessIn(Part):
    at_or_above: Whole
    source: Text


class JacobsonTruaxIn(Part):
    standard_deviation: Annotated[Number, _check(lambda sd: sd > 0, "must be > 0")]
    reliability: Annotated[Number, _check(lambda r: 0 <= r < 1, "must be in [0, 1)")]
    source: Text


class ChangeIn(Part):
    higher_is_better: Switch = False
    reliable_change: ReliableChangeIn | None = None
    response: ResponseIn | None = None
    remission: RemissionIn | None = None
    caseness: CasenessIn | None = None
    jacobson_truax: JacobsonTruaxIn | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty_parts_are_absent(cls, data: Any) -> Any:
        """`"response": {}` means no response criterion, as the format always read it."""
        if isinstance(data, dict):
            return {name: part for name, part in data.items() if part != {}}
        return data

    @model_validator(mode="after")
    def _direction(self) -> ChangeIn:
        if self.higher_is_better and (self.response or self.remission or self.caseness):
            raise problem("response, remission and caseness need higher_is_better false")
        return self


class DefinitionIn(Part):
    """A whole definition; fields in the order a reader fixes them (licence before items)."""

    format: Annotated[
        Whole, _check(lambda f: f == FORMAT_VERSION, f"only format {FORMAT_VERSION} is understood")
    ]
    key: Annotated[
        str,
        Strict(),
        _check(KEY_PATTERN.match, "must be lower-case letters, digits and underscores"),
    ]
    licence: LicenceIn
    loinc: PanelCodesIn = PanelCodesIn()
    response_scales: dict[str, Options] = Field(default_factory=dict)
    items: Annotated[tuple[ItemIn, ...], _check(lambda items: items, "must list at least one item")]
    scoring: ScoringIn
    subscales: tuple[SubscaleIn, ...] = ()
    name: Text
    abbreviation: Text
    version: Text
    time_frame: Text
    instructions: Text = ""
    classification: dict[str, Any]
    flags: tuple[dict[str, Any], ...] = ()
    change: ChangeIn = ChangeIn()
