"""Levels of care a placement recommendation can name, ordered by intensity.

The levels follow the ASAM 3rd-edition ladder as summarised in
/work/shared/domain/clinical-facts.md §1.1 (outpatient < 9 h/wk, intensive outpatient
9-19 h/wk, partial hospitalization ≥ 20 h/wk, 24-hour residential, hospital inpatient),
collapsed to the levels this program refers to. Only our own names are used.
"""

from __future__ import annotations

from enum import StrEnum


class LevelOfCare(StrEnum):
    OUTPATIENT = "outpatient"
    INTENSIVE_OUTPATIENT = "intensive_outpatient"
    PARTIAL_HOSPITALIZATION = "partial_hospitalization"
    RESIDENTIAL = "residential"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management"
    INPATIENT = "inpatient"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def intensity(self) -> int:
        """Rank used to pick the most intensive level any rule demands.

        Withdrawal management is a referral, not a step on the program ladder. It ranks
        above residential so that "withdrawal management first" wins over a residential
        need (the patient goes to withdrawal management, then to the program), and below
        inpatient because an inpatient or emergency setting also manages withdrawal.
        """
        return _INTENSITY[self]


_LABELS = {
    LevelOfCare.OUTPATIENT: "outpatient",
    LevelOfCare.INTENSIVE_OUTPATIENT: "intensive outpatient",
    LevelOfCare.PARTIAL_HOSPITALIZATION: "partial hospitalization",
    LevelOfCare.RESIDENTIAL: "residential",
    LevelOfCare.WITHDRAWAL_MANAGEMENT: "withdrawal management referral",
    LevelOfCare.INPATIENT: "inpatient / emergency evaluation",
}

_INTENSITY = {
    LevelOfCare.OUTPATIENT: 1,
    LevelOfCare.INTENSIVE_OUTPATIENT: 2,
    LevelOfCare.PARTIAL_HOSPITALIZATION: 3,
    LevelOfCare.RESIDENTIAL: 4,
    LevelOfCare.WITHDRAWAL_MANAGEMENT: 5,
    LevelOfCare.INPATIENT: 6,
}


def most_intensive(levels: list[LevelOfCare]) -> LevelOfCare:
    """The highest-intensity level; placement is never a sum or an average (facts §1.1)."""
    return max(levels, key=lambda level: level.intensity)
