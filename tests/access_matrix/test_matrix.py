"""The generated access matrix: every page route and every API operation, requested by each
person of tests/access_matrix/facts.py on records in and out of their scope and on an id
that does not exist, judged against tests/access_matrix/expectations.

A cell the code gets wrong today is a strict xfail naming the route and the person (the
entry's `deviations`): it fails the suite once the code is fixed, so the entry is removed.
"""

from __future__ import annotations

import pytest

from .expectations import OPERATIONS, PAGES
from .facts import ROLES
from .harness import CellFailure, run_cell

pytestmark = pytest.mark.django_db


def _cells(entries):
    for entry in entries:
        for person in ROLES:
            marks = []
            if person in entry.deviations:
                reason = f"known deviation, {entry.label} as {person}: {entry.deviations[person]}"
                marks.append(pytest.mark.xfail(strict=True, raises=CellFailure, reason=reason))
            yield pytest.param(entry, person, id=f"{entry.label} | {person}", marks=marks)


@pytest.mark.parametrize(("entry", "person"), list(_cells(PAGES)))
def test_page(world, entry, person):
    run_cell(world, entry, person)


@pytest.mark.parametrize(("entry", "person"), list(_cells(OPERATIONS)))
def test_api(world, entry, person):
    run_cell(world, entry, person)
