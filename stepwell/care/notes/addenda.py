"""Addenda to signed notes: dated corrections by the note's author.

A group note's addendum goes to one participant's section or to the shared section, under
the rule signing applies to its sections (docs/clinical-sources.md §4): a participant's
section names no other participant, and the shared section, which every participant's
chart shows, names no participant at all.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.care.models import Attendance, GroupNote, NoteAddendum
from stepwell.care.notes.content import note_audit
from stepwell.care.notes.formats import name_tokens
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.notes import NoteNeed, access_group_note_by_id, access_note_by_id

SHARED_ADDENDUM_NAMES_SOMEONE = (
    "The shared section is copied into every participant's chart: name no participant "
    "here. Add what concerns one participant to their own section."
)
SECTION_ADDENDUM_NAMES_OTHER = (
    "This addendum goes into one participant's chart and names another participant; "
    "refer to others as 'a peer'."
)


def _participant_names(group_note: GroupNote) -> dict[int, set[str]]:
    """Each participant on the group's roster, with the words that would name them."""
    roster = Attendance.objects.filter(occurrence_id=group_note.occurrence_id).values_list(
        "patient_id",
        "patient__legal_first_name",
        "patient__legal_last_name",
        "patient__preferred_name",
    )
    return {pid: name_tokens(first, last, preferred) for pid, first, last, preferred in roster}


def _check_addendum_names(text: str, target) -> None:
    """The sign-time rule for a group note's sections, applied to its addenda.

    An addendum to the shared section is shown in every participant's chart, so it names
    no participant; an addendum to one participant's section names no other participant.
    """
    group_note = target if isinstance(target, GroupNote) else target.group_note
    if group_note is None:
        return
    own = None if isinstance(target, GroupNote) else target.patient_id
    words = set(re.findall(r"\w+", text.casefold()))  # "Dana's" names Dana too
    for patient_id, tokens in _participant_names(group_note).items():
        if patient_id != own and words & tokens:
            message = SECTION_ADDENDUM_NAMES_OTHER if own else SHARED_ADDENDUM_NAMES_SOMEONE
            raise ApplicationError(message, field_errors={"text": message})


def note_addendum_add(
    *,
    actor,
    text: str,
    note_id: int | None = None,
    group_note_id: int | None = None,
    now: datetime | None = None,
) -> NoteAddendum:
    """A dated correction to a signed note, by the note's author.

    A group note's addendum goes to one participant's section (`note_id`) or to the
    shared section (`group_note_id`), under the same naming rule as signing.
    """
    if note_id is not None:
        target = access_note_by_id(actor, note_id, need=NoteNeed.AUTHOR, action="addendum")
    else:
        target = access_group_note_by_id(actor, group_note_id, action="addendum")
    if not target.is_signed:
        raise ApplicationError(
            "Edit the draft instead; addenda are for signed notes.",
            field_errors={"text": "The note is not signed yet."},
        )
    if not (text or "").strip():
        raise ApplicationError("Write the addendum.", field_errors={"text": "Required."})
    _check_addendum_names(text, target)
    with transaction.atomic():
        addendum = NoteAddendum(
            note=target if note_id is not None else None,
            group_note=target if note_id is None else None,
            author=actor,
            text=text.strip(),
            written_at=now or timezone.now(),
        )
        addendum.full_clean()
        addendum.save()
        named = (
            {"patients": sorted(target.sections.values_list("patient_id", flat=True))}
            if isinstance(target, GroupNote)
            else {}
        )
        note_audit(actor, "addendum", target, addendum=addendum.pk, **named)
    return addendum
