"""The caseload's hours badge (care_tags.hours_badge): what it says for a week below the
minimum, a step-down week and an ordinary one, and nothing for a patient not shown."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.template import Context, Template

from stepwell.care.templatetags.care_tags import hours_badge


@dataclass(frozen=True)
class Week:
    """The fields of care.hours.rules.WeeklyHours the badge reads."""

    projected_minutes: int
    attended_minutes: int = 120
    window_min: int = 540
    window_max: int = 1140
    below_minimum: bool = False
    transitioning: bool = False
    week: str = "2026-W49"


@pytest.mark.parametrize(
    ("week", "words", "flagged"),
    [
        (Week(300, below_minimum=True), "⚠ projected 5.0 h &lt; 9.0 h", True),
        (Week(240, transitioning=True), "step-down week · 4.0 h", False),
        (Week(570), "9.5 h projected", False),
        # below the minimum in a step-down week: the warning wins, as on the hours page
        (Week(240, below_minimum=True, transitioning=True), "⚠ projected 4.0 h", True),
    ],
)
def test_the_badge_says_the_projection_and_flags_a_week_below_the_minimum(week, words, flagged):
    html = hours_badge({7: week}, 7)
    assert words in html
    assert ('class="badge on_hold"' in html) is flagged
    assert f'data-below-minimum="{str(flagged).lower()}"' in html
    assert 'data-testid="hours-badge"' in html
    attended = f"{week.attended_minutes / 60:.1f} h attended"
    assert f'title="2026-W49: {attended}, {week.projected_minutes / 60:.1f} h projected; ' in html
    assert "window 9.0 h–19.0 h" in html


@pytest.mark.parametrize("week_hours", [None, {}, {8: Week(300)}])
def test_no_badge_for_a_patient_whose_week_is_not_shown(week_hours):
    assert hours_badge(week_hours, 7) == ""


def test_the_badge_escapes_what_it_is_given_and_renders_in_a_template():
    week = Week(570, week='W49 <b onmouseover="x">')
    html = Template("{% load care_tags %}{% hours_badge week_hours pk %}").render(
        Context({"week_hours": {7: week}, "pk": 7})
    )
    assert "<b " not in html
    assert "&lt;b onmouseover=&quot;x&quot;&gt;" in html
    assert html.startswith('<span class="badge"')
