"""The chart's answers of one completed questionnaire (measures_tags.item_answers_list)."""

from __future__ import annotations

from django.template import Context, Template

from stepwell.measures.selectors import ItemAnswer


def _render(items) -> str:
    return Template("{% load measures_tags %}{% item_answers_list items %}").render(
        Context({"items": items})
    )


def test_each_item_keeps_its_number_answer_and_score():
    html = _render(
        [
            ItemAnswer(number=1, text="Little interest", answer="Several days", score=1),
            ItemAnswer(number=9, text="Better off dead", answer="Not at all", score=0),
            ItemAnswer(number=10, text="How difficult", answer="Somewhat difficult", score=None),
        ]
    )
    assert html.startswith('<ol style="padding-left:1rem;margin:.3rem 0">')
    assert '<li value="1">Little interest — <strong>Several days</strong> (1)</li>' in html
    assert '<li value="9">Better off dead — <strong>Not at all</strong> (0)</li>' in html
    # an item that is not scored shows no score
    assert '<li value="10">How difficult — <strong>Somewhat difficult</strong></li>' in html


def test_answers_are_escaped_and_an_empty_list_is_an_empty_list():
    html = _render([ItemAnswer(number=1, text="<b>x</b>", answer='"a" & b', score=2)])
    assert "<b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "&quot;a&quot; &amp; b" in html
    assert _render([]) == '<ol style="padding-left:1rem;margin:.3rem 0"></ol>'
