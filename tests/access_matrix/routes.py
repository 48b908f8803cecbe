"""Every page route (from the URL resolver) and every API operation (from the OpenAPI
document), written the way the expectations name them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


@dataclass(frozen=True)
class PageRoute:
    template: str  # "patients/{patient_id}/"; a regex group becomes "{name}" too
    namespace: str  # "admin" for Django's admin site under /setup/
    name: str
    choices: dict  # regex group -> its alternatives ("auth|clinic" -> ["auth", "clinic"])

    @property
    def label(self) -> str:
        return "/" + self.template


def _text(pattern) -> tuple[str, dict]:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", str(pattern)), {}
    if isinstance(pattern, RegexPattern):
        choices = {}

        def group(match: re.Match) -> str:
            body = match["body"]
            if re.fullmatch(r"[\w|]+", body):
                choices[match["name"]] = body.split("|")
            return "{" + match["name"] + "}"

        text = _REGEX_GROUP.sub(group, str(pattern.regex.pattern))
        return text.lstrip("^").rstrip("$"), choices
    raise TypeError(pattern)


def page_routes() -> list[PageRoute]:
    """Every route of the resolver (the API's operations too), in the order it tries them;
    a route shadowed by an earlier one with the same text (setup/login/) is listed once."""
    found: dict[str, PageRoute] = {}

    def walk(patterns, prefix: str, namespace: str, choices: dict) -> None:
        for entry in patterns:
            text, own = _text(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + text, entry.namespace or namespace, choices | own)
            elif isinstance(entry, URLPattern):
                template = prefix + text
                if template in found:
                    continue
                found[template] = PageRoute(template, namespace, entry.name or "", choices | own)

    walk(get_resolver().url_patterns, "", "", {})
    return list(found.values())
