"""Instrument engine: scores any versioned instrument definition. Pure Python, no Django.

An instrument is data. The shipped definitions live in ``stepwell/measures/definitions/*.json``
and ``stepwell instruments load FILE`` accepts the same JSON format, so a clinic can load a
licensed instrument (C-SSRS, LOCUS) that we may not ship. Definition format (version 1)::

    {
      "format": 1,
      "key": "phq9",                          # lower-case letters and digits
      "name": "Patient Health Questionnaire-9",
      "abbreviation": "PHQ-9",
      "version": "1.0.0",                     # version of this definition, stored with scores
      "time_frame": "last 2 weeks",
      "instructions": "Over the last 2 weeks, how often ...",            # optional
      "licence": {"text": "...", "attribution": "...", "source": "..."},  # shown with the form
      "loinc": {"panel": LOINC, "total": LOINC},                       # both optional
      "response_scales": {"frequency": [OPTION, ...]},                 # optional, shared options
      "items": [ITEM, ...],
      "scoring": {"method": "sum"},           # "sum" (weighted) or "none" (no numeric total)
      "subscales": [{"key": "B", "name": "...", "items": ["pcl5_1", ...]}],  # optional
      "classification": CLASSIFICATION,
      "flags": [FLAG_RULE, ...],              # optional
      "change": CHANGE                        # optional
    }

    LOINC  = {"code": "44261-6", "display": "...", "verified": true}  # verified defaults to true
    OPTION = {"value": 0, "label": "Not at all", "score": 0, "loinc": LOINC}
             # "value" is what is entered: an int (defaults to "score"), "yes", "no" or
             # "declined" (the patient prefers not to answer)
    ITEM   = {"key": "phq9_9", "text": "...", "scale": "frequency" | "options": [OPTION, ...],
              "loinc": LOINC, "scored": true, "required": true, "reverse": false, "weight": 1,
              "asked_when": {"items": ["asq_1", ...], "answer_in": ["yes"]}}
             # reverse: score becomes (lowest + highest option score) - score
             # asked_when: the item must be left out when the condition does not hold; when
             # it holds, it must be answered unless "required" is false
    CLASSIFICATION, one of
      {"type": "bands", "bands": [BAND, ...], "source": "...", "move_up": MOVE_UP}
      {"type": "bands_by_sex", "female": [BAND, ...], "male": [...], "unknown": [...],
       "source": "..."}
      {"type": "screen_with_acuity", "screen_items": [...], "positive_answers": ["yes"],
       "acuity_item": "asq_5", "acute_answers": ["yes"], "negative": "negative",
       "acute_positive": "acute_positive", "non_acute_positive": "non_acute_positive",
       "acuity_unknown": "positive_acuity_unknown", "source": "..."}
       # acuity_unknown (optional): the result when the acuity item was left unanswered
      MOVE_UP = {"flag": "zone_moved_up", "source": "...",
                 "when_any": [{"items": ["audit_4", ...], "score_at_or_above": 2}, ...]}
       # optional: the band stays the band of the total; when any condition holds, the
       # result carries the flag and a suggested_band one higher (none above the top)
      BAND = {"key": "mild", "label": "Mild", "min": 5, "max": 9}
      Bands must cover every possible total exactly once.
    FLAG_RULE, one of
      {"type": "item_above", "flag": "suicide_risk", "item": "phq9_9", "above": 0, "source": ""}
      {"type": "answer_in", "flag": "suicide_risk", "items": [...], "answers": ["yes"],
       "source": ""}
      {"type": "cluster_criteria", "flag": "dsm5_cluster_rule_met", "endorsed_at_or_above": 2,
       "minimum_endorsed": {"B": 1, "C": 1, "D": 2, "E": 2}, "source": ""}
    CHANGE = {"higher_is_better": false,
              "reliable_change": {"points": 6, "source": "...", "verified": true},
              # verified false: shown as unverified, never classifies change as reliable
              "response": {"reduction_at_least_percent": 50, "source": "..."},
              "remission": {"below": 5, "source": "..."},
              "caseness": {"at_or_above": 10, "source": "..."},
              "jacobson_truax": {"standard_deviation": 5.0, "reliability": 0.84, "source": "..."}}

A field the format does not name is refused, like a wrong type or a missing field; the
error names its path (``items[3].weight``). The pydantic models of the format are in
``stepwell/measures/definitions/schema.py``.

Answers are given by item order (a sequence) or by item key or item number (a mapping).
Numeric items take the option value (an int); yes/no items take "yes" or "no" (or
"declined" where the item offers it).

Clinical rules encoded here and in the definitions: docs/clinical-sources.md §3.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from stepwell.measures.definitions import (
    get_instrument,
    instrument_registry,
    load_definition,
)
from stepwell.measures.definitions.model import (
    SAFETY_FLAGS,
    AnswerCondition,
    AnswerIn,
    AnswerValue,
    Band,
    ChangeParameters,
    Classification,
    ClusterCriteria,
    Cutoff,
    DefinitionError,
    Evidence,
    Flag,
    FlagRule,
    Instrument,
    Item,
    ItemAbove,
    ItemScoreAtLeast,
    JacobsonTruaxParameters,
    Licence,
    LoincCode,
    ReliableChangeThreshold,
    ResponseCriterion,
    ResponseOption,
    ScoringMethod,
    ScreenWithAcuity,
    SeverityBands,
    Sex,
    SexSpecificBands,
    Subscale,
    UnknownInstrumentError,
    ZoneMoveUp,
)

__all__ = [
    "SAFETY_FLAGS",
    "AnswerCondition",
    "AnswerError",
    "AnswerIn",
    "AnswerValue",
    "Band",
    "ChangeParameters",
    "Classification",
    "ClusterCriteria",
    "Cutoff",
    "DefinitionError",
    "Flag",
    "FlagRule",
    "Instrument",
    "Item",
    "ItemAbove",
    "ItemScoreAtLeast",
    "JacobsonTruaxParameters",
    "Licence",
    "LoincCode",
    "ReliableChangeThreshold",
    "ResponseCriterion",
    "ResponseOption",
    "ScoreResult",
    "ScoringMethod",
    "ScreenWithAcuity",
    "SeverityBands",
    "Sex",
    "SexSpecificBands",
    "Subscale",
    "UnknownInstrumentError",
    "ZoneMoveUp",
    "get_instrument",
    "instrument_registry",
    "load_definition",
    "score",
]


@dataclass(frozen=True)
class AnswerError:
    """Why an administration is invalid, naming the item (1-based number and key).
    ``missing`` is true when the item was left unanswered (rather than answered wrongly)."""

    message: str
    item_key: str | None = None
    item_number: int | None = None
    missing: bool = False

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ScoreResult:
    """One scored administration. Invalid results carry errors and no total or band.

    Flags are still raised from the valid answers of an invalid administration, so a
    suicide-risk answer is never lost because another item was left blank. ``answers``
    holds the valid answers as option values (what is stored).
    """

    instrument: str
    version: str
    total: int | None
    band: str | None
    subscales: Mapping[str, int]
    flags: tuple[str, ...]
    valid: bool
    errors: tuple[AnswerError, ...]
    item_scores: Mapping[str, int]
    answers: Mapping[str, AnswerValue]
    suggested_band: str | None = None

    @property
    def safety_flags(self) -> tuple[str, ...]:
        return tuple(flag for flag in self.flags if flag in SAFETY_FLAGS)

    def as_dict(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "total": self.total,
            "band": self.band,
            "suggested_band": self.suggested_band,
            "subscales": dict(self.subscales),
            "flags": list(self.flags),
            "valid": self.valid,
            "errors": [str(error) for error in self.errors],
        }


def score(
    instrument: Instrument,
    answers: Sequence[AnswerValue] | Mapping[str | int, AnswerValue],
    *,
    sex: Sex | str | None = None,
) -> ScoreResult:
    """Score one administration of ``instrument``.

    ``sex`` picks sex-specific bands (AUDIT-C); None means unknown, which uses the more
    sensitive cut. Anything but female, male, unknown or None raises ValueError.
    """
    sex_value = Sex.UNKNOWN if sex is None else Sex(sex)
    given, errors = _answers_by_key(instrument, answers)
    values: dict[str, AnswerValue] = {}
    item_scores: dict[str, int] = {}
    for number, item in enumerate(instrument.items, 1):
        if item.key not in given:
            continue
        raw = given[item.key]
        option = item.option_for(_normalized(raw))
        if option is None:
            allowed = ", ".join(str(each.value) for each in item.options)
            errors.append(
                _item_error(item, number, f"answer {raw!r} is not one of the options {allowed}")
            )
            continue
        values[item.key] = option.value
        item_scores[item.key] = item.score_of(option)
    reported = {error.item_key for error in errors}
    errors.extend(
        error
        for error in _presence_errors(instrument, given, values)
        if error.item_key not in reported
    )

    evidence = Evidence(instrument=instrument, answers=values, item_scores=item_scores)
    flags = tuple(sorted({rule.flag for rule in instrument.flag_rules if rule.raised_by(evidence)}))
    if errors:
        return ScoreResult(
            instrument=instrument.key,
            version=instrument.version,
            total=None,
            band=None,
            subscales=MappingProxyType({}),
            flags=flags,
            valid=False,
            errors=tuple(errors),
            item_scores=MappingProxyType(item_scores),
            answers=MappingProxyType(values),
        )
    weights = {item.key: item.weight for item in instrument.items}
    total = None
    if instrument.scoring_method is ScoringMethod.SUM:
        total = sum(
            item_scores[item.key] * item.weight
            for item in instrument.items
            if item.scored and item.key in item_scores
        )
    subscales = {
        subscale.key: sum(item_scores[key] * weights[key] for key in subscale.items)
        for subscale in instrument.subscales
    }
    classification = instrument.classification
    band = classification.classify(total=total, answers=values, sex=sex_value)
    suggested = classification.suggested_band(band, item_scores)
    if (
        suggested is not None
        and isinstance(classification, SeverityBands)
        and classification.move_up is not None
    ):
        flags = tuple(sorted({*flags, classification.move_up.flag}))
    return ScoreResult(
        instrument=instrument.key,
        version=instrument.version,
        total=total,
        band=band,
        subscales=MappingProxyType(subscales),
        flags=flags,
        valid=True,
        errors=(),
        item_scores=MappingProxyType(item_scores),
        answers=MappingProxyType(values),
        suggested_band=suggested,
    )


def _item_error(item: Item, number: int, message: str, *, missing: bool = False) -> AnswerError:
    return AnswerError(f"item {number} ({item.key}): {message}", item.key, number, missing)


_ANSWER_NUMBER = re.compile(r"-?[0-9]{1,9}")


def _normalized(raw: object) -> object:
    if isinstance(raw, bool):
        return raw  # True would otherwise pass for the option 1
    if isinstance(raw, str):
        text = raw.strip().lower()
        # ASCII digits only: int() would also read '٣', '３' (and fail on '²' or 5,000 digits)
        return int(text) if _ANSWER_NUMBER.fullmatch(text) else text
    return raw


def _answers_by_key(
    instrument: Instrument, answers: Sequence[AnswerValue] | Mapping[str | int, AnswerValue]
) -> tuple[dict[str, AnswerValue], list[AnswerError]]:
    items = instrument.items
    if isinstance(answers, Mapping):
        given: dict[str, AnswerValue] = {}
        errors: list[AnswerError] = []
        keys = {item.key: item.key for item in items}
        keys.update({str(n): item.key for n, item in enumerate(items, 1)})
        for name, value in answers.items():
            key = keys.get(str(name))
            if key is None:
                errors.append(AnswerError(f"item {name!r} is not part of {instrument.key}"))
            else:
                given[key] = value
        return given, errors
    if isinstance(answers, str):
        raise TypeError("answers must be a sequence or a mapping, not a string")
    always_asked = [n for n, item in enumerate(items, 1) if item.required and not item.asked_when]
    fewest, most = (max(always_asked) if always_asked else 0), len(items)
    expected = f"{fewest}" if fewest == most else f"{fewest} to {most}"
    count = f"{instrument.abbreviation} takes {expected} answers, got {len(answers)}"
    if len(answers) < fewest:
        item = items[len(answers)]
        error = _item_error(item, len(answers) + 1, f"missing ({count})", missing=True)
        return dict(zip((i.key for i in items), answers, strict=False)), [error]
    if len(answers) > most:
        error = AnswerError(f"item {most + 1}: there is no such item ({count})", None, most + 1)
        return {}, [error]
    return dict(zip((item.key for item in items), answers, strict=False)), []


def _presence_errors(
    instrument: Instrument,
    given: Mapping[str, AnswerValue],
    values: Mapping[str, AnswerValue],
) -> list[AnswerError]:
    """Required items must be answered; conditional items exactly when their condition holds."""
    errors = []
    for number, item in enumerate(instrument.items, 1):
        answered = item.key in given
        condition = item.asked_when
        if condition is None:
            if item.required and not answered:
                message = "is required but was not answered"
                errors.append(_item_error(item, number, message, missing=True))
            continue
        if any(key not in values for key in condition.items):
            continue  # the condition's own items are already reported as invalid
        when = ", ".join(str(instrument.item_number(key)) for key in condition.items)
        answers = " or ".join(str(each) for each in condition.answers)
        if condition.holds(values) and not answered and item.required:
            message = f"is required because one of items {when} was answered {answers}"
            errors.append(_item_error(item, number, message, missing=True))
        elif answered and not condition.holds(values):
            message = f"is asked only when one of items {when} is answered {answers}"
            errors.append(_item_error(item, number, message))
    return errors
