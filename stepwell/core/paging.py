"""Lists a page at a time: every list page and API list shows PAGE_SIZE rows unless asked.

Pages take `?page=N` (a number out of range shows the nearest page, as Django's
Paginator.get_page does) and keep their filters in the page links (`without_page`); the
template includes core/_pager.html. API lists take `limit` (1 to MAX_PAGE_SIZE, PAGE_SIZE
unless asked) and `offset` (0 to MAX_OFFSET) as query parameters; out of range is a 422 that
names the parameter. Either way the rows are cut in SQL (a LIMIT and OFFSET on an ordered
queryset), so a long list never reaches Python whole. The order must end on a unique
column (the primary key) or two rows of one value could swap between pages.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE

__all__ = ["MAX_OFFSET", "MAX_PAGE_SIZE", "PAGE_SIZE", "page_of", "window", "without_page"]


def page_of(rows: QuerySet, number, *, size: int = PAGE_SIZE) -> Page:
    """The page `number` (any text from the query string) of an ordered queryset: one
    COUNT and one query for the page's rows."""
    if isinstance(rows, QuerySet) and not rows.ordered:
        raise ValueError(f"{rows.model.__name__} rows must be ordered to be paged")
    return Paginator(rows, size).get_page(number)


def window(rows: QuerySet, *, limit: int, offset: int) -> QuerySet:
    """`limit` rows after `offset` of an ordered queryset (the API's paging), in SQL."""
    if isinstance(rows, QuerySet) and not rows.ordered:
        raise ValueError(f"{rows.model.__name__} rows must be ordered to be paged")
    return rows[offset : offset + limit]


def without_page(params) -> str:
    """A list page's filters as a query string (its GET minus `page`), for the page links
    to keep them."""
    query = params.copy()
    query.pop("page", None)
    return query.urlencode()
