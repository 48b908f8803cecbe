"""one_or_none (stepwell.core.rows): the row a lookup names, read unordered and limited to
one, on both engines."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stepwell.clinic.models import Program
from stepwell.core.rows import one_or_none
from stepwell.testing.factories import ProgramFactory

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]


def test_the_row_named_or_none():
    program = ProgramFactory()
    assert one_or_none(Program.objects.filter(pk=program.pk)) == program
    assert one_or_none(Program.objects.filter(pk=program.pk + 1000)) is None
    names = Program.objects.filter(pk=program.pk).values_list("name", flat=True)
    assert one_or_none(names) == program.name


def test_read_without_a_sort_where_first_sorts():
    """Program is ordered by name (its Meta.ordering): first() sorts by it, one_or_none
    does not, and both read one row."""
    program = ProgramFactory()
    rows = Program.objects.select_related("site").filter(pk=program.pk)
    assert Program._meta.ordering
    with CaptureQueriesContext(connection) as first:
        assert rows.first() == program
    with CaptureQueriesContext(connection) as ours:
        assert one_or_none(rows) == program
    [first_sql], [our_sql] = [q["sql"] for q in first], [q["sql"] for q in ours]
    assert "ORDER BY" in first_sql and "ORDER BY" not in our_sql
    assert "LIMIT 1" in our_sql
