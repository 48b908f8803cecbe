"""The data model of an instrument definition: frozen dataclasses, enums and rule types.

Pure Python, no Django. ``stepwell.measures.instruments`` documents the JSON format and
re-exports these names; import them from there.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

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
    ACUTE_SUICIDE_RISK = "acute_suicide_risk"
    DSM5_CLUSTER_RULE_MET = "dsm5_cluster_rule_met"
    ZONE_MOVED_UP = "zone_moved_up"


# Flags that raise a safety alert: a suicide-risk answer or an acute safety item. Every other
# finding (a severe band, AUDIT zone IV) is for the care team, not the safety worklist
# (docs/clinical-sources.md §3.8).
SAFETY_FLAGS = frozenset({Flag.SUICIDE_RISK, Flag.ACUTE_SUICIDE_RISK})


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

    def option_for(self, value: object) -> ResponseOption | None:
        """The option whose value is `value`, of the same type (True is not 1); None if none."""
        for option in self.options:
            if type(option.value) is type(value) and option.value == value:
                return option
        return None

    def score_of(self, option: ResponseOption) -> int:
        if not self.reverse:
            return option.score
        scores = [each.score for each in self.options]
        return min(scores) + max(scores) - option.score

    @cached_property  # asked for every score a page compares (change_between)
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
class ItemScoreAtLeast:
    """Holds when any one of ``items`` scores ``at_least`` or more."""

    items: tuple[str, ...]
    at_least: int

    def holds(self, item_scores: Mapping[str, int]) -> bool:
        return any(key in item_scores and item_scores[key] >= self.at_least for key in self.items)


@dataclass(frozen=True)
class ZoneMoveUp:
    """Suggest the band one above the total's band when any condition holds; never above
    the top band. The band itself stays the band of the total.

    Encodes the AUDIT rule of the WHO manual: consider moving one zone up when any of
    items 4-6 scores 2 or more, or item 9 or 10 scores 4 (docs/clinical-sources.md §3.3).
    """

    flag: str
    when_any: tuple[ItemScoreAtLeast, ...]
    source: str = ""


@dataclass(frozen=True)
class SeverityBands:
    bands: tuple[Band, ...]
    source: str = ""
    move_up: ZoneMoveUp | None = None

    @property
    def immediate_bands(self) -> tuple[str, ...]:
        return ()

    def classify(self, *, total: int | None, answers: Mapping[str, AnswerValue], sex: Sex) -> str:
        return _band_for(self.bands, total)

    def suggested_band(self, band: str, item_scores: Mapping[str, int]) -> str | None:
        """The band one higher when the move-up rule holds, else None (also at the top)."""
        if self.move_up is None:
            return None
        if not any(condition.holds(item_scores) for condition in self.move_up.when_any):
            return None
        keys = [each.key for each in sorted(self.bands, key=lambda each: each.minimum)]
        position = keys.index(band)
        return keys[position + 1] if position + 1 < len(keys) else None


@dataclass(frozen=True)
class SexSpecificBands:
    """Bands that depend on sex; ``unknown`` is used when sex is not given."""

    female: tuple[Band, ...]
    male: tuple[Band, ...]
    unknown: tuple[Band, ...]
    source: str = ""

    def bands_for(self, sex: Sex) -> tuple[Band, ...]:
        return {Sex.FEMALE: self.female, Sex.MALE: self.male}.get(sex, self.unknown)

    @property
    def immediate_bands(self) -> tuple[str, ...]:
        return ()

    def classify(self, *, total: int | None, answers: Mapping[str, AnswerValue], sex: Sex) -> str:
        return _band_for(self.bands_for(sex), total)

    def suggested_band(self, band: str, item_scores: Mapping[str, int]) -> str | None:
        return None


@dataclass(frozen=True)
class ScreenWithAcuity:
    """A yes/no screen whose positive result is graded by one acuity question.

    Encodes the NIMH ASQ rule (docs/clinical-sources.md §3.6): a yes, or a declined
    answer, on any screen item is positive; then the acuity item (asked only when
    positive) decides acute or non-acute; all no is negative. When the acuity item was
    left unanswered the result is ``acuity_unknown`` (if the definition names one), which
    is handled like an acute positive until a clinician has asked.
    """

    screen_items: tuple[str, ...]
    positive_answers: tuple[AnswerValue, ...]
    acuity_item: str
    acute_answers: tuple[AnswerValue, ...]
    negative: str
    acute_positive: str
    non_acute_positive: str
    source: str = ""
    acuity_unknown: str | None = None

    @property
    def band_keys(self) -> tuple[str, ...]:
        unknown = (self.acuity_unknown,) if self.acuity_unknown else ()
        return (self.negative, self.non_acute_positive, *unknown, self.acute_positive)

    @property
    def immediate_bands(self) -> tuple[str, ...]:
        """Results that need an immediate (same-day, STAT) safety evaluation."""
        unknown = (self.acuity_unknown,) if self.acuity_unknown else ()
        return (self.acute_positive, *unknown)

    def classify(self, *, total: int | None, answers: Mapping[str, AnswerValue], sex: Sex) -> str:
        if not any(answers.get(key) in self.positive_answers for key in self.screen_items):
            return self.negative
        if answers.get(self.acuity_item) in self.acute_answers:
            return self.acute_positive
        if self.acuity_item not in answers and self.acuity_unknown:
            return self.acuity_unknown
        return self.non_acute_positive

    def suggested_band(self, band: str, item_scores: Mapping[str, int]) -> str | None:
        return None


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
    PCL-5 DSM-5 provisional-diagnosis rule (docs/clinical-sources.md §3.5).
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
    """A reliable-change threshold in points. An unverified one (sources disagree) is shown
    as such and never classifies a change as reliable (docs/clinical-sources.md §3.7)."""

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

    @cached_property  # a caseload compares ~250 scores a page: worked out once
    def total_range(self) -> tuple[int, int] | None:
        if self.scoring_method is ScoringMethod.NONE:
            return None
        ranges = [item.score_range for item in self.items if item.scored]
        return sum(low for low, _ in ranges), sum(high for _, high in ranges)

    def item_number(self, key: str) -> int:
        return next(n for n, item in enumerate(self.items, 1) if item.key == key)
