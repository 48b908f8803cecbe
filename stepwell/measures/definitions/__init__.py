"""Reading and validating instrument definitions, and the registry of shipped ones.

Pure Python, no Django. The JSON format is documented in ``stepwell.measures.instruments``;
its pydantic models are in ``schema.py``, which checks each part's shape; this module checks
what spans parts and builds the dataclasses of ``model.py``. Every check raises
``DefinitionError`` naming the field, so a clinic loading a licensed definition with
``stepwell instruments load FILE`` learns exactly what to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal, TypeVar

from pydantic import BaseModel, ValidationError

from stepwell.core.typed_input import MESSAGES, field_errors
from stepwell.measures.definitions import schema
from stepwell.measures.definitions.model import (
    AnswerCondition,
    AnswerIn,
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
    ScreenWithAcuity,
    SeverityBands,
    SexSpecificBands,
    Subscale,
    UnknownInstrumentError,
    ZoneMoveUp,
)

SHIPPED_KEYS = ("phq9", "gad7", "audit", "auditc", "dast10", "pcl5", "asq")
# our words for pydantic's error types, in the format's own vocabulary
_MESSAGES = {
    **MESSAGES,
    "int_type": "must be an integer",
    "string_type": "must be a string",
}
_Part = TypeVar("_Part", bound=BaseModel)
Extra = Literal["ignore"] | None


def _validate(model: type[_Part], data: object, path: str, extra: Extra = None) -> _Part:
    """The validated part, or DefinitionError naming the first bad field under `path`.

    `extra` "ignore" reads a stored definition, saved before unknown fields were refused.
    """
    try:
        return model.model_validate(data, extra=extra)
    except ValidationError as error:
        field, message = field_errors(error, path, _MESSAGES)[0]
        raise DefinitionError(field, message) from None


def _loinc(code: schema.LoincIn | None) -> LoincCode | None:
    return None if code is None else LoincCode(code.code, code.display, code.verified)


def _options(options: tuple[schema.OptionIn, ...]) -> tuple[ResponseOption, ...]:
    return tuple(
        ResponseOption(
            option.score if option.value is None else option.value,
            option.label,
            option.score,
            _loinc(option.loinc),
        )
        for option in options
    )


def _keys(keys: tuple[str, ...], where: str, known: Mapping[str, int]) -> tuple[str, ...]:
    for key in keys:
        if key not in known:
            raise DefinitionError(where, f"{key!r} is not an item key")
    if not keys or len(set(keys)) != len(keys):
        raise DefinitionError(where, "must list distinct item keys")
    return keys


def _items(definition: schema.DefinitionIn) -> tuple[Item, ...]:
    """Keys are new and lower case; a scale is one of response_scales; `asked_when` names
    earlier items only."""
    scales = {name: _options(options) for name, options in definition.response_scales.items()}
    items: list[Item] = []
    positions: dict[str, int] = {}
    for index, entry in enumerate(definition.items):
        where = f"items[{index}]"
        if not schema.KEY_PATTERN.match(entry.key) or entry.key in positions:
            raise DefinitionError(f"{where}.key", f"{entry.key!r} must be a new lower-case key")
        if entry.options is not None:
            options = _options(entry.options)
        elif entry.scale is None:
            raise DefinitionError(f"{where}.scale", "is required")
        elif entry.scale not in scales:
            raise DefinitionError(f"{where}.scale", f"{entry.scale!r} is not in response_scales")
        else:
            options = scales[entry.scale]
        asked_when = entry.asked_when
        condition = None
        if asked_when is not None:
            condition = AnswerCondition(
                items=_keys(asked_when.items, f"{where}.asked_when.items", positions),
                answers=asked_when.answer_in,
            )
        positions[entry.key] = index
        items.append(
            Item(
                key=entry.key,
                text=entry.text,
                options=options,
                scored=entry.scored,
                required=entry.required,
                reverse=entry.reverse,
                weight=entry.weight,
                asked_when=condition,
                loinc=_loinc(entry.loinc),
            )
        )
    return tuple(items)


def _bands(
    entries: tuple[schema.BandIn, ...], path: str, total_range: tuple[int, int]
) -> tuple[Band, ...]:
    """Bands must cover every possible total once: no gaps, no overlaps."""
    bands = sorted(
        (Band(each.key, each.label, each.minimum, each.maximum) for each in entries),
        key=lambda band: band.minimum,
    )
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


def _classification(
    raw: Mapping[str, object], instrument: Instrument, extra: Extra
) -> Classification:
    kind = _validate(schema.TypedIn, raw, "classification").type
    if kind not in schema.CLASSIFICATIONS:
        raise DefinitionError("classification.type", f"unknown classification type {kind!r}")
    known = {item.key: n for n, item in enumerate(instrument.items)}
    path = "classification"
    read = _validate(schema.CLASSIFICATIONS[kind], raw, path, extra)
    if isinstance(read, schema.ScreenWithAcuityIn):
        if read.acuity_item not in known:
            raise DefinitionError(f"{path}.acuity_item", f"{read.acuity_item!r} is not an item key")
        return ScreenWithAcuity(
            screen_items=_keys(read.screen_items, f"{path}.screen_items", known),
            positive_answers=read.positive_answers,
            acuity_item=read.acuity_item,
            acute_answers=read.acute_answers,
            negative=read.negative,
            acute_positive=read.acute_positive,
            non_acute_positive=read.non_acute_positive,
            acuity_unknown=read.acuity_unknown,
            source=read.source,
        )
    total_range = instrument.total_range
    if total_range is None:
        raise DefinitionError(f"{path}.type", f"{kind!r} needs scoring.method 'sum'")
    if isinstance(read, schema.BandsIn):
        bands = _bands(read.bands, f"{path}.bands", total_range)
        return SeverityBands(bands, read.source, _move_up(read.move_up, known, bands))
    assert isinstance(read, schema.BandsBySexIn)
    return SexSpecificBands(
        female=_bands(read.female, f"{path}.female", total_range),
        male=_bands(read.male, f"{path}.male", total_range),
        unknown=_bands(read.unknown, f"{path}.unknown", total_range),
        source=read.source,
    )


def _move_up(
    move_up: schema.MoveUpIn | None, known: Mapping[str, int], bands: tuple[Band, ...]
) -> ZoneMoveUp | None:
    if move_up is None:
        return None
    path = "classification.move_up"
    conditions = tuple(
        ItemScoreAtLeast(
            items=_keys(each.items, f"{path}.when_any[{index}].items", known),
            at_least=each.score_at_or_above,
        )
        for index, each in enumerate(move_up.when_any)
    )
    if not conditions or len(bands) < 2:
        raise DefinitionError(path, "needs at least one condition and two bands")
    return ZoneMoveUp(flag=move_up.flag, when_any=conditions, source=move_up.source)


def _flag_rules(
    flags: tuple[Mapping[str, object], ...], instrument: Instrument, extra: Extra
) -> tuple[FlagRule, ...]:
    known = {item.key: n for n, item in enumerate(instrument.items)}
    subscales = {subscale.key for subscale in instrument.subscales}
    rules: list[FlagRule] = []
    for index, raw in enumerate(flags):
        path = f"flags[{index}]"
        kind = _validate(schema.TypedIn, raw, path).type
        if kind not in schema.FLAG_RULES:
            raise DefinitionError(f"{path}.type", f"unknown flag rule type {kind!r}")
        read = _validate(schema.FLAG_RULES[kind], raw, path, extra)
        if isinstance(read, schema.ItemAboveIn):
            if read.item not in known:
                raise DefinitionError(f"{path}.item", f"{read.item!r} is not an item key")
            rules.append(ItemAbove(read.flag, read.item, read.above, read.source))
        elif isinstance(read, schema.AnswerInIn):
            items = _keys(read.items, f"{path}.items", known)
            rules.append(AnswerIn(read.flag, items, read.answers, read.source))
        else:
            assert isinstance(read, schema.ClusterCriteriaIn)
            for key in read.minimum_endorsed:
                if key not in subscales:
                    raise DefinitionError(f"{path}.minimum_endorsed", f"{key!r} is no subscale")
            minimum = tuple(read.minimum_endorsed.items())
            rules.append(
                ClusterCriteria(read.flag, read.endorsed_at_or_above, minimum, read.source)
            )
    return tuple(rules)


def _change(change: schema.ChangeIn) -> ChangeParameters:
    reliable, response = change.reliable_change, change.response
    remission, caseness, jacobson_truax = change.remission, change.caseness, change.jacobson_truax
    return ChangeParameters(
        higher_is_better=change.higher_is_better,
        reliable_change=None
        if reliable is None
        else ReliableChangeThreshold(reliable.points, reliable.source, reliable.verified),
        response=None
        if response is None
        else ResponseCriterion(response.reduction_at_least_percent, response.source),
        remission_below=None if remission is None else Cutoff(remission.below, remission.source),
        caseness_at_or_above=None
        if caseness is None
        else Cutoff(caseness.at_or_above, caseness.source),
        jacobson_truax=None
        if jacobson_truax is None
        else JacobsonTruaxParameters(
            standard_deviation=float(jacobson_truax.standard_deviation),
            reliability=float(jacobson_truax.reliability),
            source=jacobson_truax.source,
        ),
    )


def load_definition(data: Mapping[str, object], *, stored: bool = False) -> Instrument:
    """Validate a definition and build the Instrument; DefinitionError names the bad field.

    A new definition with a field the format does not name is refused. `stored` reads one
    already in the database: it may predate that rule, so unknown fields are ignored.
    """
    if not isinstance(data, Mapping):
        raise DefinitionError("(definition)", "must be a JSON object")
    extra: Extra = "ignore" if stored else None
    definition = _validate(schema.DefinitionIn, data, "", extra)
    items = _items(definition)
    known = {item.key: n for n, item in enumerate(items)}
    instrument = Instrument(
        key=definition.key,
        name=definition.name,
        abbreviation=definition.abbreviation,
        version=definition.version,
        time_frame=definition.time_frame,
        licence=Licence(
            definition.licence.text, definition.licence.attribution, definition.licence.source
        ),
        items=items,
        scoring_method=definition.scoring.method,
        classification=SeverityBands(()),  # replaced below, once the total range is known
        subscales=tuple(
            Subscale(each.key, each.name, _keys(each.items, f"subscales[{n}].items", known))
            for n, each in enumerate(definition.subscales)
        ),
        instructions=definition.instructions,
        loinc_panel=_loinc(definition.loinc.panel),
        loinc_total=_loinc(definition.loinc.total),
        change=_change(definition.change),
    )
    return replace(
        instrument,
        classification=_classification(definition.classification, instrument, extra),
        flag_rules=_flag_rules(definition.flags, instrument, extra),
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
