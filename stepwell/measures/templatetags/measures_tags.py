"""Formatting for the measures templates. Tags here only format values they are given:
the views pass what the chart and the caseload show (stepwell.measures.panels)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join

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


@register.simple_tag
def item_answers_list(items) -> str:
    """A completed questionnaire's answers, item by item, for the chart's list of
    administrations (selectors.item_answers). Built here, not by a loop in the template:
    a year of weekly questionnaires is about 400 items a chart."""
    rows = format_html_join(
        "",
        '<li value="{}">{} — <strong>{}</strong>{}</li>',
        ((i.number, i.text, i.answer, "" if i.score is None else f" ({i.score})") for i in items),
    )
    return format_html('<ol style="padding-left:1rem;margin:.3rem 0">{}</ol>', rows)
