"""ICD-10-CM diagnosis codes: chapter 5 and the Z and R codes an IOP uses, and a search.

The codes come from the CMS ICD-10-CM release that the `simple-icd-10-cm` package carries
(docs/clinical-sources.md §6). Loading that package takes seconds and some 200 MB, so
`build_code_set` reads it once into data/icd10cm.json, which the app loads instead; a test
and `stepwell diagnosis-codes --check` prove the file is exactly what the installed
package holds. After upgrading the package, run `stepwell diagnosis-codes --write`.

A header (a category or subcategory with codes under it, such as F50.2) is not billable
and cannot be put on an assessment; a billable code (a leaf, such as F50.20) can.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from functools import cache
from importlib import import_module, metadata, resources
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "icd10cm.json"
PACKAGE = "simple-icd-10-cm"

# What Stepwell offers, as (code, why). Every code under each root is included.
SCOPE = (
    ("5", "chapter 5: mental, behavioural and neurodevelopmental disorders (F01-F99)"),
    ("R41", "symptoms involving cognitive functions and awareness"),
    ("R44", "symptoms involving sensations and perceptions (hallucinations)"),
    ("R45", "symptoms involving emotional state (R45.851 suicidal ideations)"),
    ("R46", "symptoms involving appearance and behaviour"),
    ("R78", "drugs and alcohol found in the blood (drug testing)"),
    ("Z13.3", "screening for mental health and behavioural disorders"),
    ("Z55-Z65", "social, family, housing, work and legal circumstances (Z59, Z63, Z65)"),
    ("Z69", "mental health services for victims and perpetrators of abuse"),
    ("Z70", "counseling on sexual attitude, behaviour and orientation"),
    ("Z71", "counseling, including alcohol, drug and tobacco use (Z71.4, Z71.5, Z71.6)"),
    ("Z72", "lifestyle problems: tobacco use, gambling, high-risk behaviour"),
    ("Z73", "life-management difficulty, such as burnout"),
    ("Z81", "family history of mental and behavioural disorders"),
    ("Z86.5", "personal history of mental and behavioural disorders"),
    ("Z91.1", "not following medical treatment"),
    ("Z91.4", "personal history of psychological trauma"),
    ("Z91.5", "personal history of self-harm and suicidal behaviour (Z91.51, Z91.52)"),
)

_CHAPTER_5 = re.compile(r"F\d")


@dataclass(frozen=True)
class DiagnosisCode:
    code: str
    description: str
    billable: bool
    code_set: str

    @property
    def status(self) -> str:
        return "billable" if self.billable else "header"

    @property
    def is_mental_or_behavioural_disorder(self) -> bool:
        """Chapter 5 (F01-F99): the only codes that can be the primary diagnosis."""
        return bool(_CHAPTER_5.match(self.code))

    @property
    def kind(self) -> str:
        if self.is_mental_or_behavioural_disorder:
            return "mental or behavioural disorder"
        if self.code.startswith("R"):
            return "symptom or sign"
        return "factor influencing health status"


@dataclass(frozen=True)
class CodeSet:
    name: str  # "ICD-10-CM FY2026"
    release: str  # "April 1, 2026"
    codes: dict[str, DiagnosisCode]


@cache
def code_set() -> CodeSet:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    name = data["code_set"]
    return CodeSet(
        name=name,
        release=data["release"],
        codes={
            code: DiagnosisCode(code, description, billable, name)
            for code, description, billable in data["codes"]
        },
    )


def normalize_code(code: str) -> str:
    """'f321' and 'F32.1 ' both become 'F32.1'."""
    raw = (code or "").strip().upper().replace(".", "")
    return raw if len(raw) <= 3 else f"{raw[:3]}.{raw[3:]}"


def diagnosis_code_lookup(code: str) -> DiagnosisCode | None:
    return code_set().codes.get(normalize_code(code))


def billable_codes_under(header: DiagnosisCode, *, limit: int = 6) -> list[DiagnosisCode]:
    """The first billable codes under a header, to suggest instead of it."""
    found = [
        item
        for item in code_set().codes.values()
        if item.billable and item.code.startswith(header.code) and item.code != header.code
    ]
    return found[:limit]


def diagnosis_code_search(query: str, *, limit: int = 20) -> list[DiagnosisCode]:
    """Codes starting with the query (code search), then codes whose description has every word."""
    text = (query or "").strip()
    if not text:
        return []
    codes = code_set().codes.values()
    as_code = normalize_code(text)
    looks_like_code = bool(re.fullmatch(r"[A-Za-z]\d[\dA-Za-z.]*", text))
    by_code = [c for c in codes if c.code.startswith(as_code)] if looks_like_code else []
    words = text.lower().split()
    by_words = [c for c in codes if all(word in c.description.lower() for word in words)]
    seen: dict[str, DiagnosisCode] = {}
    for item in (*by_code, *by_words):
        seen.setdefault(item.code, item)
    return list(seen.values())[:limit]


def all_codes() -> list[DiagnosisCode]:
    return list(code_set().codes.values())


# --- building data/icd10cm.json from the package --------------------------------------------


def _package():
    with warnings.catch_warnings():
        # The package reads its data with a deprecated importlib call.
        warnings.simplefilter("ignore", DeprecationWarning)
        return import_module("simple_icd_10_cm")


def _release(package) -> tuple[str, str]:
    """('ICD-10-CM FY2026', 'April 1, 2026') from the tabular file the package ships."""
    data = resources.files(package.__name__).joinpath("data")
    tabular = next(item for item in data.iterdir() if item.name.startswith("icd10c-tabular"))
    head = tabular.read_text(encoding="utf-8")[:500]
    year = re.search(r"<version>(\d{4})</version>", head).group(1)
    month, day, release_year = re.search(
        r"tabular-([A-Za-z]+)-(\d+)-(\d{4})", tabular.name
    ).groups()
    return f"ICD-10-CM FY{year}", f"{month} {day}, {release_year}"


def build_code_set() -> dict:
    """Every code in SCOPE from the installed package, ready to write as data/icd10cm.json."""
    icd = _package()
    name, release = _release(icd)
    codes: dict[str, tuple[str, str, bool]] = {}
    for root, _why in SCOPE:
        for code in [root, *icd.get_descendants(root)]:
            if not icd.is_category_or_subcategory(code):
                continue  # a chapter or block: a heading of the list, not a code
            codes[code] = (code, icd.get_description(code), icd.is_leaf(code))
    return {
        "code_set": name,
        "release": release,
        "source": f"{PACKAGE} {metadata.version(PACKAGE)}, CMS ICD-10-CM tabular list",
        "scope": [f"{root}: {why}" for root, why in SCOPE],
        "codes": [list(codes[code]) for code in sorted(codes, key=_code_order)],
    }


def _code_order(code: str) -> str:
    return code.replace(".", "")


def code_set_json(data: dict) -> str:
    """The file's text: one code per line, so an upgrade reads as a plain diff."""
    head = json.dumps({key: value for key, value in data.items() if key != "codes"}, indent=1)
    lines = ",\n".join(json.dumps(code, ensure_ascii=False) for code in data["codes"])
    return f'{head[:-2]},\n "codes": [\n{lines}\n ]\n}}\n'
