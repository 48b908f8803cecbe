"""Formatting for the measures templates. Tags here only format values they are given:
the views pass what the chart and the caseload show (stepwell.measures.panels)."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()

DEFAULT_CRISIS_RESOURCES = "Call or text 988 (Suicide & Crisis Lifeline), or 911 in an emergency"


@register.filter
def words(value) -> str:
    """A stored key as words: "moderately_severe" -> "moderately severe"."""
    return str(value or "").replace("_", " ")


@register.filter
def measures_of(summaries, patient_id):
    """The caseload summary of one patient from the view's ``measures_by_patient``."""
    if not summaries:
        return None
    return summaries.get(patient_id)


@register.simple_tag
def crisis_resources() -> str:
    return getattr(settings, "STEPWELL_CRISIS_RESOURCES", DEFAULT_CRISIS_RESOURCES)
