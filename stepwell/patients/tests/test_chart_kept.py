"""The chart reads its patient's episodes, care team and the episodes' histories with kept
queries by the patient's id (stepwell/core/kept.py), put where prefetch_related puts
them: the same records as the ORM's prefetch, nothing read again, nothing compiled
after the first chart."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext

from stepwell.accounts.models import User, UserKind
from stepwell.core.kept import KEPT_ON_CONNECTION, LISTS, READS, as_prefetched
from stepwell.patients import selectors
from stepwell.patients.models import (
    CareTeamMember,
    Episode,
    EpisodeEvent,
    EpisodeState,
    LevelOfCareChange,
    Patient,
)
from stepwell.privacy import access
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import (
    CareTeamMemberFactory,
    EpisodeFactory,
    PatientFactory,
    ProgramFactory,
    UserFactory,
)
from stepwell.testing.kept import (
    assert_prefetched_as_orm,
    assert_read_as_orm,
    assert_records_as_orm,
    compiles,
)

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

CHART_READS = [
    selectors._CHART_EPISODES,
    selectors._CHART_CARE_TEAM,
    selectors._EPISODE_EVENTS,
    selectors._LEVEL_OF_CARE_CHANGES,
]


def _history(episode: Episode, actor) -> None:
    """Two moves (one by the system, no actor) and a level of care change, out of order."""
    for to_state, by in ((EpisodeState.ASSESSED, None), (EpisodeState.ADMITTED, actor)):
        EpisodeEvent.objects.create(
            episode=episode, to_state=to_state, effective_date=date(2026, 11, 2), actor=by
        )
    for day in (20, 9):
        LevelOfCareChange.objects.create(
            episode=episode,
            direction="stepped_down_to",
            level_of_care="outpatient",
            effective_date=date(2026, 11, day),
            reason="Synthetic",
            recorded_by=actor,
        )


@pytest.fixture
def patients():
    """A patient with two episodes in two programs, each with a history, and a care team
    of two; another patient with one of each (which must not be read with the first); and
    one with none."""
    programs = [ProgramFactory(), ProgramFactory()]
    clinician = UserFactory(roles=["clinician"], programs=programs)
    patient, other, bare = PatientFactory(), PatientFactory(), PatientFactory()
    for program in programs:
        _history(EpisodeFactory(patient=patient, program=program), clinician)
    _history(EpisodeFactory(patient=other, program=programs[0]), clinician)
    for who, team_role in ((clinician, "primary_clinician"), (UserFactory(), "other")):
        CareTeamMemberFactory(patient=patient, user=who, team_role=team_role)
    CareTeamMemberFactory(patient=other, user=clinician)
    return {"patient": patient, "other": other, "bare": bare, "clinician": clinician}


def _orm(patient: Patient) -> Patient:
    """The patient as the ORM's prefetches read it (what the chart read before)."""
    orm = Patient.objects.prefetch_related(*selectors._CHART_ROWS).get(pk=patient.pk)
    prefetch_related_objects(
        list(orm.episodes.all()),
        "level_of_care_changes",
        selectors.Prefetch("events", queryset=EpisodeEvent.objects.select_related("actor")),
    )
    return orm


def _patient_read():
    """The kept read of a patient by id (privacy.access's, which the chart reads by)."""
    [read] = [read for read in READS if read.model is Patient and not read.related]
    return read


def _chart_patient(pk: int) -> Patient | None:
    """The patient as the chart reads it (privacy.access.patient_meeting, before it asks
    the reader's condition): by its id, then with the chart's rows."""
    patient = _patient_read().one(pk)
    if patient is not None:
        selectors.with_chart_rows(patient)
    return patient


def test_the_charts_kept_lists_read_what_the_orm_reads(patients):
    assert all(kept in LISTS for kept in CHART_READS)
    assert _patient_read() in READS
    for who in ("patient", "other", "bare"):
        pk = patients[who].pk
        assert_read_as_orm(_patient_read(), pk)
        for kept in CHART_READS:
            assert_records_as_orm(kept, patient=pk)
    assert selectors._EPISODE_EVENTS.records(patient=patients["patient"].pk)  # something read


@pytest.mark.parametrize("who", ["patient", "other", "bare"])
def test_the_chart_patient_is_what_the_orms_prefetches_read(patients, who):
    patient = _chart_patient(patients[who].pk)
    orm = _orm(patients[who])
    assert_read_as_orm(_patient_read(), patient.pk)
    assert_prefetched_as_orm([patient], [orm], "episodes")
    assert_prefetched_as_orm([patient], [orm], "care_team")
    chart = selectors.patient_chart(user=patients["clinician"], patient=patient)
    episodes = [episode for episode, _moves, _days in chart.episodes]
    assert_prefetched_as_orm(episodes, list(orm.episodes.all()), "events")
    assert_prefetched_as_orm(episodes, list(orm.episodes.all()), "level_of_care_changes")
    assert [m.pk for m in chart.care_team] == [m.pk for m in orm.care_team.all()]


def test_a_missing_patient_is_none_and_reads_no_lists(patients):
    condition = access.patient_condition(patients["clinician"])
    with CaptureQueriesContext(connection) as read:
        assert access.patient_meeting(10**9, condition, selectors.with_chart_rows) is None
    assert len(read.captured_queries) == 1


def test_what_is_asked_of_a_kept_list_beyond_all_still_asks_the_database(patients):
    patient = _chart_patient(patients["patient"].pk)
    first = patient.episodes.all()[0]
    with CaptureQueriesContext(connection) as read:
        assert patient.episodes.all()[0] is first
    assert read.captured_queries == []
    # A filter is a new query, of this patient's episodes only (the manager's own).
    program = first.program_id
    assert [e.pk for e in patient.episodes.filter(program_id=program)] == [first.pk]
    assert patient.care_team.filter(team_role="other").count() == 1
    # A change through the manager drops the kept list, as it drops a prefetched one.
    newcomer = UserFactory()
    patient.care_team.add(CareTeamMember(user=newcomer, team_role="other"), bulk=False)
    assert newcomer.pk in {m.user_id for m in patient.care_team.all()}


def test_a_record_of_none_of_the_instances_or_a_forward_key_is_refused(patients):
    patient, other = patients["patient"], patients["other"]
    with pytest.raises(ValueError, match="a record of none of the instances"):
        as_prefetched([patient], "episodes", list(Episode.objects.filter(patient=other)))
    episodes = list(Episode.objects.filter(patient=patient))
    with pytest.raises(ValueError, match="a reverse foreign key to the primary key"):
        as_prefetched(episodes, "patient", [patient])
    as_prefetched([], "episodes", [])  # nothing to put anywhere


def test_the_charts_care_team_candidates_kept_are_the_orms(patients):
    """Whom the chart offers for the care team (active staff of the patient's programs,
    by name), read by a kept query: the same users in the same order as the ORM's
    queryset, each once however many of the programs they work in; not an inactive
    user, a patient's login or staff of another program."""
    from stepwell.clinic.models import Program, ProgramStaff

    patient = patients["patient"]
    programs = list(Program.objects.filter(episodes__patient=patient).distinct().order_by("pk"))
    both = UserFactory(first_name="Ann", last_name="Zed", roles=["nurse"], programs=programs)
    UserFactory(first_name="Al", last_name="Zed", roles=["nurse"], programs=programs[:1])
    gone = UserFactory(roles=["clinician"], programs=programs[:1], is_active=False)
    elsewhere = UserFactory(roles=["clinician"], programs=[ProgramFactory()])
    patient_login = UserFactory(kind=UserKind.PATIENT)
    ProgramStaff.objects.create(user=patient_login, program=programs[0])
    for who in ("patient", "other", "bare"):
        episodes = list(Episode.objects.filter(patient=patients[who]))
        ids = sorted({e.program_id for e in episodes})
        expected = list(selectors._staff_of(ids))
        read = selectors.care_team_candidates(episodes=episodes)
        assert [u.pk for u in read] == [u.pk for u in expected]
        assert_records_as_orm(selectors._CARE_TEAM_CANDIDATES, programs=ids)
    offered = selectors.care_team_candidates(episodes=list(patient.episodes.all()))
    names = [(u.last_name, u.first_name) for u in offered]
    assert names == sorted(names)
    assert [u.pk for u in offered].count(both.pk) == 1
    assert not {gone.pk, elsewhere.pk, patient_login.pk} & {u.pk for u in offered}
    assert selectors.care_team_candidates(episodes=[]) == []


def test_a_chart_compiles_none_of_its_patients_lists_once_kept(client, patients, monkeypatch):
    """After the first chart on a connection, the patient, its episodes, care team, moves
    and level of care changes are read by SQL compiled then: the ORM compiles none of
    them again (it compiled each on every chart, as prefetches of the episodes' ids)."""
    verified_login(client, patients["clinician"])
    url = f"/patients/{patients['patient'].pk}/"
    getattr(connection, KEPT_ON_CONNECTION, {}).clear()  # as on a new connection
    compiled = compiles(monkeypatch)
    first = client.get(url)
    assert first.status_code == 200
    kept = {Patient, Episode, CareTeamMember, EpisodeEvent, LevelOfCareChange}
    assert kept <= set(compiled)
    compiled.clear()
    again = client.get(url)
    assert again.status_code == 200
    assert not kept & set(compiled), compiled
    # nor the care team's candidates, nor who recorded the questionnaires shown
    assert User not in compiled, compiled
    html = again.content.decode()
    assert html.count("Synthetic") >= 4  # both episodes' level of care changes are shown
