"""``stepwell score``, ``stepwell change`` and ``stepwell instruments``, without Django.

Each function takes the arguments after the command name and returns (exit code, JSON-able
dict): 0 when valid, 2 when the input is invalid. The management commands print the dict.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path

from stepwell.core.command_line import (
    LONGEST_TEXT_SHOWN,
    ascii_integer,
    emit,
    read_json_file,
    shown,
    whole_number,
)
from stepwell.measures.change import ChangeError, change_between
from stepwell.measures.instruments import (
    UnknownInstrumentError,
    get_instrument,
    instrument_registry,
    load_definition,
    score,
)

EXIT_VALID = 0
EXIT_INVALID = 2


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Reports bad arguments as a result instead of exiting the process."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _ArgumentError(message)


def score_main(argv: list[str]) -> int:
    """`stepwell score`: the result as JSON on stdout, or on stderr with exit code 2."""
    return emit(*run_score(argv))


def change_main(argv: list[str]) -> int:
    return emit(*run_change(argv))


def instruments_main(argv: list[str], *, save: Callable[[Mapping], object] | None = None) -> int:
    return emit(*run_instruments(argv, save=save), ensure_ascii=False)


def run_score(argv: list[str]) -> tuple[int, dict]:
    parser = _Parser(prog="stepwell score", description="Score one administration.")
    parser.add_argument("instrument", help="phq9, gad7, audit, auditc, dast10, pcl5 or asq")
    parser.add_argument(
        "--answers",
        required=True,
        help="comma-separated, in item order: option scores, or yes/no (or declined) for yes/no items",
    )
    parser.add_argument("--sex", choices=["female", "male"], default=None)
    empty: dict[str, object] = {
        "total": None,
        "band": None,
        "suggested_band": None,
        "subscales": {},
        "flags": [],
        "valid": False,
    }
    try:
        arguments = parser.parse_args(argv)
        instrument = get_instrument(arguments.instrument)
    except (_ArgumentError, UnknownInstrumentError) as error:
        name = argv[0] if argv and not argv[0].startswith("-") else None
        return EXIT_INVALID, {
            "instrument": name,
            "version": None,
            **empty,
            "errors": [_text(error)],
        }
    answers = [_answer(token) for token in arguments.answers.split(",")]
    result = score(instrument, answers, sex=arguments.sex)
    return (EXIT_VALID if result.valid else EXIT_INVALID), result.as_dict()


def run_change(argv: list[str]) -> tuple[int, dict]:
    parser = _Parser(prog="stepwell change", description="Compare two totals of one instrument.")
    parser.add_argument("instrument")
    parser.add_argument("--baseline", required=True, type=whole_number)
    parser.add_argument("--current", required=True, type=whole_number)
    try:
        arguments = parser.parse_args(argv)
        instrument = get_instrument(arguments.instrument)
        result = change_between(instrument, arguments.baseline, arguments.current)
    except (_ArgumentError, UnknownInstrumentError, ChangeError) as error:
        empty = {
            "change": None,
            "classification": None,
            "threshold_verified": None,
            "response": None,
            "remission": None,
        }
        return EXIT_INVALID, {**empty, "errors": [_text(error)]}
    return EXIT_VALID, result.as_dict()


def run_instruments(
    argv: list[str], *, save: Callable[[Mapping], object] | None = None
) -> tuple[int, dict]:
    """``list`` the shipped instruments, or ``load FILE``: validate it and hand it to ``save``.

    ``save`` is the database service when the caller has one; without it the file is only
    validated.
    """
    parser = _Parser(prog="stepwell instruments")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="list the shipped instruments")
    load = commands.add_parser("load", help="validate (and store) a definition file")
    load.add_argument("file", type=Path)
    try:
        arguments = parser.parse_args(argv)
    except _ArgumentError as error:
        return EXIT_INVALID, {"valid": False, "errors": [str(error)]}
    if arguments.command == "list":
        instruments = [
            {
                "key": instrument.key,
                "abbreviation": instrument.abbreviation,
                "name": instrument.name,
                "version": instrument.version,
                "items": len(instrument.items),
                "attribution": instrument.licence.attribution,
            }
            for instrument in instrument_registry().values()
        ]
        return EXIT_VALID, {"instruments": instruments}
    file = shown(arguments.file)
    try:
        data = read_json_file(arguments.file, "file")
        instrument = load_definition(data)
    except ValueError as error:  # CommandInputError and DefinitionError are ValueErrors
        return EXIT_INVALID, {"valid": False, "file": file, "errors": [str(error)]}
    summary = {
        "valid": True,
        "file": file,
        "key": instrument.key,
        "abbreviation": instrument.abbreviation,
        "version": instrument.version,
        "items": len(instrument.items),
        "errors": [],
    }
    if save is None:
        message = "validation passed; storing the definition needs the database app"
        return EXIT_VALID, {**summary, "stored": False, "message": message}
    try:
        save(data)
    except ValueError as error:  # the store refused it (a CommandInputError naming the field)
        return EXIT_INVALID, {**summary, "valid": False, "errors": [str(error)], "stored": False}
    return EXIT_VALID, {**summary, "stored": True, "message": "definition stored"}


def _answer(token: str) -> int | str:
    """'2' -> 2; anything else stays text for the engine to refuse, naming the item.

    Only ASCII digits are numbers ('٣' and '３' are not answers), and a 5,000-digit answer
    is quoted shortened instead of being converted.
    """
    text = token.strip().lower()
    number = ascii_integer(text)
    if number is not None:
        return number
    return text if len(text) <= LONGEST_TEXT_SHOWN else shown(text)


def _text(error: Exception) -> str:
    # KeyError subclasses would repr their message; LookupError str() is the message.
    return error.args[0] if error.args else str(error)
