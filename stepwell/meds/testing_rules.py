"""Drug-screen rules as plain functions. No Django.

- A positive result is *expected* when a medication the patient takes as prescribed is
  detected as that substance (buprenorphine, methadone, a prescribed stimulant or
  benzodiazepine); otherwise it is *unexpected*. An unexpected positive that a laboratory
  confirmation did not confirm no longer counts (docs/clinical-sources.md §7).
- The words shown are clinical, not punitive: "unexpected positive", never "dirty" or
  "failed" (§7).
- The random testing draw is made from a seed and the list of eligible patients, so the
  same inputs always give the same draw and anyone can check it afterwards; staff choose
  neither the seed nor the patients (§7).
- Days abstinent by drug testing: days from the last unexpected positive to the day asked
  about; with none, days from the first resulted test (§7). Self-report is not counted
  here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Substance(StrEnum):
    ALCOHOL = "alcohol"
    AMPHETAMINES = "amphetamines"
    METHAMPHETAMINE = "methamphetamine"
    BARBITURATES = "barbiturates"
    BENZODIAZEPINES = "benzodiazepines"
    BUPRENORPHINE = "buprenorphine"
    CANNABINOIDS = "cannabinoids"
    COCAINE = "cocaine"
    FENTANYL = "fentanyl"
    METHADONE = "methadone"
    METHYLPHENIDATE = "methylphenidate"
    OPIATES = "opiates"
    OXYCODONE = "oxycodone"
    MDMA = "mdma"


SUBSTANCE_LABELS = {
    Substance.ALCOHOL: "Alcohol (EtG)",
    Substance.AMPHETAMINES: "Amphetamines",
    Substance.METHAMPHETAMINE: "Methamphetamine",
    Substance.BARBITURATES: "Barbiturates",
    Substance.BENZODIAZEPINES: "Benzodiazepines",
    Substance.BUPRENORPHINE: "Buprenorphine",
    Substance.CANNABINOIDS: "Cannabinoids (THC)",
    Substance.COCAINE: "Cocaine",
    Substance.FENTANYL: "Fentanyl",
    Substance.METHADONE: "Methadone",
    Substance.METHYLPHENIDATE: "Methylphenidate",
    Substance.OPIATES: "Opiates",
    Substance.OXYCODONE: "Oxycodone",
    Substance.MDMA: "MDMA",
}
# A common 12-panel point-of-care cup; a clinic picks any substances per order.
STANDARD_PANEL = (
    Substance.ALCOHOL,
    Substance.AMPHETAMINES,
    Substance.METHAMPHETAMINE,
    Substance.BENZODIAZEPINES,
    Substance.BUPRENORPHINE,
    Substance.CANNABINOIDS,
    Substance.COCAINE,
    Substance.FENTANYL,
    Substance.METHADONE,
    Substance.OPIATES,
    Substance.OXYCODONE,
    Substance.MDMA,
)


class Outcome(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"


class Confirmation(StrEnum):
    NONE = ""  # not sent
    PENDING = "pending"  # sent to the laboratory, no answer yet
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class ResultLine:
    substance: str
    outcome: str
    expected: bool
    confirmation: str = Confirmation.NONE

    @property
    def unexpected_positive(self) -> bool:
        return (
            self.outcome == Outcome.POSITIVE
            and not self.expected
            and self.confirmation != Confirmation.NOT_CONFIRMED
        )


def expected_substances(detected_as: list[str]) -> frozenset[str]:
    """The substances the patient's prescribed medications make positive."""
    return frozenset(s for s in detected_as if s)


def unexpected_wording(substances: list[str]) -> str:
    """Clinical wording for the chart and the worklist."""
    names = ", ".join(SUBSTANCE_LABELS.get(Substance(s), s) for s in sorted(substances))
    return (
        f"Unexpected positive: {names}. Not explained by a prescribed medication; "
        "review with the patient and consider a laboratory confirmation."
    )


# --- the random testing draw -----------------------------------------------------------


@dataclass(frozen=True)
class DrawPick:
    patient_id: int
    day: date


def draw_random_tests(
    *, seed: str, eligible: list[int], days: list[date], tests_per_week: int
) -> list[DrawPick]:
    """Each eligible patient gets `tests_per_week` different days of `days`, chosen by a
    generator seeded with `seed`. The order of `eligible` and `days` does not matter."""
    if tests_per_week < 1 or not days:
        return []
    generator = random.Random(seed)  # noqa: S311 - reproducible by design, not a secret
    ordered_days = sorted(days)
    picks = []
    for patient_id in sorted(set(eligible)):
        chosen = generator.sample(ordered_days, min(tests_per_week, len(ordered_days)))
        picks += [DrawPick(patient_id, day) for day in sorted(chosen)]
    return picks


def program_days(monday: date, weekdays: list[int]) -> list[date]:
    """The dates of the week starting `monday` on the given weekdays (0 = Monday)."""
    return [monday + timedelta(days=w) for w in sorted(set(weekdays)) if 0 <= w <= 6]


# --- days abstinent -------------------------------------------------------------------


@dataclass(frozen=True)
class TestDay:
    collected_on: date
    unexpected_positive: bool


def days_abstinent(tests: list[TestDay], on: date) -> int | None:
    """Days since the last unexpected positive on or before `on`; with none, days since
    the first resulted test. None when there is no resulted test up to `on`."""
    known = sorted((t for t in tests if t.collected_on <= on), key=lambda t: t.collected_on)
    if not known:
        return None
    positives = [t.collected_on for t in known if t.unexpected_positive]
    anchor = positives[-1] if positives else known[0].collected_on
    return (on - anchor).days
