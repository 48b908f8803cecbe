"""Outcomes that only a follow-up after discharge can tell: PHQ-9 and GAD-7 change at 30,
60 and 90 days, admission to a higher level of care elsewhere, and self-reported days of
substance use.

Stepwell does not record follow-ups yet (the aftercare area will: check-ins at 30, 60 and
90 days). Until it does, `follow_up_outcomes` is the one place these numbers come from,
and it says they are not yet recorded rather than showing zeros that would read as
results. When follow-ups exist, this function computes them from that record and the
report page shows them with no other change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

FOLLOW_UP_DAYS = (30, 60, 90)
MEASURES = (
    "PHQ-9 and GAD-7: reliable improvement, response and remission since admission",
    "Admitted to a higher level of care (any provider)",
    "Self-reported days of substance use in the last 30 days",
)


class FollowUpStatus(enum.StrEnum):
    NOT_YET_RECORDED = "not yet recorded"


@dataclass(frozen=True)
class FollowUpOutcome:
    days_after_discharge: int
    measure: str
    status: FollowUpStatus


def follow_up_outcomes(scope) -> list[FollowUpOutcome]:
    """Follow-up outcomes of the episodes discharged in the scope's period: not yet
    recorded, for every measure and time, until follow-ups are kept."""
    return [
        FollowUpOutcome(days, measure, FollowUpStatus.NOT_YET_RECORDED)
        for days in FOLLOW_UP_DAYS
        for measure in MEASURES
    ]
