"""`stepwell schedule ...` without Django: argument parsing and the `solve` subcommand.

Subcommands live in a registry so others can be added where their dependencies are
(the calendar `export` needs the database, so it registers itself from the Django side
with `register_subcommand`).

`solve WEEK.json --out PLAN.json [--time-limit S] [--seed N] [--previous PLAN.json]`
writes the plan and exits 0. Bad input writes nothing: the errors go to stderr as JSON
(`{"status": "infeasible_input", "errors": [{"field": ..., "message": ...}]}`) and the
exit code is 2.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stepwell.core.command_line import (
    EXIT_BAD_INPUT,
    SEED_MAX,
    CommandInputError,
    emit,
    output_path,
    positive_seconds,
    printable,
    read_json_file,
    seed_number,
)
from stepwell.schedule.optimizer.instance import FieldError, InstanceError, instance_from_dict
from stepwell.schedule.optimizer.plan import PlanStatus, plan_to_dict, schedules_from_plan_dict
from stepwell.schedule.optimizer.solver import solve


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handle: Callable[[argparse.Namespace], int]


SUBCOMMANDS: dict[str, Subcommand] = {}


def register_subcommand(subcommand: Subcommand) -> None:
    SUBCOMMANDS[subcommand.name] = subcommand


def run_solve(argv: Sequence[str]) -> int:
    """Run `stepwell schedule <subcommand> ...` (argv without the program and `schedule`)."""
    parser = argparse.ArgumentParser(prog="stepwell schedule")
    subparsers = parser.add_subparsers(dest="subcommand", required=True)
    for subcommand in SUBCOMMANDS.values():
        subparser = subparsers.add_parser(subcommand.name, help=subcommand.help)
        subcommand.add_arguments(subparser)
        subparser.set_defaults(handle=subcommand.handle)
    arguments = parser.parse_args(list(argv))
    return arguments.handle(arguments)


def _solve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("week", type=Path, help="the week file (WEEK.json)")
    parser.add_argument("--out", type=Path, required=True, help="where to write PLAN.json")
    parser.add_argument(
        "--time-limit", type=positive_seconds, default=60.0, metavar="S", help="seconds, above 0"
    )
    parser.add_argument("--seed", type=seed_number, default=0, metavar="N", help=f"0 to {SEED_MAX}")
    parser.add_argument(
        "--previous",
        type=Path,
        metavar="PLAN.json",
        help="last week's plan, kept where it costs nothing",
    )


def _solve(arguments: argparse.Namespace) -> int:
    errors: list[FieldError] = []
    try:
        output_path(arguments.out)  # before solving: a missing folder fails in a second
    except CommandInputError as error:
        errors.append(FieldError(error.field, error.message))
    try:
        instance = instance_from_dict(_read_json(arguments.week, "week"))
        previous = None
        if arguments.previous is not None:
            data = _read_json(arguments.previous, "previous")
            if not isinstance(data, dict):
                raise InstanceError([FieldError("previous", "must be a JSON object (a plan file)")])
            previous = schedules_from_plan_dict(data)
    except InstanceError as error:
        errors += error.errors
    except (KeyError, TypeError, ValueError) as error:
        errors.append(FieldError("previous", f"not a plan file: {error}"))
    if errors:
        return _report(errors)
    plan = solve(
        instance,
        time_limit_seconds=arguments.time_limit,
        seed=arguments.seed,
        hint=previous,
    )
    try:
        _write_atomically(arguments.out, json.dumps(plan_to_dict(plan), indent=2) + "\n")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return _report([FieldError("out", f"cannot write {printable(arguments.out)}: {reason}")])
    return 0


def _report(errors: list[FieldError]) -> int:
    report = {
        "status": PlanStatus.INFEASIBLE_INPUT.value,
        "errors": [{"field": e.field, "message": e.message} for e in errors],
    }
    return emit(EXIT_BAD_INPUT, report, indent=2)


def _read_json(path: Path, field: str) -> object:
    try:
        return read_json_file(path, field)
    except CommandInputError as error:
        raise InstanceError([FieldError(error.field, error.message)]) from error


def _write_atomically(path: Path, text: str) -> None:
    """Readers never see half a plan: write beside the target, then rename."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


register_subcommand(Subcommand("solve", "plan one template week", _solve_arguments, _solve))
