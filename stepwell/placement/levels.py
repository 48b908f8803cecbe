"""Levels of care a placement recommendation can name, ordered by intensity.

The levels follow the ASAM 3rd-edition ladder as summarised in docs/clinical-sources.md
§1.1 and §1.2 (outpatient under 9 hours a week, intensive outpatient 9-19, partial
hospitalization 20 or more, 24-hour clinically managed residential care, 24-hour medically
monitored inpatient care, hospital inpatient care), collapsed to the levels this program
refers to. Only our own names are used.
"""

from __future__ import annotations

from enum import StrEnum


class LevelOfCare(StrEnum):
    OUTPATIENT = "outpatient"
    INTENSIVE_OUTPATIENT = "intensive_outpatient"
    PARTIAL_HOSPITALIZATION = "partial_hospitalization"
    RESIDENTIAL = "residential"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management"
    MEDICALLY_MONITORED_INPATIENT = "medically_monitored_inpatient"
    INPATIENT = "inpatient"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def intensity(self) -> int:
        """Rank used to pick the most intensive level any rule demands.

        Withdrawal management is a referral, not a step on the program ladder. It ranks
        above residential so that "withdrawal management first" wins over a residential
        need (the patient goes to withdrawal management, then is reassessed), and below
        the medically monitored and hospital inpatient settings, which have nursing care
        around the clock and manage withdrawal too (docs/clinical-sources.md §1.1).
        """
        return _INTENSITY[self]


_LABELS = {
    LevelOfCare.OUTPATIENT: "outpatient",
    LevelOfCare.INTENSIVE_OUTPATIENT: "intensive outpatient",
    LevelOfCare.PARTIAL_HOSPITALIZATION: "partial hospitalization",
    LevelOfCare.RESIDENTIAL: "residential",
    LevelOfCare.WITHDRAWAL_MANAGEMENT: "withdrawal management referral",
    LevelOfCare.MEDICALLY_MONITORED_INPATIENT: "medically monitored inpatient",
    LevelOfCare.INPATIENT: "inpatient / emergency evaluation",
}

_INTENSITY = {level: rank for rank, level in enumerate(LevelOfCare, start=1)}


def most_intensive(levels: list[LevelOfCare]) -> LevelOfCare:
    """The highest-intensity level; placement is never a sum or an average (sources §1.1)."""
    return max(levels, key=lambda level: level.intensity)
