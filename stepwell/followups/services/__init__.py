"""Follow-up use cases: the program's settings, the daily job's work, and recording the
answers (by one-time link or by a staff phone call)."""

from .daily import (
    DailyResult,
    follow_ups_chase,
    follow_ups_create_due,
    follow_ups_daily,
    readmissions_detect,
)
from .policy import FollowUpSettings, follow_up_policy_set, follow_up_settings
from .recording import (
    LinkOpening,
    SentFollowUpLink,
    follow_up_complete_by_link,
    follow_up_link_open,
    follow_up_link_send,
    follow_up_phone_record,
)

__all__ = [
    "DailyResult",
    "FollowUpSettings",
    "LinkOpening",
    "SentFollowUpLink",
    "follow_up_complete_by_link",
    "follow_up_link_open",
    "follow_up_link_send",
    "follow_up_phone_record",
    "follow_up_policy_set",
    "follow_up_settings",
    "follow_ups_chase",
    "follow_ups_create_due",
    "follow_ups_daily",
    "readmissions_detect",
]
