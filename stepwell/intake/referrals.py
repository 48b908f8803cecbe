"""The referral board's state machine, as data.

new -> contacted -> screening booked -> assessed -> admitted; a referral that does not go
on ends as referred elsewhere or declined, with a reason. Where a board state corresponds
to an episode state, the episode moves with it (EPISODE_STATE_FOR).
"""

from __future__ import annotations

from stepwell.patients.models import Disposition, EpisodeState

from .models import ReferralState

R = ReferralState

CLOSING_STATES = (R.REFERRED_ELSEWHERE, R.DECLINED)
TERMINAL_STATES = (R.ADMITTED, *CLOSING_STATES)

ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    R.NEW: (R.CONTACTED, R.SCREENING_BOOKED, *CLOSING_STATES),
    R.CONTACTED: (R.SCREENING_BOOKED, *CLOSING_STATES),
    R.SCREENING_BOOKED: (R.ASSESSED, *CLOSING_STATES),
    R.ASSESSED: (R.ADMITTED, *CLOSING_STATES),
    R.ADMITTED: (),
    R.REFERRED_ELSEWHERE: (),
    R.DECLINED: (),
}

# The episode state each board state moves the episode to; contacted has none.
EPISODE_STATE_FOR: dict[str, str] = {
    R.SCREENING_BOOKED: EpisodeState.SCREENING,
    R.ASSESSED: EpisodeState.ASSESSED,
    R.ADMITTED: EpisodeState.ADMITTED,
    R.REFERRED_ELSEWHERE: EpisodeState.DISCHARGED,
    R.DECLINED: EpisodeState.DISCHARGED,
}

DISCHARGE_DISPOSITION_FOR: dict[str, str] = {
    R.REFERRED_ELSEWHERE: Disposition.TRANSFERRED,
    R.DECLINED: Disposition.ADMINISTRATIVE,
}

# Referral-board columns, in order.
BOARD_COLUMNS = tuple(ReferralState)


def allowed_next_states(state: str) -> tuple[str, ...]:
    return ALLOWED_TRANSITIONS.get(state, ())


def describe_allowed(state: str) -> str:
    following = allowed_next_states(state)
    label = ReferralState(state).label.lower()
    if not following:
        return f"A referral that is {label} is closed; it cannot move."
    return (
        f"From {label} a referral can move to: "
        + ", ".join(ReferralState(s).label.lower() for s in following)
        + "."
    )
