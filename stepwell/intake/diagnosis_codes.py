"""ICD-10-CM chapter 5 codes (F01-F99) shipped as data, and a search over them.

The file data/icd10cm_f_codes.csv is a hand-built subset of the chapter (categories and
common billable subcodes) with short descriptions. Replace it with the official CMS
ICD-10-CM code file for production (see docs/intake-and-plans.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "icd10cm_f_codes.csv"


@dataclass(frozen=True)
class DiagnosisCode:
    code: str
    description: str
    billable: bool


@cache
def _codes() -> dict[str, DiagnosisCode]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: DiagnosisCode(row["code"], row["description"], row["billable"] == "Y")
            for row in csv.DictReader(handle)
        }


def normalize_code(code: str) -> str:
    """'f321' and 'F32.1 ' both become 'F32.1'."""
    raw = (code or "").strip().upper().replace(".", "")
    return raw if len(raw) <= 3 else f"{raw[:3]}.{raw[3:]}"


def diagnosis_code_lookup(code: str) -> DiagnosisCode | None:
    return _codes().get(normalize_code(code))


def diagnosis_code_search(query: str, *, limit: int = 20) -> list[DiagnosisCode]:
    """Codes starting with the query (code search) or whose description has every word."""
    text = (query or "").strip()
    if not text:
        return []
    codes = _codes().values()
    as_code = normalize_code(text)
    by_code = [c for c in codes if c.code.startswith(as_code)] if text[0] in "fF" else []
    words = text.lower().split()
    by_words = [c for c in codes if all(word in c.description.lower() for word in words)]
    seen: dict[str, DiagnosisCode] = {}
    for item in (*by_code, *by_words):
        seen.setdefault(item.code, item)
    return list(seen.values())[:limit]


def all_codes() -> list[DiagnosisCode]:
    return list(_codes().values())
