"""`placement recommend FILE.json [--rule-set VERSION]`: the level-of-care engine.

The current rule set is the default; `--rule-set` re-runs an input under an older version
that a stored decision names.

Pure: reads the file, returns an exit code and a JSON-ready result; printing is the caller's.
The input format is documented in docs/placement-input.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from stepwell.core.command_line import CommandInputError, emit, read_json_file
from stepwell.placement.inputs import PlacementInputError, placement_input_from_dict
from stepwell.placement.rules import (
    RULE_SET_VERSION,
    UnknownRuleSet,
    placement_recommend,
    recommendation_to_dict,
    rule_set_for,
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class _ArgumentError(Exception):
    pass


class _ArgumentParser(argparse.ArgumentParser):
    """Report argument errors to the caller instead of printing and exiting."""

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(message)


USAGE = "usage: placement recommend FILE.json [--rule-set VERSION]"
HELP = """usage: stepwell placement recommend FILE.json [--rule-set VERSION]

Recommend a level of care from one patient's placement input (JSON, described in
docs/placement-input.md). Prints the recommendation as JSON; bad input exits with code 2
and errors naming each field.
"""


def _parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="stepwell placement", add_help=False)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)
    recommend = commands.add_parser("recommend", add_help=False)
    recommend.add_argument("file", type=Path, help="placement input, JSON")
    recommend.add_argument("--rule-set", default=RULE_SET_VERSION, help="rule-set version")
    return parser


def main(argv: list[str]) -> int:
    """`stepwell placement ...`: help, or the recommendation printed as JSON (errors: stderr)."""
    if any(argument in ("-h", "--help") for argument in argv):
        sys.stdout.write(HELP)
        return EXIT_OK
    return emit(*run_recommend(argv), indent=2)


def run_recommend(argv: list[str]) -> tuple[int, dict[str, object]]:
    try:
        arguments = _parser().parse_args(argv)
    except _ArgumentError as error:
        return EXIT_BAD_INPUT, {"errors": {"arguments": f"{error}; {USAGE}"}}
    try:
        rule_set = rule_set_for(arguments.rule_set)
    except UnknownRuleSet as error:
        return EXIT_BAD_INPUT, {"errors": {"rule_set": error.message}}
    try:
        data = read_json_file(arguments.file, "file")
    except CommandInputError as error:
        return EXIT_BAD_INPUT, {"errors": {error.field: error.message}}
    try:
        placement_input = placement_input_from_dict(data)
    except PlacementInputError as error:
        return EXIT_BAD_INPUT, {"errors": error.errors}
    return EXIT_OK, recommendation_to_dict(placement_recommend(placement_input, rule_set=rule_set))
