"""Reading the free-text frequency that interventions carried before structured fields.

Used once, by the data migration `plans.0003_interventions_from_frequency_text`: what the
text states plainly becomes sessions a week, minutes per session and weeks; anything
unclear is left empty and the intervention is marked `needs_review`, so a clinician
states the numbers in the plan's next version. Nothing is guessed: "daily" (5 or 7 days?),
"every other week", "9 hours a week" (a weekly total, not a session) and counts outside
the limits stay empty. No Django import; the limits are repeated from plans.models on
purpose, so that the migration keeps working if the models change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SESSIONS_PER_WEEK = 7
MAX_MINUTES_PER_SESSION = 480
MAX_DURATION_WEEKS = 52

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
}
_COUNT = r"(\d+|" + "|".join(_NUMBER_WORDS) + r")"
_WEEK = r"w(?:ee)?ks?\b"
_PER = r"(?:a|an|per|/|each|every)"
_PER_WEEK = re.compile(
    _COUNT + r"\s*(?:x|×|times?|sessions?|visits?|groups?|days?)?\s*" + _PER + r"\s*" + _WEEK
)
_WORD_PER_WEEK = re.compile(
    r"\b(once|twice|thrice)\b(?:\s*(?:a|per|each|every)\s*" + _WEEK + r"|\s*weekly\b)"
)
_WEEKLY = re.compile(r"(?<!bi)(?<!bi-)\bweekly\b|\bonce\b|\bevery\s+week\b")
_LESS_THAN_WEEKLY = re.compile(
    r"every\s+(?:other|\d+|two|three|four)\s+"
    + _WEEK
    + r"|bi-?weekly|fortnight|month|as needed|prn"
)
_AMOUNT = re.compile(
    r"(\d+(?:\.\d+)?)\s*-?\s*(minutes?|mins?\b|min\b|hours?|hrs?\b|hr\b|h\b)(\s*(?:a|per|/|each)\s*"
    + _WEEK
    + r")?"
)
_RANGE = re.compile(r"\d+\s*(?:-|–|to|or)\s*\d+")
_DURATION = re.compile(r"(?:for|over|during|x|×)\s+" + _COUNT + r"\s*-?\s*" + _WEEK)


@dataclass(frozen=True)
class ParsedFrequency:
    sessions_per_week: int | None
    minutes_per_session: int | None
    duration_weeks: int | None

    @property
    def complete(self) -> bool:
        return None not in (self.sessions_per_week, self.minutes_per_session, self.duration_weeks)

    @property
    def missing(self) -> tuple[str, ...]:
        names = {
            "sessions_per_week": self.sessions_per_week,
            "minutes_per_session": self.minutes_per_session,
            "duration_weeks": self.duration_weeks,
        }
        return tuple(name for name, value in names.items() if value is None)


def _number(token: str) -> int:
    return _NUMBER_WORDS[token] if token in _NUMBER_WORDS else int(token)


def _within(value: int | None, upper: int) -> int | None:
    return value if value is not None and 1 <= value <= upper else None


def _sessions(text: str) -> int | None:
    if _LESS_THAN_WEEKLY.search(text):
        return None
    if match := _PER_WEEK.search(text):
        return _number(match.group(1))
    if match := _WORD_PER_WEEK.search(text):
        return {"once": 1, "twice": 2, "thrice": 3}[match.group(1)]
    if _WEEKLY.search(text):
        return 1
    return None


def _minutes(text: str) -> int | None:
    if _RANGE.search(text):  # "45-60 minutes", "30 or 60 minutes": which one?
        return None
    found = None
    for match in _AMOUNT.finditer(text):
        if match.group(3):  # "9 hours a week" is a weekly total, not one session
            return None
        value = float(match.group(1))
        unit = match.group(2)
        minutes = value if unit.startswith("m") else value * 60
        if found is not None or minutes != int(minutes):
            return None  # two amounts, or a fraction of a minute: not plain
        found = int(minutes)
    return found


def _duration(text: str) -> int | None:
    match = _DURATION.search(text)
    return _number(match.group(1)) if match else None


def parse_frequency_text(text: str) -> ParsedFrequency:
    """The numbers a free-text frequency states plainly; None where it does not."""
    clean = " ".join((text or "").lower().split())
    duration = _duration(clean)
    without_duration = _DURATION.sub(" ", clean)
    return ParsedFrequency(
        sessions_per_week=_within(_sessions(without_duration), MAX_SESSIONS_PER_WEEK),
        minutes_per_session=_within(_minutes(without_duration), MAX_MINUTES_PER_SESSION),
        duration_weeks=_within(duration, MAX_DURATION_WEEKS),
    )
