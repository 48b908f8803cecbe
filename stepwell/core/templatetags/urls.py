"""The `url` tag every template gets (a builtin of the template engine, set in settings),
the same as Django's but quicker for the links the pages repeat on every row.

Django's tag reverses each link from the URL patterns: it walks the view's possible
patterns, fills each in, converts the arguments and matches the result against the
pattern again, about 27 microseconds a link; a list of 50 rows with a link or two each
spends 1.5 to 2.5 ms on it. Most links name a view and give it record ids, so this tag
reverses a view's shape once (the URL with stand-in ids, checked against a second
reversal with other stand-ins) and then writes a link by putting the ids into it.

It does so only where that gives what Django gives: every argument is an id (an `int`,
0 to the largest record id) or there are none, and the view's name belongs to one pattern
in each namespace, whose parts (and those of the includes around it) take only `<int:>`
and `<id:>` arguments, which Django writes as the number's digits whatever the number. Any
other argument (a text, a bool), a name with patterns that could pick between them by the
value (two patterns, a regular expression), or a shape that does not hold, goes to
Django's tag, as does anything it cannot reverse. The tests compare both for every named
pattern of the project, with any ids.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import (
    NoReverseMatch,
    URLResolver,
    get_resolver,
    get_script_prefix,
    get_urlconf,
    reverse,
)
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.html import conditional_escape

from stepwell.core.converters import MAX_RECORD_ID, RecordIdConverter

register = template.Library()

# Stand-in ids: digits no route writes on its own, within every id converter's range.
_FIRST_STAND_INS = tuple(731_900_000_000 + 10_007 * i for i in range(1, 9))
_SECOND_STAND_INS = tuple(482_600_000_000 + 10_009 * i for i in range(1, 9))
_UNSHAPED = None  # a shape that does not hold: always Django's reverse

# (resolver, script prefix, current app, view name, argument names or count)
# -> the URL's pieces between the ids and the order the ids go in, or _UNSHAPED.
_shapes: dict[tuple, tuple[tuple[str, ...], tuple[int, ...]] | None] = {}


# resolver -> the view names ("care:weekly_hours") whose pattern writes ids as digits
_id_names: dict[URLResolver, frozenset[str]] = {}
ID_CONVERTERS = (IntConverter, RecordIdConverter)


def _writes_ids_as_digits(chain) -> bool:
    for pattern in chain:
        if isinstance(pattern, RoutePattern):
            if not all(type(c) in ID_CONVERTERS for c in pattern.converters.values()):
                return False
        elif not (isinstance(pattern, RegexPattern) and pattern.regex.groups == 0):
            return False
    return True


def id_names(resolver: URLResolver) -> frozenset[str]:
    """The view names (with their namespaces) that reverse to one pattern whatever the
    ids, which writes each id as its digits: the name's only pattern in its namespace,
    taking only int and id arguments (as the includes around it), in a namespace that is
    its application's only one (so the current application cannot pick another)."""
    known = _id_names.get(resolver)
    if known is not None:
        return known
    chains: dict[str, list] = {}
    seen: set[tuple[str, ...]] = set()
    unsure: set[tuple[str, ...]] = set()  # namespaces the current application could swap

    def walk(node: URLResolver, namespaces: tuple[str, ...], chain: list) -> None:
        for entry in node.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespaces
                if entry.namespace:
                    inner = (*namespaces, entry.namespace)
                    if entry.app_name != entry.namespace or inner in seen:
                        unsure.add(inner)
                    seen.add(inner)
                walk(entry, inner, [*chain, entry.pattern])
            elif entry.name:
                found = chains.setdefault(":".join((*namespaces, entry.name)), [])
                found.append((namespaces, [*chain, entry.pattern]))

    def sure(namespaces: tuple[str, ...]) -> bool:  # it and every namespace around it
        return not any(namespaces[:depth] in unsure for depth in range(1, len(namespaces) + 1))

    walk(resolver, (), [])
    known = _id_names[resolver] = frozenset(
        name
        for name, [(namespaces, chain), *others] in chains.items()
        if not others and sure(namespaces) and _writes_ids_as_digits(chain)
    )
    return known


def _is_id(value) -> bool:
    return type(value) is int and 0 <= value <= MAX_RECORD_ID


def _filled(pieces: tuple[str, ...], order: tuple[int, ...], values: list[int]) -> str:
    parts = [pieces[0]]
    for index, piece in zip(order, pieces[1:], strict=True):
        parts.append(str(values[index]))
        parts.append(piece)
    return "".join(parts)


def _reversed(view_name: str, names: tuple[str, ...] | None, values, current_app):
    if names is None:
        return reverse(view_name, args=list(values), current_app=current_app)
    return reverse(view_name, kwargs=dict(zip(names, values, strict=True)), current_app=current_app)


def _shape_of(view_name: str, names: tuple[str, ...] | None, count: int, current_app):
    """The view's URL cut at its ids, or _UNSHAPED when the shape does not hold."""
    first = list(_FIRST_STAND_INS[:count])
    try:
        written = _reversed(view_name, names, first, current_app)
    except NoReverseMatch:
        return _UNSHAPED
    found = []
    for index, stand_in in enumerate(first):
        text = str(stand_in)
        if written.count(text) != 1:
            return _UNSHAPED
        found.append((written.index(text), index, len(text)))
    found.sort()
    pieces, order, start = [], [], 0
    for position, index, length in found:
        pieces.append(written[start:position])
        order.append(index)
        start = position + length
    pieces.append(written[start:])
    shape = (tuple(pieces), tuple(order))
    second = list(_SECOND_STAND_INS[:count])
    try:
        if _reversed(view_name, names, second, current_app) != _filled(*shape, second):
            return _UNSHAPED
    except NoReverseMatch:
        return _UNSHAPED
    return shape


def url_of(
    view_name: str, args: list, kwargs: dict, current_app=None, *, where: tuple | None = None
) -> str:
    """What django.urls.reverse returns for the view and arguments (and raises what it
    raises), by the view's shape when every argument is an id. ``where`` is the
    (resolver, script prefix) of this request, when the caller has them (url_place)."""
    if (args and kwargs) or len(args) + len(kwargs) > len(_FIRST_STAND_INS):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    values = args or list(kwargs.values())
    if not all(_is_id(value) for value in values):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    names = tuple(kwargs) if kwargs else None
    resolver, prefix = where or url_place()
    if view_name not in id_names(resolver):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    key = (
        resolver,
        prefix,
        current_app,
        view_name,
        names if names is not None else len(values),
    )
    try:
        shape = _shapes[key]
    except KeyError:
        shape = _shapes[key] = _shape_of(view_name, names, len(values), current_app)
    if shape is _UNSHAPED:
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _filled(*shape, values)


def url_place() -> tuple:
    """The resolver of this thread's URLconf and its script prefix, which django.urls.reverse
    looks up on each call (each a thread-local read, 3 of a link's 10 microseconds)."""
    return get_resolver(get_urlconf()), get_script_prefix()


_PLACE = object()  # the render's (resolver, prefix), in the template's render context
_MISSING = object()


def render_place(context) -> tuple:
    """url_place() for this template render, looked up on its first link."""
    place = context.render_context.get(_PLACE)
    if place is None:
        place = context.render_context[_PLACE] = url_place()
    return place


def current_app_of(context):
    """The application Django's url tag reverses for: the request's ``current_app`` if
    it has one, else the namespace of the view it resolved to."""
    request = getattr(context, "request", None)
    current_app = getattr(request, "current_app", _MISSING)
    if current_app is _MISSING:
        current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
    return current_app


class IdURLNode(URLNode):
    """Django's URLNode, reversing by the view's shape (url_of). The URLconf and script
    prefix are looked up once per template rendered, not for every link: neither changes
    while a template renders (a middleware sets them before the view)."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        url = ""
        try:
            url = url_of(
                view_name, args, kwargs, current_app_of(context), where=render_place(context)
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's `{% url %}` (same syntax and result), quicker for links by record id."""
    node = django_url(parser, token)
    return IdURLNode(node.view_name, node.args, node.kwargs, node.asvar)
