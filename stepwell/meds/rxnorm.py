"""Reading RxNorm's RXNCONSO.RRF: the ingredient concepts a clinic loads. No Django.

RXNCONSO.RRF is pipe-separated, one atom a line, fields in this order (RxNorm technical
documentation): RXCUI, LAT, TS, LUI, STT, SUI, ISPREF, RXAUI, SAUI, SCUI, SDUI, SAB, TTY,
CODE, STR, SRL, SUPPRESS, CVF. We keep RxNorm's own atoms (SAB "RXNORM") of the
ingredient term types: IN (ingredient), PIN (precise ingredient) and MIN (multiple
ingredients), not suppressed (docs/clinical-sources.md §7).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

INGREDIENT_TYPES = frozenset({"IN", "PIN", "MIN"})
FIELDS = 18


class RrfError(ValueError):
    """A line that is not an RXNCONSO row."""


@dataclass(frozen=True)
class Concept:
    rxcui: str
    name: str
    term_type: str


def concepts_from_rrf(lines: Iterable[str]) -> Iterator[Concept]:
    """The ingredient concepts of RXNCONSO lines, once each (the first atom's name)."""
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line:
            continue
        fields = line.split("|")
        if len(fields) < FIELDS:
            raise RrfError(f"line {number}: {len(fields)} fields, RXNCONSO has {FIELDS}")
        rxcui, sab, tty, name, suppress = fields[0], fields[11], fields[12], fields[14], fields[16]
        if not rxcui.isascii() or not rxcui.isdigit():
            raise RrfError(f"line {number}: RXCUI {rxcui!r} is not a number")
        if sab != "RXNORM" or tty not in INGREDIENT_TYPES or suppress not in ("", "N"):
            continue
        if rxcui in seen or not name.strip():
            continue
        seen.add(rxcui)
        yield Concept(rxcui=rxcui, name=name.strip()[:200], term_type=tty)
