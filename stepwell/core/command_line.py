"""What every `stepwell` verb shares: strict numbers, safe JSON files, an output folder that
exists, and JSON out. No Django: the engines' commands use it too.

A shell can hand a command anything: 5,000 digits, bytes that are not UTF-8 (Python turns
them into lone surrogates), digits of other scripts (int() reads '٣' and '３'), JSON nested
a hundred thousand levels deep. Each of these is an error that names the argument or
field, on stderr, with exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2

# Deeper than any file Stepwell reads; well inside Python's recursion limit.
MAX_JSON_DEPTH = 64
LONGEST_TEXT_SHOWN = 40
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
SEED_MAX = 2**31 - 1
TOO_DEEP = f"nested deeper than {MAX_JSON_DEPTH} levels"  # CP-SAT's random seed is a 32-bit integer


class CommandInputError(ValueError):
    """Bad input from the command line; `field` names the argument or the file's field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def printable(text: object) -> str:
    """Lone surrogates (from bytes that were not UTF-8) shown as \\udcff escapes."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def shown(text: object) -> str:
    """Typed text fit to quote in an error: printable and short."""
    text = printable(text)
    if len(text) > LONGEST_TEXT_SHOWN:
        return text[:LONGEST_TEXT_SHOWN] + f"… ({len(text)} characters)"
    return text


def text_argument(text: str, field: str) -> str:
    """Typed text that can be stored: bytes that were not UTF-8 are refused, naming `field`."""
    if printable(text) != text:
        raise CommandInputError(field, f"{shown(text)!r} is not valid UTF-8 text")
    return text


def ascii_integer(text: str) -> int | None:
    """'12' -> 12; None for anything that is not 1-18 ASCII digits (with an optional sign)."""
    if not isinstance(text, str) or not _INTEGER.fullmatch(text.strip()):
        return None
    return int(text.strip())


# -- argparse types: a ValueError/ArgumentTypeError becomes "argument --x: <message>" ------


def whole_number(text: str) -> int:
    number = ascii_integer(text)
    if number is None:
        raise argparse.ArgumentTypeError(
            f"{shown(text)!r} is not a whole number (ASCII digits, at most 18)"
        )
    return number


def seed_number(text: str) -> int:
    number = ascii_integer(text)
    if number is None or not 0 <= number <= SEED_MAX:
        raise argparse.ArgumentTypeError(
            f"{shown(text)!r} is not a seed: use a whole number from 0 to {SEED_MAX}"
        )
    return number


def positive_seconds(text: str) -> float:
    try:
        seconds = float(text) if text.isascii() else math.nan
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(
            f"{shown(text)!r} is not a time limit: give a number of seconds above 0"
        )
    return seconds


# -- files ---------------------------------------------------------------------------------


def read_json_file(path: Path, field: str) -> Any:
    """The file's JSON, or CommandInputError naming `field` (never OSError, RecursionError)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CommandInputError(
            field, f"{printable(path)} is not UTF-8 text (byte {error.start})"
        ) from error
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CommandInputError(field, f"cannot read {printable(path)}: {reason}") from error
    return parse_json(text, field)


def parse_json(text: str, field: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandInputError(field, f"not valid JSON: {error}") from error
    except RecursionError as error:
        raise CommandInputError(field, TOO_DEEP) from error
    except ValueError as error:  # an integer of more than 4,300 digits
        raise CommandInputError(field, "holds a number too long to read") from error
    if json_depth(data) > MAX_JSON_DEPTH:
        raise CommandInputError(field, TOO_DEEP)
    return data


def json_depth(data: Any) -> int:
    """How deeply lists and objects nest (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_JSON_DEPTH:  # deeper is already too deep: stop looking
            stack.extend((child, depth + 1) for child in children)
    return deepest


def output_path(path: Path, field: str = "out") -> Path:
    """Check before any work that the file can be written: its folder exists."""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise CommandInputError(field, f"{printable(path)} is a folder; give a file name")
    if not folder.is_dir():
        raise CommandInputError(field, f"the folder {printable(folder)} does not exist")
    return path


# -- output --------------------------------------------------------------------------------


def emit(code: int, result: Any, *, indent: int | None = None, ensure_ascii: bool = True) -> int:
    """Print `result` as JSON: to stdout when it succeeded, to stderr when it did not.

    Text that came from undecodable bytes is printed as \\udcff escapes instead of failing
    to encode. Returns `code` for `raise SystemExit(emit(...))`.
    """
    text = json.dumps(result, indent=indent, ensure_ascii=ensure_ascii) + "\n"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    stream = sys.stdout if code == EXIT_OK else sys.stderr
    stream.write(text)
    stream.flush()
    return code
