"""The episode-of-care state machine, as data.

referred -> screening -> assessed -> admitted -> active <-> on hold -> discharged.
An episode that does not go on (declined, referred elsewhere) is discharged from any
open state; a discharge always names a reason and a disposition.
"""

from __future__ import annotations

from .models import Disposition, EpisodeState

S = EpisodeState

ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REFERRED: (S.SCREENING, S.DISCHARGED),
    S.SCREENING: (S.ASSESSED, S.DISCHARGED),
    S.ASSESSED: (S.ADMITTED, S.DISCHARGED),
    S.ADMITTED: (S.ACTIVE, S.ON_HOLD, S.DISCHARGED),
    S.ACTIVE: (S.ON_HOLD, S.DISCHARGED),
    S.ON_HOLD: (S.ACTIVE, S.DISCHARGED),
    S.DISCHARGED: (),
}

# Dispositions that only make sense once treatment has started.
TREATMENT_DISPOSITIONS = (
    Disposition.COMPLETED,
    Disposition.STEPPED_DOWN,
    Disposition.STEPPED_UP,
    Disposition.LEFT_AGAINST_ADVICE,
)
# A step up or down, or a transfer, records where the patient went.
DISPOSITIONS_WITH_DESTINATION = (
    Disposition.STEPPED_DOWN,
    Disposition.STEPPED_UP,
    Disposition.TRANSFERRED,
)


def allowed_next_states(state: str) -> tuple[str, ...]:
    return ALLOWED_TRANSITIONS.get(state, ())


def describe_allowed(state: str) -> str:
    nxt = allowed_next_states(state)
    if not nxt:
        return f"A {EpisodeState(state).label.lower()} episode is closed; no transition is allowed."
    labels = ", ".join(EpisodeState(s).label.lower() for s in nxt)
    return f"From {EpisodeState(state).label.lower()} the episode can move to: {labels}."
