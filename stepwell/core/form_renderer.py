"""The forms' renderer (settings.FORM_RENDERER): Django's, quicker for the widgets the
pages show most.

Django renders every widget through its templates: an input is a template that includes
another, and a select includes one template per option, each including the attributes'
template. That is about 0.2 ms a widget, 2 ms for the audit trail's nine-field filter
(its action list has a dozen options). The leaf templates below (inputs, textareas,
selects whose options are plain options) are written out here to the same text: the
same characters, newlines and escaping, tested against Django's renderer on every widget
of the project's forms and on generated names, values, attributes and choices. Any
other template (a form, a field, radio buttons, checkboxes in a list) goes to Django's.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
}
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"


class _Autoescaped:
    """What render_value_in_context asks of a template's context: escape, localize and
    convert times as a template does by default."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _Autoescaped()


def _text(value) -> str:
    """`{{ value }}` in a template: for a plain text (most names, values and labels)
    escaped, which is all the template does to one; anything else as the template does."""
    if type(value) is str:
        return escape(value)
    return render_value_in_context(value, _CONTEXT)


def _as_string(value) -> str:
    """`{{ value|stringformat:'s' }}` in a template (a safe value stays safe, as the
    filter is marked is_safe)."""
    if type(value) is str:
        return escape(value)
    formatted = stringformat(value, "s")
    if isinstance(value, SafeData):  # already safe: the filter's is_safe keeps it so
        formatted = mark_safe(formatted)  # noqa: S308 - the same text, safe before
    return _text(formatted)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_as_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_as_string(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def _option(option: dict) -> str:
    return (
        f'<option value="{_as_string(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None  # an option of another kind: Django's templates
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS: dict[str, Callable[[dict], str | None]] = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
    OPTION_TEMPLATE: _option,
}


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with the leaf widget templates written directly."""

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        widget = context.get("widget") if write is not None else None
        written = write(widget) if isinstance(widget, dict) else None
        if written is None:
            return super().render(template_name, context, request)
        return written
