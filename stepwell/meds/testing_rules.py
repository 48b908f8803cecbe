"""Drug-screen rules as plain functions. No Django.

- A positive result is *expected* when a medication the patient takes as prescribed is
  detected as that substance (buprenorphine, methadone, a prescribed stimulant or
  benzodiazepine); otherwise it is *unexpected*. An unexpected positive that a laboratory
  confirmation did not confirm no longer counts (docs/clinical-sources.md §7).
- A medication stopped (or put on hold) still explains a positive for its usual urine
  detection window after the last dose: DETECTION_WINDOW_DAYS, per substance, with a
  longer window for a long-acting benzodiazepine (§7.4, "Detection windows").
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


# --- detection windows ------------------------------------------------------------------

# Days after the last dose that a prescribed medication still explains a positive urine
# screen: the upper end of the usual window for regular (daily) use, from the ASAM
# consensus on drug testing (2017) and the Mayo Clinic Proceedings review of urine drug
# tests (2017); docs/clinical-sources.md §7.4 says how sure each one is.
DETECTION_WINDOW_DAYS: dict[Substance, int] = {
    Substance.BUPRENORPHINE: 7,  # buprenorphine and norbuprenorphine
    Substance.METHADONE: 6,  # methadone up to 3 days, its metabolite EDDP up to 6
    Substance.AMPHETAMINES: 5,
    Substance.METHYLPHENIDATE: 2,
    Substance.BENZODIAZEPINES: 5,  # short and intermediate acting
}
# A long-acting drug, by formulary key, when its window is longer than its substance's.
LONG_ACTING_WINDOW_DAYS: dict[str, int] = {
    "diazepam": 30,  # regular use; its metabolite nordiazepam stays for weeks
}


def detection_window_days(substance: str, formulary_key: str = "") -> int:
    """Days after the last dose within which the medication still explains a positive;
    0 for a substance without a window (only the days it is taken count)."""
    if formulary_key in LONG_ACTING_WINDOW_DAYS:
        return LONG_ACTING_WINDOW_DAYS[formulary_key]
    try:
        return DETECTION_WINDOW_DAYS.get(Substance(substance), 0)
    except ValueError:
        return 0


@dataclass(frozen=True)
class PrescribedCourse:
    """One medication as the drug-screen rule sees it: what it shows as, from when it was
    taken, and its last dose (None while it is still taken)."""

    detected_as: str
    start: date
    last_dose: date | None = None
    formulary_key: str = ""


def explains_positive_on(course: PrescribedCourse, day: date) -> bool:
    """The course makes its substance an expected positive on `day`: taken that day, or
    stopped no longer ago than its detection window."""
    if not course.detected_as or course.start > day:
        return False
    if course.last_dose is None or day <= course.last_dose:
        return True
    window = detection_window_days(course.detected_as, course.formulary_key)
    return (day - course.last_dose).days <= window


def expected_from_courses(courses: list[PrescribedCourse], day: date) -> frozenset[str]:
    """The substances that the patient's medications explain on `day`."""
    return frozenset(c.detected_as for c in courses if explains_positive_on(c, day))


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
