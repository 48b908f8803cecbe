"""Reading and validating instrument definitions, and the registry of shipped ones.

Pure Python, no Django. The JSON format is documented in ``stepwell.measures.instruments``.
Every check raises ``DefinitionError`` naming the field, so a clinic loading a licensed
definition with ``stepwell instruments load FILE`` learns exactly what to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from types import MappingProxyType

from stepwell.measures.definitions.model import (
    AnswerCondition,
    AnswerIn,
    AnswerValue,
    Band,
    ChangeParameters,
    Classification,
    ClusterCriteria,
    Cutoff,
    DefinitionError,
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
    SexSpecificBands,
    Subscale,
    UnknownInstrumentError,
    ZoneMoveUp,
)

FORMAT_VERSION = 1
SHIPPED_KEYS = ("phq9", "gad7", "audit", "auditc", "dast10", "pcl5", "asq")
_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_LOINC_PATTERN = re.compile(r"^(LA)?\d{1,7}-\d$")
# Text answers: yes/no items, and "declined" for a patient who prefers not to answer (the
# ASQ counts a declined screen item as positive, docs/clinical-sources.md §3.6).
_TEXT_VALUES = ("yes", "no", "declined")
_MISSING = object()


def _get(data: Mapping, field: str, path: str, kind: type | tuple[type, ...], default=_MISSING):
    where = f"{path}.{field}" if path else field
    if field not in data:
        if default is _MISSING:
            raise DefinitionError(where, "is required")
        return default
    value = data[field]
    if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
        raise DefinitionError(where, f"must be {_kind_name(kind)}, not a boolean")
    if not isinstance(value, kind):
        raise DefinitionError(where, f"must be {_kind_name(kind)}")
    if isinstance(value, str) and not value.strip():
        raise DefinitionError(where, "must not be empty")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    names |= {list: "a list", dict: "an object"}
    return " or ".join(names.get(each, each.__name__) for each in _as_tuple(kind))


def _loinc(data: Mapping, field: str, path: str) -> LoincCode | None:
    raw = _get(data, field, path, dict, None)
    if raw is None:
        return None
    where = f"{path}.{field}" if path else field
    code = _get(raw, "code", where, str)
    if not _LOINC_PATTERN.match(code):
        raise DefinitionError(f"{where}.code", f"{code!r} is not a LOINC code")
    return LoincCode(
        code=code,
        display=_get(raw, "display", where, str, ""),
        verified=_get(raw, "verified", where, bool, True),
    )


def _options(raw: object, path: str) -> tuple[ResponseOption, ...]:
    if not isinstance(raw, list) or not raw:
        raise DefinitionError(path, "must list at least one option")
    options = []
    for index, entry in enumerate(raw):
        where = f"{path}[{index}]"
        if not isinstance(entry, dict):
            raise DefinitionError(where, "must be an object")
        score = _get(entry, "score", where, int)
        value = _get(entry, "value", where, (int, str), score)
        if isinstance(value, str) and value not in _TEXT_VALUES:
            raise DefinitionError(f"{where}.value", "must be an integer, 'yes', 'no' or 'declined'")
        label = _get(entry, "label", where, str)
        options.append(ResponseOption(value, label, score, _loinc(entry, "loinc", where)))
    values = [option.value for option in options]
    if len(set(values)) != len(values):
        raise DefinitionError(path, "option values must be unique")
    return tuple(options)


def _keys(data: Mapping, field: str, path: str, known: Mapping[str, int]) -> tuple[str, ...]:
    keys = _get(data, field, path, list)
    where = f"{path}.{field}" if path else field
    for key in keys:
        if key not in known:
            raise DefinitionError(where, f"{key!r} is not an item key")
    if not keys or len(set(keys)) != len(keys):
        raise DefinitionError(where, "must list distinct item keys")
    return tuple(keys)


def _answers(data: Mapping, field: str, path: str) -> tuple[AnswerValue, ...]:
    answers = _get(data, field, path, list)
    if not answers or not all(isinstance(a, int | str) for a in answers):
        raise DefinitionError(f"{path}.{field}", "must list answer values")
    return tuple(answers)


def _items(data: Mapping) -> tuple[Item, ...]:
    scales = {
        name: _options(_get(data, "response_scales", "", dict)[name], f"response_scales.{name}")
        for name in data.get("response_scales", {})
    }
    raw_items = _get(data, "items", "", list)
    if not raw_items:
        raise DefinitionError("items", "must list at least one item")
    items: list[Item] = []
    positions: dict[str, int] = {}
    for index, entry in enumerate(raw_items):
        where = f"items[{index}]"
        if not isinstance(entry, dict):
            raise DefinitionError(where, "must be an object")
        key = _get(entry, "key", where, str)
        if not _KEY_PATTERN.match(key) or key in positions:
            raise DefinitionError(f"{where}.key", f"{key!r} must be a new lower-case key")
        if "options" in entry:
            options = _options(_get(entry, "options", where, list), f"{where}.options")
        else:
            scale = _get(entry, "scale", where, str)
            if scale not in scales:
                raise DefinitionError(f"{where}.scale", f"{scale!r} is not in response_scales")
            options = scales[scale]
        condition = None
        if "asked_when" in entry:
            raw = _get(entry, "asked_when", where, dict)
            condition = AnswerCondition(
                items=_keys(raw, "items", f"{where}.asked_when", positions),
                answers=_answers(raw, "answer_in", f"{where}.asked_when"),
            )
        weight = _get(entry, "weight", where, int, 1)
        if weight < 1:
            raise DefinitionError(f"{where}.weight", "must be a positive integer")
        item = Item(
            key=key,
            text=_get(entry, "text", where, str),
            options=options,
            scored=_get(entry, "scored", where, bool, True),
            required=_get(entry, "required", where, bool, True),
            reverse=_get(entry, "reverse", where, bool, False),
            weight=weight,
            asked_when=condition,
            loinc=_loinc(entry, "loinc", where),
        )
        positions[key] = index
        items.append(item)
    return tuple(items)


def _bands(raw: list, path: str, total_range: tuple[int, int]) -> tuple[Band, ...]:
    """Bands must cover every possible total once: no gaps, no overlaps."""
    bands = []
    for index, entry in enumerate(raw):
        where = f"{path}[{index}]"
        band = Band(
            key=_get(entry, "key", where, str),
            label=_get(entry, "label", where, str),
            minimum=_get(entry, "min", where, int),
            maximum=_get(entry, "max", where, int),
        )
        if band.minimum > band.maximum:
            raise DefinitionError(where, "min must not exceed max")
        bands.append(band)
    bands.sort(key=lambda band: band.minimum)
    expected = total_range[0]
    for band in bands:
        if band.minimum != expected:
            problem = "gap" if band.minimum > expected else "overlap"
            raise DefinitionError(path, f"{problem} at total {expected} (band {band.key!r})")
        expected = band.maximum + 1
    if expected != total_range[1] + 1:
        raise DefinitionError(path, f"bands must end at the highest total {total_range[1]}")
    if len({band.key for band in bands}) != len(bands):
        raise DefinitionError(path, "band keys must be unique")
    return tuple(bands)


def _classification(data: Mapping, instrument: Instrument) -> Classification:
    raw = _get(data, "classification", "", dict)
    kind = _get(raw, "type", "classification", str)
    source = _get(raw, "source", "classification", str, "")
    known = {item.key: n for n, item in enumerate(instrument.items)}
    if kind == "screen_with_acuity":
        path = "classification"
        acuity = _get(raw, "acuity_item", path, str)
        if acuity not in known:
            raise DefinitionError(f"{path}.acuity_item", f"{acuity!r} is not an item key")
        return ScreenWithAcuity(
            screen_items=_keys(raw, "screen_items", path, known),
            positive_answers=_answers(raw, "positive_answers", path),
            acuity_item=acuity,
            acute_answers=_answers(raw, "acute_answers", path),
            negative=_get(raw, "negative", path, str),
            acute_positive=_get(raw, "acute_positive", path, str),
            non_acute_positive=_get(raw, "non_acute_positive", path, str),
            acuity_unknown=_get(raw, "acuity_unknown", path, str, None),
            source=source,
        )
    total_range = instrument.total_range
    if total_range is None:
        raise DefinitionError("classification.type", f"{kind!r} needs scoring.method 'sum'")
    if kind == "bands":
        bands = _bands(
            _get(raw, "bands", "classification", list), "classification.bands", total_range
        )
        return SeverityBands(bands, source, _move_up(raw, known, bands))
    if kind == "bands_by_sex":
        by_sex = {
            sex: _bands(
                _get(raw, sex, "classification", list), f"classification.{sex}", total_range
            )
            for sex in ("female", "male", "unknown")
        }
        return SexSpecificBands(**by_sex, source=source)
    raise DefinitionError("classification.type", f"unknown classification type {kind!r}")


def _move_up(raw: Mapping, known: Mapping[str, int], bands: tuple[Band, ...]) -> ZoneMoveUp | None:
    data = _get(raw, "move_up", "classification", dict, None)
    if data is None:
        return None
    path = "classification.move_up"
    conditions = []
    for index, entry in enumerate(_get(data, "when_any", path, list)):
        where = f"{path}.when_any[{index}]"
        if not isinstance(entry, dict):
            raise DefinitionError(where, "must be an object")
        conditions.append(
            ItemScoreAtLeast(
                items=_keys(entry, "items", where, known),
                at_least=_get(entry, "score_at_or_above", where, int),
            )
        )
    if not conditions or len(bands) < 2:
        raise DefinitionError(path, "needs at least one condition and two bands")
    return ZoneMoveUp(
        flag=_get(data, "flag", path, str),
        when_any=tuple(conditions),
        source=_get(data, "source", path, str, ""),
    )


def _flag_rules(data: Mapping, instrument: Instrument) -> tuple[FlagRule, ...]:
    known = {item.key: n for n, item in enumerate(instrument.items)}
    subscales = {subscale.key for subscale in instrument.subscales}
    rules: list[FlagRule] = []
    for index, raw in enumerate(_get(data, "flags", "", list, [])):
        path = f"flags[{index}]"
        kind = _get(raw, "type", path, str)
        flag = _get(raw, "flag", path, str)
        source = _get(raw, "source", path, str, "")
        if kind == "item_above":
            item = _get(raw, "item", path, str)
            if item not in known:
                raise DefinitionError(f"{path}.item", f"{item!r} is not an item key")
            rules.append(ItemAbove(flag, item, _get(raw, "above", path, int), source))
        elif kind == "answer_in":
            items = _keys(raw, "items", path, known)
            rules.append(AnswerIn(flag, items, _answers(raw, "answers", path), source))
        elif kind == "cluster_criteria":
            minimum = _get(raw, "minimum_endorsed", path, dict)
            for key in minimum:
                if key not in subscales:
                    raise DefinitionError(f"{path}.minimum_endorsed", f"{key!r} is no subscale")
            at_or_above = _get(raw, "endorsed_at_or_above", path, int)
            rules.append(ClusterCriteria(flag, at_or_above, tuple(minimum.items()), source))
        else:
            raise DefinitionError(f"{path}.type", f"unknown flag rule type {kind!r}")
    return tuple(rules)


def _change(data: Mapping) -> ChangeParameters:
    raw = _get(data, "change", "", dict, {})
    path = "change"

    def part(name: str) -> Mapping | None:
        return _get(raw, name, path, dict, None) or None

    higher_is_better = _get(raw, "higher_is_better", path, bool, False)
    if higher_is_better and any(part(name) for name in ("response", "remission", "caseness")):
        raise DefinitionError(path, "response, remission and caseness need higher_is_better false")
    reliable = part("reliable_change")
    response = part("response")
    remission = part("remission")
    caseness = part("caseness")
    jacobson_truax = part("jacobson_truax")
    if reliable and _get(reliable, "points", f"{path}.reliable_change", int) < 1:
        raise DefinitionError(f"{path}.reliable_change.points", "must be a positive integer")
    if jacobson_truax:
        reliability = _get(jacobson_truax, "reliability", f"{path}.jacobson_truax", (int, float))
        if not 0 <= reliability < 1:
            raise DefinitionError(f"{path}.jacobson_truax.reliability", "must be in [0, 1)")
        if _get(jacobson_truax, "standard_deviation", f"{path}.jacobson_truax", (int, float)) <= 0:
            raise DefinitionError(f"{path}.jacobson_truax.standard_deviation", "must be > 0")
    return ChangeParameters(
        higher_is_better=higher_is_better,
        reliable_change=(
            ReliableChangeThreshold(
                points=reliable["points"],
                source=_get(reliable, "source", f"{path}.reliable_change", str),
                verified=_get(reliable, "verified", f"{path}.reliable_change", bool, True),
            )
            if reliable
            else None
        ),
        response=(
            ResponseCriterion(
                reduction_at_least_percent=_get(
                    response, "reduction_at_least_percent", f"{path}.response", int
                ),
                source=_get(response, "source", f"{path}.response", str),
            )
            if response
            else None
        ),
        remission_below=(
            Cutoff(
                value=_get(remission, "below", f"{path}.remission", int),
                source=_get(remission, "source", f"{path}.remission", str),
            )
            if remission
            else None
        ),
        caseness_at_or_above=(
            Cutoff(
                value=_get(caseness, "at_or_above", f"{path}.caseness", int),
                source=_get(caseness, "source", f"{path}.caseness", str),
            )
            if caseness
            else None
        ),
        jacobson_truax=(
            JacobsonTruaxParameters(
                standard_deviation=float(jacobson_truax["standard_deviation"]),
                reliability=float(jacobson_truax["reliability"]),
                source=_get(jacobson_truax, "source", f"{path}.jacobson_truax", str),
            )
            if jacobson_truax
            else None
        ),
    )


def load_definition(data: Mapping[str, object]) -> Instrument:
    """Validate a definition and build the Instrument; DefinitionError names the bad field."""
    if not isinstance(data, Mapping):
        raise DefinitionError("(definition)", "must be a JSON object")
    if _get(data, "format", "", int) != FORMAT_VERSION:
        raise DefinitionError("format", f"only format {FORMAT_VERSION} is understood")
    key = _get(data, "key", "", str)
    if not _KEY_PATTERN.match(key):
        raise DefinitionError("key", "must be lower-case letters, digits and underscores")
    licence = _get(data, "licence", "", dict)
    loinc = _get(data, "loinc", "", dict, {})
    items = _items(data)
    method = _get(data, "scoring", "", dict).get("method")
    if method not in set(ScoringMethod):
        raise DefinitionError("scoring.method", f"must be one of {', '.join(ScoringMethod)}")
    known = {item.key: n for n, item in enumerate(items)}
    subscales = tuple(
        Subscale(
            key=_get(raw, "key", f"subscales[{n}]", str),
            name=_get(raw, "name", f"subscales[{n}]", str),
            items=_keys(raw, "items", f"subscales[{n}]", known),
        )
        for n, raw in enumerate(_get(data, "subscales", "", list, []))
    )
    instrument = Instrument(
        key=key,
        name=_get(data, "name", "", str),
        abbreviation=_get(data, "abbreviation", "", str),
        version=_get(data, "version", "", str),
        time_frame=_get(data, "time_frame", "", str),
        licence=Licence(
            text=_get(licence, "text", "licence", str),
            attribution=_get(licence, "attribution", "licence", str),
            source=_get(licence, "source", "licence", str, ""),
        ),
        items=items,
        scoring_method=ScoringMethod(method),
        classification=SeverityBands(()),  # replaced below, once the total range is known
        subscales=subscales,
        instructions=_get(data, "instructions", "", str, ""),
        loinc_panel=_loinc(loinc, "panel", "loinc"),
        loinc_total=_loinc(loinc, "total", "loinc"),
        change=_change(data),
    )
    return replace(
        instrument,
        classification=_classification(data, instrument),
        flag_rules=_flag_rules(data, instrument),
    )


def normalized_key(key: str) -> str:
    """Map "PHQ-9", "phq_9" and "phq9" to the same key."""
    return re.sub(r"[\s_\-]", "", key).lower()


@cache
def instrument_registry() -> Mapping[str, Instrument]:
    """The shipped instruments, loaded once from the JSON files next to this module."""
    folder = resources.files(__package__)
    registry = {}
    for key in SHIPPED_KEYS:
        data = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        registry[key] = load_definition(data)
    return MappingProxyType(registry)


def get_instrument(key: str) -> Instrument:
    registry = instrument_registry()
    try:
        return registry[normalized_key(key)]
    except KeyError:
        known = ", ".join(registry)
        raise UnknownInstrumentError(f"unknown instrument {key!r}; known: {known}") from None
