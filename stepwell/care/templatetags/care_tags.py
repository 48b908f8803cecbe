"""Formatting for care's templates and the caseload's hours badge. Tags here only format
what the view passed in: they never query, check access or write audit."""

from __future__ import annotations

from django import template

from stepwell.care.notes.formats import SECTION_LABELS, sections_of

register = template.Library()


@register.filter
def note_sections(note) -> list[tuple[str, str]]:
    return [(SECTION_LABELS[f], getattr(note, f)) for f in sections_of(note.note_format)]


@register.filter
def hours(minutes) -> str:
    return f"{(minutes or 0) / 60:.1f} h"


@register.filter
def for_patient(week_hours: dict | None, patient_id):
    """One patient's week from the caseload's `week_hours` (care.hours.selectors
    .caseload_week_hours), or None when it is not shown."""
    return (week_hours or {}).get(patient_id)
