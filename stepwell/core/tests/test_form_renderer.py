"""The forms' renderer (core.form_renderer) writes what Django's templates write, for every
widget of the project's forms and for generated names, values, attributes and choices."""

from __future__ import annotations

import copy
import datetime as dt

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.widgets import ChoiceWidget
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.core.form_renderer import WRITERS, FormRenderer
from stepwell.testing.forms import project_forms

DJANGO = DjangoTemplates()
OURS = FormRenderer()

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(["", " ", "a&b", '"quoted"', "<b>bold</b>", "it's", "line\nbreak"])
values = st.one_of(
    st.none(),
    texts,
    texts.map(mark_safe),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(),
    st.decimals(places=2, min_value=-1000, max_value=1000),
)
attrs = st.dictionaries(
    st.sampled_from(["id", "class", "required", "disabled", "min", "max", "step", "data-x"]),
    values,
    max_size=4,
)
labels = st.one_of(texts, texts.map(mark_safe), st.integers(), texts.map(lazy(str, str)))
choices = st.lists(st.tuples(st.one_of(texts, st.integers(0, 99)), labels), max_size=5)
groups = st.lists(
    st.one_of(
        st.tuples(st.one_of(texts, st.integers(0, 99)), labels),
        st.tuples(texts.filter(bool), choices),  # an optgroup
    ),
    max_size=4,
)
SIMPLE = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.CheckboxInput,
    forms.Textarea,
]
CHOICE = [forms.Select, forms.SelectMultiple, forms.RadioSelect, forms.CheckboxSelectMultiple]


def _both(widget, name, value, extra=None) -> tuple[str, str]:
    return (
        widget.render(name, value, attrs=extra, renderer=DJANGO),
        widget.render(name, value, attrs=extra, renderer=OURS),
    )


@settings(max_examples=300)
@given(
    kind=st.sampled_from(SIMPLE),
    name=texts,
    value=values,
    declared=attrs,
    extra=attrs | st.none(),
)
def test_an_input_or_textarea_is_written_as_django_writes_it(kind, name, value, declared, extra):
    django_html, ours = _both(kind(attrs=declared), name, value, extra)
    assert ours == django_html


@settings(max_examples=300)
@given(
    kind=st.sampled_from(CHOICE),
    name=texts,
    options=groups,
    value=st.one_of(st.none(), texts, st.integers(0, 99), st.lists(texts, max_size=3)),
    declared=attrs,
)
def test_a_choice_is_written_as_django_writes_it(kind, name, options, value, declared):
    widget = kind(attrs=declared, choices=options)
    django_html, ours = _both(widget, name, value)
    assert ours == django_html


SAMPLE_VALUES = [None, "", "some text & <more>", 0, 17, "17", dt.date(2026, 12, 5), ["1", "2"]]


def test_every_widget_of_the_projects_forms_is_written_as_django_writes_it():
    checked = set()
    for form in project_forms():
        for name, field in form.base_fields.items():
            widget = copy.deepcopy(field.widget)
            if isinstance(widget, ChoiceWidget):  # its field's choices, or some records'
                plain = isinstance(field, forms.ChoiceField) and not isinstance(
                    field, forms.ModelChoiceField
                )
                widget.choices = (
                    list(field.choices)
                    if plain
                    else [("", "---------"), ("1", "First & one"), ("2", "<Second>")]
                )
            for value in SAMPLE_VALUES:
                django_html, ours = _both(widget, name, value, {"id": f"id_{name}"})
                assert ours == django_html, (form.__name__, name, value)
            checked.add(type(widget).__name__)
    assert {"Select", "Textarea", "TextInput", "DateInput"} <= checked


def test_the_forms_use_this_renderer_and_it_leaves_the_rest_to_django():
    assert isinstance(get_default_renderer(), FormRenderer)

    class Form(forms.Form):
        when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        how = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    form = Form({"when": "not a date", "how": "b"})
    assert str(form) == str(Form({"when": "not a date", "how": "b"}, renderer=DJANGO))
    assert "django/forms/div.html" not in WRITERS  # the form's layout is Django's
    assert f"{'django/forms/widgets/'}radio.html" not in WRITERS
