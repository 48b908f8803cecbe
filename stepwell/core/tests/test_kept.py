"""A kept record read (stepwell.core.kept) is compiled once per connection and then runs
its SQL with each new id. That it reads what the ORM reads is compared for every record
check's read in privacy/tests/test_checks_by_id.py and care/tests/test_access.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stepwell.core.kept import KEPT_ON_CONNECTION, READS, RecordRead
from stepwell.patients.models import Episode
from stepwell.testing.factories import EpisodeFactory
from stepwell.testing.kept import assert_read_as_orm, compiles

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

EPISODES = RecordRead(Episode, "patient", "program")


@pytest.fixture
def compiled(monkeypatch) -> list:
    return compiles(monkeypatch)


def test_compiled_once_then_one_query_with_each_new_id(compiled):
    first, second = EpisodeFactory(), EpisodeFactory()
    getattr(connection, KEPT_ON_CONNECTION, {}).pop(EPISODES, None)  # as on a new connection
    compiled.clear()
    assert EPISODES.one(first.pk).patient == first.patient
    assert compiled == [Episode]
    with CaptureQueriesContext(connection) as asked:
        got = EPISODES.one(second.pk)
        assert EPISODES.one(10**9) is None
    assert compiled == [Episode]
    assert len(asked.captured_queries) == 2
    assert (got.pk, got.patient.pk, got.program.pk) == (
        second.pk,
        second.patient.pk,
        second.program.pk,
    )
    with CaptureQueriesContext(connection) as lazy:
        assert got.patient.legal_last_name == second.patient.legal_last_name
    assert lazy.captured_queries == []  # joined in, as select_related does


def test_a_read_is_what_the_orm_reads_and_is_listed_for_the_tests():
    episode = EpisodeFactory()
    assert_read_as_orm(EPISODES, episode.pk)
    assert_read_as_orm(EPISODES, 10**9)
    assert EPISODES in READS
