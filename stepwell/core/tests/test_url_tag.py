"""The templates' `url` tag (stepwell.core.templatetags.urls) writes what Django's
reverse writes, for every named route of the project and any ids, and leaves to Django
whatever it cannot be sure of."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.core.converters import MAX_RECORD_ID
from stepwell.core.templatetags import urls

ids = st.integers(min_value=0, max_value=MAX_RECORD_ID)


def named_routes(resolver) -> dict[str, list[str]]:
    """Each route's view name and the names of its arguments (those of its includes
    first, as the address reads)."""
    routes: dict[str, list[str]] = {}

    def walk(node, namespaces, arguments):
        for entry in node.url_patterns:
            names = [*arguments, *getattr(entry.pattern, "converters", {})]
            if isinstance(entry, URLResolver):
                inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
                walk(entry, inner, names)
            elif entry.name:
                routes[":".join((*namespaces, entry.name))] = names

    walk(resolver, (), [])
    return routes


def outcome(call):
    """What the call returns, or the kind of error it raises."""
    try:
        return call()
    except (NoReverseMatch, ValueError) as error:
        return type(error)


def test_most_of_the_projects_links_are_written_by_their_shape():
    routes = named_routes(get_resolver())
    by_shape = urls.id_names(get_resolver())
    assert {"patients:chart", "care:compliance", "privacy:audit", "core:home"} <= by_shape
    assert len(by_shape) > len(routes) / 2
    # texts in the address, the API's (another application's namespace), the admin's
    assert not {"plans:item_edit", "schedule:patient_week", "api:patients_list"} & by_shape
    assert "admin:index" in by_shape and "admin:auth_group_change" not in by_shape


@settings(max_examples=60, deadline=None)
@given(values=st.lists(ids, min_size=8, max_size=8))
def test_every_project_route_by_shape_is_written_as_django_writes_it(values):
    routes = named_routes(get_resolver())
    for name in sorted(urls.id_names(get_resolver())):
        arguments = routes[name]
        given_ids = values[: len(arguments)]
        assert urls.url_of(name, given_ids, {}) == reverse(name, args=given_ids), name
        by_name = dict(zip(arguments, given_ids, strict=True))
        assert urls.url_of(name, [], by_name) == reverse(name, kwargs=by_name), name
        assert urls.url_of(name, given_ids, {}, current_app=name.split(":")[0]) == reverse(
            name, args=given_ids, current_app=name.split(":")[0]
        )


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("patients:chart", [-1], {}),  # not an id
        ("patients:chart", [MAX_RECORD_ID + 1], {}),  # longer than any id
        ("patients:chart", [True], {}),  # a bool is an int to Python, not an id
        ("patients:chart", ["17"], {}),  # a text of digits: Django's to write
        ("patients:chart", [17, 18], {}),  # one id too many
        ("patients:chart", [], {}),  # one too few
        ("patients:chart", [], {"patient": 17}),  # a wrong argument name
        ("patients:chart", [17], {"patient_id": 17}),  # both kinds at once
        ("patients:no_such_page", [17], {}),
        ("plans:item_edit", ["problem", 17], {}),  # a text in the address
        ("plans:item_edit", [17, 17], {}),
        ("schedule:patient_week", [17, "2026-12-05"], {}),
        ("core:home", [], {}),
    ],
)
def test_what_is_not_written_by_shape_is_what_django_writes(name, args, kwargs):
    expected = outcome(lambda: reverse(name, args=args, kwargs=kwargs))
    assert outcome(lambda: urls.url_of(name, args, kwargs)) == expected
    assert outcome(lambda: urls.url_of(name, args, kwargs)) == expected  # and from its cache


@pytest.mark.urls("stepwell.core.tests.url_shapes_urls")
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("by_value", [2026]),  # the year's pattern, by the value: left to Django
        ("by_value", [20260]),
        ("by_value", [7]),
        ("regex", [7]),
        ("text", [7]),
        ("first:item", [7]),
        ("second:item", [7]),
        ("record", [7, 0]),
        ("plain", []),
        ("nest:child", [3, 7]),
    ],
)
def test_links_whose_pattern_the_value_or_application_could_pick_go_to_django(name, args):
    assert urls.url_of(name, args, {}) == reverse(name, args=args)
    for current_app in ("first", "second"):
        assert urls.url_of(name, args, {}, current_app) == reverse(
            name, args=args, current_app=current_app
        )
    assert urls.id_names(get_resolver()) == {"record", "plain", "nest:child"}
    assert urls.url_of("by_value", [2026], {}) == "/year/2026/"
    assert urls.url_of("by_value", [20260], {}) == "/number/20260/"


@pytest.mark.urls("stepwell.core.tests.url_shapes_urls")
def test_a_shape_that_does_not_hold_is_not_used(monkeypatch):
    # as if the stand-ins were written differently the second time (a converter that
    # wrote numbers its own way): the shape is refused and Django writes every link
    second = iter(["/record/1/2/"])
    real_reverse = urls.reverse

    def reverse_once_differently(view_name, **kwargs):
        written = real_reverse(view_name, **kwargs)
        if kwargs.get("args") == list(urls._SECOND_STAND_INS[:2]):
            return next(second)
        return written

    monkeypatch.setattr(urls, "reverse", reverse_once_differently)
    assert urls.url_of("record", [70, 80], {}, current_app="shape-test") == "/record/70/80/"
    key = next(k for k in urls._shapes if k[2] == "shape-test")
    assert urls._shapes[key] is urls._UNSHAPED


def test_every_template_gets_this_tag_with_djangos_syntax():
    template = Template(
        "{% url 'patients:chart' patient %}|{% url 'patients:chart' patient_id=patient %}"
        "|{% url 'patients:chart' 'x' as missing %}[{{ missing }}]"
        "|{% url 'plans:item_edit' 'problem' patient %}|{% url name patient %}"
    )
    assert isinstance(template.nodelist[0], urls.IdURLNode)
    written = template.render(Context({"patient": 83, "name": "patients:chart"}))
    chart = reverse("patients:chart", args=[83])
    assert written == "|".join(
        [chart, chart, "[]", reverse("plans:item_edit", args=["problem", 83]), chart]
    )
    with pytest.raises(NoReverseMatch):
        Template("{% url 'patients:chart' 'x' %}").render(Context())


class _Request:
    """A request as the tag reads it: an application, or the namespace it was routed to."""

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


def test_the_urlconf_and_prefix_are_looked_up_once_a_render(monkeypatch):
    asked = []
    real = urls.url_place
    monkeypatch.setattr(urls, "url_place", lambda: asked.append(1) or real())
    template = Template("{% for i in ids %}{% url 'patients:chart' i %}{% endfor %}")
    assert template.render(Context({"ids": [1, 2, 3]})) == "".join(
        reverse("patients:chart", args=[i]) for i in (1, 2, 3)
    )
    assert len(asked) == 1
    template.render(Context({"ids": [4, 5]}))
    assert len(asked) == 2


@pytest.mark.urls("stepwell.core.tests.url_shapes_urls")
def test_the_tag_asks_the_request_for_its_application_and_each_render_for_its_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    template = Template("{% url 'first:item' 7 %}|{% url 'record' 7 0 %}")
    routed = _Request(resolver_match=_Request(namespace="second"))
    for request, app in [
        (_Request(current_app="second"), "second"),
        (routed, "second"),
        (_Request(resolver_match=None), None),
        (None, None),
    ]:
        context = Context()
        if request is not None:
            context.request = request
        expected = "|".join(
            [
                reverse("first:item", args=[7], current_app=app),
                reverse("record", args=[7, 0], current_app=app),
            ]
        )
        assert template.render(context) == expected
    # The URLconf's script prefix is read for each render, once: a later render under
    # another prefix writes that one.
    before = get_script_prefix()
    assert template.render(Context()).endswith(f"|{before}record/7/0/")
    try:
        set_script_prefix("/clinic/")
        assert template.render(Context()).endswith("|/clinic/record/7/0/")
        set_script_prefix("/other/")
        assert template.render(Context()).endswith("|/other/record/7/0/")
    finally:
        set_script_prefix(before)
