"""The data model of an instrument definition: frozen dataclasses, enums and rule types.

Pure Python, no Django. ``stepwell.measures.instruments`` documents the JSON format and
re-exports these names; import them from there.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

AnswerValue = int | str


class DefinitionError(ValueError):
    """An instrument definition is malformed; ``field`` names where, e.g. ``items[3].text``."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class UnknownInstrumentError(LookupError):
    """No shipped instrument has this key."""


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class Flag(enum.StrEnum):
    """Flags raised by the shipped definitions; loaded definitions may raise others."""

    SUICIDE_RISK = "suicide_risk"
    DSM5_CLUSTER_RULE_MET = "dsm5_cluster_rule_met"


class ScoringMethod(enum.StrEnum):
    SUM = "sum"
    NONE = "none"


@dataclass(frozen=True)
class LoincCode:
    code: str
    display: str = ""
    verified: bool = True


@dataclass(frozen=True)
class Licence:
    text: str
    attribution: str
    source: str = ""


@dataclass(frozen=True)
class ResponseOption:
    value: AnswerValue
    label: str
    score: int
    loinc: LoincCode | None = None


@dataclass(frozen=True)
class AnswerCondition:
    """Holds when any of ``items`` was answered with one of ``answers``."""

    items: tuple[str, ...]
    answers: tuple[AnswerValue, ...]

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        return any(answers.get(key) in self.answers for key in self.items)


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    options: tuple[ResponseOption, ...]
    scored: bool = True
    required: bool = True
    reverse: bool = False
    weight: int = 1
    asked_when: AnswerCondition | None = None
    loinc: LoincCode | None = None

    def option_for(self, value: AnswerValue) -> ResponseOption | None:
        for option in self.options:
            if type(option.value) is type(value) and option.value == value:
                return option
        return None

    def score_of(self, option: ResponseOption) -> int:
        if not self.reverse:
            return option.score
        scores = [each.score for each in self.options]
        return min(scores) + max(scores) - option.score

    @property
    def score_range(self) -> tuple[int, int]:
        scores = [self.score_of(option) for option in self.options]
        return min(scores) * self.weight, max(scores) * self.weight


@dataclass(frozen=True)
class Subscale:
    key: str
    name: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class SeverityBands:
    bands: tuple[Band, ...]
    source: str = ""

    def classify(self, *, total: int | None, answers: Mapping[str, AnswerValue], sex: Sex) -> str:
        return _band_for(self.bands, total)


@dataclass(frozen=True)
class SexSpecificBands:
    """Bands that depend on sex; ``unknown`` is used when sex is not given."""

    female: tuple[Band, ...]
    male: tuple[Band, ...]
    unknown: tuple[Band, ...]
    source: str = ""

    def bands_for(self, sex: Sex) -> tuple[Band, ...]:
        return {Sex.FEMALE: self.female, Sex.MALE: self.male}.get(sex, self.unknown)

    def classify(self, *, total: int | None, answers: Mapping[str, AnswerValue], sex: Sex) -> str:
        return _band_for(self.bands_for(sex), total)


@dataclass(frozen=True)
class ScreenWithAcuity:
    """A yes/no screen whose positive result is graded by one acuity question.

    Encodes the NIMH ASQ rule: any yes on the screen items is positive; then the acuity
    item (asked only when positive) decides acute or non-acute; all no is negative.
    """

    screen_items: tuple[str, ...]
    positive_answers: tuple[AnswerValue, ...]
    acuity_item: str
    acute_answers: tuple[AnswerValue, ...]
    negative: str
    acute_positive: str
    non_acute_positive: str
    source: str = ""

    @property
    def band_keys(self) -> tuple[str, ...]:
        return (self.negative, self.non_acute_positive, self.acute_positive)

    def classify(self, *, total: int | None, answers: Mapping[str, AnswerValue], sex: Sex) -> str:
        if not any(answers.get(key) in self.positive_answers for key in self.screen_items):
            return self.negative
        if answers.get(self.acuity_item) in self.acute_answers:
            return self.acute_positive
        return self.non_acute_positive


Classification = SeverityBands | SexSpecificBands | ScreenWithAcuity


def _band_for(bands: Sequence[Band], total: int | None) -> str:
    for band in bands:
        if total is not None and band.minimum <= total <= band.maximum:
            return band.key
    raise ValueError(f"no band covers total {total}")


@dataclass(frozen=True)
class Evidence:
    """What flag rules look at: the valid answers and item scores of one administration."""

    instrument: Instrument
    answers: Mapping[str, AnswerValue]
    item_scores: Mapping[str, int]


@dataclass(frozen=True)
class ItemAbove:
    """Raise ``flag`` when the score of ``item`` is above ``above``, whatever the total."""

    flag: str
    item: str
    above: int
    source: str = ""

    def raised_by(self, evidence: Evidence) -> bool:
        return evidence.item_scores.get(self.item, self.above) > self.above


@dataclass(frozen=True)
class AnswerIn:
    """Raise ``flag`` when any of ``items`` was answered with one of ``answers``."""

    flag: str
    items: tuple[str, ...]
    answers: tuple[AnswerValue, ...]
    source: str = ""

    def raised_by(self, evidence: Evidence) -> bool:
        return any(evidence.answers.get(key) in self.answers for key in self.items)


@dataclass(frozen=True)
class ClusterCriteria:
    """Raise ``flag`` when enough items of each subscale are endorsed.

    An item is endorsed when its score is at least ``endorsed_at_or_above``. Encodes the
    PCL-5 DSM-5 provisional-diagnosis rule (clinical-facts.md §3, PCL-5, method 2).
    """

    flag: str
    endorsed_at_or_above: int
    minimum_endorsed: tuple[tuple[str, int], ...]
    source: str = ""

    def raised_by(self, evidence: Evidence) -> bool:
        subscales = {subscale.key: subscale for subscale in evidence.instrument.subscales}
        for subscale_key, minimum in self.minimum_endorsed:
            item_keys = subscales[subscale_key].items
            if any(key not in evidence.item_scores for key in item_keys):
                return False
            endorsed = sum(
                evidence.item_scores[key] >= self.endorsed_at_or_above for key in item_keys
            )
            if endorsed < minimum:
                return False
        return True


FlagRule = ItemAbove | AnswerIn | ClusterCriteria


@dataclass(frozen=True)
class ReliableChangeThreshold:
    points: int
    source: str
    verified: bool = True


@dataclass(frozen=True)
class ResponseCriterion:
    reduction_at_least_percent: int
    source: str


@dataclass(frozen=True)
class Cutoff:
    value: int
    source: str


@dataclass(frozen=True)
class JacobsonTruaxParameters:
    standard_deviation: float
    reliability: float
    source: str


@dataclass(frozen=True)
class ChangeParameters:
    higher_is_better: bool = False
    reliable_change: ReliableChangeThreshold | None = None
    response: ResponseCriterion | None = None
    remission_below: Cutoff | None = None
    caseness_at_or_above: Cutoff | None = None
    jacobson_truax: JacobsonTruaxParameters | None = None


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    abbreviation: str
    version: str
    time_frame: str
    licence: Licence
    items: tuple[Item, ...]
    scoring_method: ScoringMethod
    classification: Classification
    subscales: tuple[Subscale, ...] = ()
    flag_rules: tuple[FlagRule, ...] = ()
    change: ChangeParameters = ChangeParameters()
    instructions: str = ""
    loinc_panel: LoincCode | None = None
    loinc_total: LoincCode | None = None

    @property
    def total_range(self) -> tuple[int, int] | None:
        if self.scoring_method is ScoringMethod.NONE:
            return None
        ranges = [item.score_range for item in self.items if item.scored]
        return sum(low for low, _ in ranges), sum(high for _, high in ranges)

    def item_number(self, key: str) -> int:
        return next(n for n, item in enumerate(self.items, 1) if item.key == key)
