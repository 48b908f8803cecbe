"""Each episode's first and last score on an instrument, from the database.

The baseline is the first completed, scored administration of the instrument in the
episode; the score at discharge is the last one (the discharge questionnaire when there
is one). An episode "has both scores" when it has at least two, so the two are different
administrations. Incomplete administrations (kept for a safety answer) have no total and
never count.

The database returns, per distinct pair (or quadruple) of totals, how many episodes had
it; the clinical engine (measures/change.py) classifies each distinct pair once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from stepwell.measures.models import Administration, AdministrationStatus

INSTRUMENTS = ("phq9", "gad7")


def _scored(key: str):
    return Administration.objects.filter(
        episode=OuterRef("pk"),
        instrument_key=key,
        status=AdministrationStatus.COMPLETED,
        total__isnull=False,
    )


def with_scores(episodes: QuerySet, keys: Iterable[str] = INSTRUMENTS) -> QuerySet:
    """The episodes annotated, per instrument key, with `<key>_first`, `<key>_last` and
    `<key>_n` (the number of scored administrations)."""
    annotations = {}
    for key in keys:
        scored = _scored(key)
        annotations[f"{key}_first"] = Subquery(
            scored.order_by("completed_at", "pk").values("total")[:1]
        )
        annotations[f"{key}_last"] = Subquery(
            scored.order_by("-completed_at", "-pk").values("total")[:1]
        )
        annotations[f"{key}_n"] = Coalesce(
            Subquery(
                scored.order_by().values("episode").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
    return episodes.annotate(**annotations)


def pairs(episodes: QuerySet, key: str) -> list[tuple[int, int, int]]:
    """(first, last, episodes) for the episodes with both scores on `key`."""
    scored = with_scores(episodes, [key]).filter(**{f"{key}_n__gte": 2})
    return list(
        scored.values(f"{key}_first", f"{key}_last")
        .annotate(episodes=Count("pk"))
        .values_list(f"{key}_first", f"{key}_last", "episodes")
        .order_by()
    )


def baselines(episodes: QuerySet, key: str) -> list[tuple[int | None, int | None, int, int]]:
    """(first, last, number of scores, episodes) for every episode, grouped."""
    scored = with_scores(episodes, [key])
    return list(
        scored.values(f"{key}_first", f"{key}_last", f"{key}_n")
        .annotate(episodes=Count("pk"))
        .values_list(f"{key}_first", f"{key}_last", f"{key}_n", "episodes")
        .order_by()
    )


def joint_totals(episodes: QuerySet) -> list[tuple[int, int, int, int, int]]:
    """(PHQ-9 first, last, GAD-7 first, last, episodes) for the episodes with both scores
    on both instruments."""
    scored = with_scores(episodes).filter(phq9_n__gte=2, gad7_n__gte=2)
    return list(
        scored.values("phq9_first", "phq9_last", "gad7_first", "gad7_last")
        .annotate(episodes=Count("pk"))
        .values_list("phq9_first", "phq9_last", "gad7_first", "gad7_last", "episodes")
        .order_by()
    )
