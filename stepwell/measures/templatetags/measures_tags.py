"""Formatting for the measures templates. Tags here only format values they are given:
the views pass what the chart and the caseload show (stepwell.measures.panels)."""

from __future__ import annotations

from html import escape

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

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
    a year of weekly questionnaires is about 400 items a chart; each text escaped with
    the standard library's escape (what format_html does, without its per-call cost)."""
    rows = "".join(
        f'<li value="{int(i.number)}">{escape(i.text)} — <strong>{escape(i.answer)}</strong>'
        f"{'' if i.score is None else f' ({int(i.score)})'}</li>"
        for i in items
    )
    return mark_safe(f'<ol style="padding-left:1rem;margin:.3rem 0">{rows}</ol>')  # noqa: S308
