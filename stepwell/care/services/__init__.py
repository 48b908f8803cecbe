"""Care use cases that write. One transaction each; every write and refusal is audited."""

from stepwell.care.services.addenda import note_addendum_add
from stepwell.care.services.attendance import (
    attendance_for_appointment_open,
    attendance_mark,
    attendance_roster_open,
    attendance_walk_in_add,
)
from stepwell.care.services.group_notes import (
    attended_sections,
    group_note_open,
    group_note_sign,
    group_note_update,
    participant_count,
)
from stepwell.care.services.hours import transition_week_mark
from stepwell.care.services.notes import note_cosign, note_create, note_sign, note_update
from stepwell.care.services.psychotherapy import psychotherapy_note_create, psychotherapy_note_update

__all__ = [
    "attendance_for_appointment_open",
    "attendance_mark",
    "attendance_roster_open",
    "attendance_walk_in_add",
    "attended_sections",
    "group_note_open",
    "group_note_sign",
    "group_note_update",
    "note_addendum_add",
    "note_cosign",
    "note_create",
    "note_sign",
    "note_update",
    "participant_count",
    "psychotherapy_note_create",
    "psychotherapy_note_update",
    "transition_week_mark",
]
