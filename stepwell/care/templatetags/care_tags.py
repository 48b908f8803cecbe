"""Care on other apps' pages: the caseload hours badge. Checks access from the user in
the template context and reads through the selectors."""

from __future__ import annotations

from django import template
from django.utils import timezone

from stepwell.care import access, selectors
from stepwell.care.note_formats import SECTION_LABELS, sections_of

register = template.Library()


@register.filter
def note_sections(note) -> list[tuple[str, str]]:
    return [(SECTION_LABELS[f], getattr(note, f)) for f in sections_of(note.note_format)]


@register.filter
def hours(minutes) -> str:
    return f"{(minutes or 0) / 60:.1f} h"


@register.simple_tag(takes_context=True)
def care_week_hours(context, patient):
    """This week's hours for the patient, or None when the user may not see them."""
    user = context.get("user")
    if patient is None or user is None or not access.access_hours_read(user, patient):
        return None
    episode = selectors.hours_episode(patient)
    if episode is None:
        return None
    now = timezone.now()
    return selectors.patient_weekly_hours(
        patient=patient, week=selectors.current_week(episode.program, now), now=now, episode=episode
    )
