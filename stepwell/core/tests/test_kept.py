"""A kept record read (stepwell.core.kept) is compiled once per connection and then runs
its SQL with each new id. That it reads what the ORM reads is compared for every record
check's read in privacy/tests/test_checks_by_id.py and care/tests/test_access.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from stepwell.core.kept import KEPT_ON_CONNECTION, LISTS, READS, KeptRecords, RecordRead
from stepwell.patients.models import Episode
from stepwell.testing.factories import EpisodeFactory
from stepwell.testing.kept import assert_read_as_orm, assert_records_as_orm, compiles

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


EPISODES_OF = KeptRecords(
    Episode,
    lambda patient: Episode.objects.filter(patient_id=patient).select_related("program"),
    patient=Episode._meta.get_field("patient").target_field,
)


def test_a_record_list_is_compiled_once_then_read_with_each_new_value(compiled):
    first, second = EpisodeFactory(), EpisodeFactory()
    EpisodeFactory(patient=second.patient)
    getattr(connection, KEPT_ON_CONNECTION, {}).pop(EPISODES_OF, None)
    compiled.clear()
    assert [e.pk for e in EPISODES_OF.records(patient=first.patient_id)] == [first.pk]
    with CaptureQueriesContext(connection) as asked:
        read = EPISODES_OF.records(patient=second.patient_id)
        assert EPISODES_OF.records(patient=10**9) == []
    assert compiled == [Episode]
    assert len(asked.captured_queries) == 2
    programs = {e.program.name for e in Episode.objects.filter(patient=second.patient)}
    with CaptureQueriesContext(connection) as lazy:
        assert {e.program.name for e in read} == programs
    assert lazy.captured_queries == []  # joined in, as select_related does
    assert_records_as_orm(EPISODES_OF, patient=second.patient_id)
    assert EPISODES_OF in LISTS


def test_a_record_list_takes_a_value_for_each_slot_and_no_annotations():
    with pytest.raises(ValueError, match="a value for each of"):
        EPISODES_OF.records(patient=None)
    with pytest.raises(ValueError, match="a value for each of"):
        EPISODES_OF.records()
    counted = KeptRecords(
        Episode,
        lambda patient: Episode.objects.filter(patient_id=patient).annotate(n=Count("events")),
        patient=Episode._meta.get_field("patient").target_field,
    )
    LISTS.remove(counted)
    with pytest.raises(ValueError, match="no annotations"):
        counted.records(patient=1)
