"""Read a served page without the parts that change at random on every request."""

import re

# Django's masked CSRF token: 64 letters and digits, drawn afresh for each response.
# A check that a short word (say "PHQ") is absent from a page must not trip over it.
_CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def without_tokens(html: str) -> str:
    """The page with every CSRF token blanked out."""
    return _CSRF_TOKEN.sub("", html)
