"""A kept record read (stepwell.core.kept) is compiled once per connection and then runs
its SQL with each new id. That it reads what the ORM reads is compared for every record
check's read in privacy/tests/test_checks_by_id.py and care/tests/test_access.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.core.kept import (
    KEPT_ON_CONNECTION,
    LISTS,
    READS,
    KeptRecords,
    KeptRows,
    Many,
    RecordRead,
)
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


def test_a_record_list_takes_a_value_for_each_slot_and_no_extra_select():
    with pytest.raises(ValueError, match="a value for each of"):
        EPISODES_OF.records(patient=None)
    with pytest.raises(ValueError, match="a value for each of"):
        EPISODES_OF.records()
    extra = KeptRecords(
        Episode,
        lambda patient: Episode.objects.filter(patient_id=patient).extra(select={"one": "1"}),
        patient=Episode._meta.get_field("patient").target_field,
    )
    LISTS.remove(extra)
    with pytest.raises(ValueError, match="no extra"):
        extra.records(patient=1)


COUNTED = KeptRecords(
    Episode,
    lambda patient: (
        Episode.objects.filter(patient_id=patient)
        .select_related("program")
        .annotate(
            moves=Count("events"), later=Count("events", filter=Q(events__to_state="admitted"))
        )
        .order_by("pk")
    ),
    patient=Episode._meta.get_field("patient").target_field,
)


def test_a_record_lists_annotations_are_the_orms(compiled):
    """Annotations (a count beside each record, as a list page shows) are set on each
    record as the ORM sets them, and the joined records are filled in beside them."""
    from datetime import date

    from stepwell.patients.models import EpisodeEvent

    episode, quiet = EpisodeFactory(), EpisodeFactory()
    EpisodeFactory(patient=episode.patient)
    for state in ("assessed", "admitted", "admitted"):
        EpisodeEvent.objects.create(
            episode=episode, to_state=state, effective_date=date(2026, 11, 2)
        )
    assert_records_as_orm(COUNTED, patient=episode.patient_id)
    assert_records_as_orm(COUNTED, patient=quiet.patient_id)
    read = COUNTED.records(patient=episode.patient_id)
    assert [(e.moves, e.later) for e in read] == [(3, 2), (0, 0)]
    compiled.clear()
    COUNTED.records(patient=quiet.patient_id)
    assert compiled == []


# --- lists of values as one parameter (Many, field__any_of) ---------------------------

EPISODES_OF_PATIENTS = KeptRows(
    Episode,
    lambda patients, states: (
        Episode.objects.filter(patient_id__any_of=patients, state__any_of=states)
        .order_by("pk")
        .values_list("pk", "patient_id", "state")
    ),
    patients=Many(Episode._meta.get_field("patient")),
    states=Many(Episode._meta.get_field("state")),
)


def test_any_of_is_in_for_any_list_of_values(django_assert_num_queries):
    episodes = [EpisodeFactory(state=state) for state in ("admitted", "active", "referred")]
    patients = [e.patient_id for e in episodes]
    for ids, states in [
        (patients, ["admitted", "active", "referred"]),
        (patients[:1], ["admitted"]),
        ([*patients[1:], 10**9], ["active", "discharged"]),
        ([], ["admitted"]),
        (patients, []),
    ]:
        expected = list(
            Episode.objects.filter(patient_id__in=ids, state__in=states)
            .order_by("pk")
            .values_list("pk", "patient_id", "state")
        )
        orm = Episode.objects.filter(patient_id__any_of=ids, state__any_of=states)
        assert list(orm.order_by("pk").values_list("pk", "patient_id", "state")) == expected
        with django_assert_num_queries(1):
            assert EPISODES_OF_PATIENTS.rows(patients=ids, states=states) == expected
    with pytest.raises(TypeError, match="patient__any_of takes a list"):
        list(Episode.objects.filter(patient_id__any_of=5))


def test_a_list_of_any_length_runs_the_sql_compiled_first(compiled):
    episodes = [EpisodeFactory() for _ in range(3)]
    getattr(connection, KEPT_ON_CONNECTION, {}).pop(EPISODES_OF_PATIENTS, None)
    compiled.clear()
    with CaptureQueriesContext(connection) as asked:
        for count in (1, 3, 0):
            ids = [e.patient_id for e in episodes[:count]]
            rows = EPISODES_OF_PATIENTS.rows(patients=ids, states=[episodes[0].state])
            assert sorted(pk for pk, _, _ in rows) == sorted(e.pk for e in episodes[:count])
    assert compiled == [Episode]
    sent = {query["sql"].split(" WHERE ")[0] for query in asked.captured_queries}
    assert len(asked.captured_queries) == 3 and len(sent) == 1
    with pytest.raises(ValueError, match="a list of values for patients"):
        EPISODES_OF_PATIENTS.rows(patients="12", states=["admitted"])


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.lists(st.integers(min_value=0, max_value=5), max_size=8))
def test_any_of_picks_what_in_picks_on_either_engine(chosen, five_episodes):
    ids = [five_episodes[i].pk if i < 5 else 10**12 for i in chosen]
    assert set(Episode.objects.filter(pk__any_of=ids).values_list("pk", flat=True)) == set(
        Episode.objects.filter(pk__in=ids).values_list("pk", flat=True)
    )


@pytest.fixture
def five_episodes():
    return [EpisodeFactory() for _ in range(5)]
