"""Note formats as data, and the checks run when a note is signed. No Django.

BIRP, GIRP, DAP and SOAP (docs/clinical-sources.md §4) map onto one set of typed section
fields; a format is the list of fields it uses, in order. Payers deny cloned notes, so
each participant's individual section must be filled in and differ from every other
participant's in the same session (§4: cloned notes are the commonest audit finding), and
another participant must not be identifiable in a patient's note (§4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class NoteFormat(StrEnum):
    BIRP = "birp"
    GIRP = "girp"
    DAP = "dap"
    SOAP = "soap"


SECTION_LABELS = {
    "behavior": "Behavior",
    "goal": "Goal",
    "intervention": "Intervention",
    "response": "Response",
    "data": "Data",
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
}
SECTION_FIELDS = tuple(SECTION_LABELS)

FORMAT_SECTIONS: dict[NoteFormat, tuple[str, ...]] = {
    NoteFormat.BIRP: ("behavior", "intervention", "response", "plan"),
    NoteFormat.GIRP: ("goal", "intervention", "response", "plan"),
    NoteFormat.DAP: ("data", "assessment", "plan"),
    NoteFormat.SOAP: ("subjective", "objective", "assessment", "plan"),
}

FORMAT_LABELS = {
    NoteFormat.BIRP: "BIRP (Behavior, Intervention, Response, Plan)",
    NoteFormat.GIRP: "GIRP (Goal, Intervention, Response, Plan)",
    NoteFormat.DAP: "DAP (Data, Assessment, Plan)",
    NoteFormat.SOAP: "SOAP (Subjective, Objective, Assessment, Plan)",
}


def sections_of(note_format: str) -> tuple[str, ...]:
    return FORMAT_SECTIONS[NoteFormat(note_format)]


def normalised(text: str) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass(frozen=True)
class SectionText:
    """One participant's individual section: who, the format, and the texts by field."""

    key: int
    patient_label: str
    note_format: str
    texts: dict[str, str]

    def body(self) -> str:
        return "\n".join(normalised(self.texts.get(f, "")) for f in sections_of(self.note_format))


@dataclass(frozen=True)
class SigningProblem:
    key: int
    field: str
    message: str


def empty_sections(section: SectionText) -> list[SigningProblem]:
    return [
        SigningProblem(
            section.key,
            field,
            f"{section.patient_label}: {SECTION_LABELS[field]} is empty.",
        )
        for field in sections_of(section.note_format)
        if not normalised(section.texts.get(field, ""))
    ]


def cloned_sections(sections: list[SectionText]) -> list[SigningProblem]:
    """Sections whose text (whitespace and case normalised) equals another's."""
    problems: list[SigningProblem] = []
    seen: dict[str, SectionText] = {}
    for section in sections:
        body = section.body()
        if not body.strip():
            continue
        first = seen.get(body)
        if first is None:
            seen[body] = section
            continue
        problems.append(
            SigningProblem(
                section.key,
                sections_of(section.note_format)[0],
                f"{section.patient_label}: the individual section is identical to "
                f"{first.patient_label}'s; write what this patient did and said.",
            )
        )
    # Same text field by field counts too: a cloned Response is a cloned note.
    for field in SECTION_FIELDS:
        by_text: dict[str, SectionText] = {}
        for section in sections:
            if field not in sections_of(section.note_format):
                continue
            text = normalised(section.texts.get(field, ""))
            if not text:
                continue
            first = by_text.setdefault(text, section)
            if first is not section and not any(p.key == section.key for p in problems):
                problems.append(
                    SigningProblem(
                        section.key,
                        field,
                        f"{section.patient_label}: {SECTION_LABELS[field]} is identical to "
                        f"{first.patient_label}'s.",
                    )
                )
    return problems


def name_tokens(*names: str) -> set[str]:
    """Words that would identify a person: each name part of three letters or more."""
    tokens: set[str] = set()
    for name in names:
        for part in re.split(r"[\s\-']+", name or ""):
            if len(part) >= 3:
                tokens.add(part.casefold())
    return tokens


def other_participant_mentions(
    section: SectionText, others: dict[str, set[str]]
) -> list[SigningProblem]:
    """Fields of this section that name another participant (label -> name tokens)."""
    problems: list[SigningProblem] = []
    for field in sections_of(section.note_format):
        words = set(re.findall(r"[\w']+", (section.texts.get(field) or "").casefold()))
        for tokens in others.values():
            if words & tokens:
                problems.append(
                    SigningProblem(
                        section.key,
                        field,
                        f"{section.patient_label}: {SECTION_LABELS[field]} names another "
                        "participant; refer to others as 'a peer'.",
                    )
                )
                break
    return problems
