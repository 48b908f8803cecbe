"""Lists a page at a time: every list page and API list shows PAGE_SIZE rows unless asked.

Pages take `?page=N` (a number out of range shows the nearest page: the first for a number
below 1, the last for one past the end; anything that is not a number, the first) and keep
their filters in the page links (`without_page`); the template includes core/_pager.html.
API lists take `limit` (1 to MAX_PAGE_SIZE, PAGE_SIZE unless asked) and `offset` (0 to
MAX_OFFSET) as query parameters; out of range is a 422 that names the parameter. Either
way the rows are cut in SQL (a LIMIT and OFFSET on an ordered queryset), so a long list
never reaches Python whole. The order must end on a unique column (the primary key) or
two rows of one value could swap between pages. A list that grows with every request,
such as the audit trail, is paged without a count (`uncounted_page`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from .api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE

__all__ = [
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "counted_page",
    "page_counted_by",
    "page_number",
    "page_of",
    "uncounted_page",
    "window",
    "without_page",
]
_TOTAL = "paging_total"


def page_number(asked) -> int:
    """The page a list shows for `asked` (any text from the query string) before it knows
    its length: that number, 1 for a number below 1 (the nearest page, where Django's
    Paginator.get_page would show the last) or for anything that is not a whole number.
    One past the end is the paginator's to bring back to the last page."""
    try:
        return max(1, int(asked))
    except (TypeError, ValueError):
        return 1


def page_of(rows: QuerySet, number, *, size: int = PAGE_SIZE) -> Page:
    """The page `number` (any text from the query string, see page_number) of an ordered
    queryset: one COUNT and one query for the page's rows."""
    if isinstance(rows, QuerySet) and not rows.ordered:
        raise ValueError(f"{rows.model.__name__} rows must be ordered to be paged")
    return Paginator(rows, size).get_page(page_number(number))


def page_of_narrow(rows: QuerySet, number, *, size: int = PAGE_SIZE) -> Page:
    """page_of's page, chosen on the rows' ids and sort keys alone and counted in the same
    query (counted_page), then its rows read by id with whatever `rows` joins
    (select_related), in the page's order: the database sorts narrow rows instead of every
    row with its joined tables, for a list that shows 50 of thousands (a program's
    patients by name). Two queries; a row gone between them is left out."""
    if not rows.ordered:
        raise ValueError(f"{rows.model.__name__} rows must be ordered to be paged")
    page = counted_page(rows.order_by(*rows.query.order_by, "pk").values("pk"), number, size=size)
    chosen = [row["pk"] for row in page.object_list]
    found = rows.order_by().in_bulk(chosen)
    page.object_list = [found[pk] for pk in chosen if pk in found]
    return page


class _Counted:
    """What a Paginator needs to know of rows the database has counted: their number."""

    def __init__(self, total: int):
        self.total = total

    def count(self) -> int:
        return self.total


def counted_page(rows: QuerySet, number, *, size: int = PAGE_SIZE) -> Page:
    """page_of's page (the same page for any `number`), with the total counted by the
    page's own query, a COUNT(*) OVER () next to its rows,
    instead of a COUNT and a slice that each filter, join and sort every row: for a list
    whose filter is the costly part, such as a search over a large scope. Its rows are
    those of `rows` (instances, or dicts from .values())."""
    if not rows.ordered:
        raise ValueError(f"{rows.model.__name__} rows must be ordered to be paged")
    counted = rows.annotate(**{_TOTAL: Window(Count("pk"))})

    def fetch(offset: int, limit: int) -> tuple[list, int]:
        found = list(counted[offset : offset + limit])
        if not found:
            return [], 0
        first = found[0]
        return found, first[_TOTAL] if isinstance(first, dict) else getattr(first, _TOTAL)

    return page_counted_by(fetch, rows.count, number, size=size)


def page_counted_by(fetch, count, number, *, size: int = PAGE_SIZE) -> Page:
    """page_of's page for `number` (page_number's, the last page for one past the end),
    from `fetch(offset, limit)`, which gives that slice of the rows and the total of all
    of them in one query. A page past the end costs two queries more: `count()`, then
    the last page."""
    wanted = page_number(number)
    in_range = wanted <= 2**31 // size  # an offset the engines take
    found, total = fetch((wanted - 1) * size, size) if in_range else ([], 0)
    if not found and wanted != 1:
        total = count()
        wanted = max(1, -(-total // size))  # the last page (the first when there are none)
        found = fetch((wanted - 1) * size, size)[0] if total else []
    return Page(found, wanted, Paginator(_Counted(total), size))


@dataclass(frozen=True)
class UncountedPage:
    """A page of a list that is not counted: its rows, its number and whether a page
    follows. What a template reads of a Django Page, less the total and the page count."""

    object_list: list
    number: int
    has_next: bool
    size: int

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        """The first row's place in the whole list, from 1 (0 on an empty page)."""
        return (self.number - 1) * self.size + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.object_list)


def uncounted_page(rows: QuerySet, number, *, size: int = PAGE_SIZE) -> UncountedPage:
    """The page `number` (page_number's) of an ordered queryset in one query, with one row
    more than the page holds to tell whether a page follows, and no count: for a list
    whose total costs a pass over everything it holds, such as the audit trail, which
    grows with every request. A page past the end is empty (its previous link leads
    back)."""
    if not rows.ordered:
        raise ValueError(f"{rows.model.__name__} rows must be ordered to be paged")
    wanted = min(page_number(number), 2**31 // size)  # an offset the engines take
    offset = (wanted - 1) * size
    found = list(rows[offset : offset + size + 1])
    return UncountedPage(found[:size], wanted, len(found) > size, size)


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
