"""The caseload at scale: its census is counted in SQL, and its rows, badges and audit
come from a fixed number of queries whatever the page holds."""

from __future__ import annotations

from datetime import date

import pytest

from stepwell.patients.models import EpisodeState
from stepwell.patients.selectors import caseload_episodes, caseload_page, census
from stepwell.testing.factories import EpisodeFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_census_counts_each_program_s_episodes_by_state():
    first, second = ProgramFactory(name="A first"), ProgramFactory(name="B second")
    other = ProgramFactory()
    director = UserFactory(roles=["program_director"], programs=[first, second])
    for program, state, count in [
        (first, EpisodeState.ADMITTED, 3),
        (first, EpisodeState.REFERRED, 2),
        (first, EpisodeState.DISCHARGED, 4),
        (second, EpisodeState.ON_HOLD, 1),
        (other, EpisodeState.ADMITTED, 5),  # not the director's: not counted
    ]:
        for _ in range(count):
            discharged = {"admitted_on": date(2026, 9, 1), "discharged_on": date(2026, 10, 1)}
            EpisodeFactory(
                program=program,
                state=state,
                **(discharged if state == EpisodeState.DISCHARGED else {}),
            )

    rows = census(user=director)

    assert [row.program.pk for row in rows] == [first.pk, second.pk]
    assert rows[0].counts == {"Referred": 2, "Admitted": 3, "Discharged": 4}
    assert rows[0].total_open == 5  # discharged episodes are not open
    assert rows[1].counts == {"On hold": 1}
    assert rows[1].total_open == 1


def test_the_census_of_someone_who_sees_no_patient_is_empty():
    EpisodeFactory(state=EpisodeState.ADMITTED)
    assert census(user=UserFactory(roles=["clinician"], programs=[ProgramFactory()])) == []


@pytest.mark.parametrize("state", ["open", "all", "admitted", "discharged", "referred", "bogus"])
@pytest.mark.parametrize("in_first_program", [None, True, False])
def test_the_page_count_taken_from_the_census_is_the_count_of_the_filtered_episodes(
    state, in_first_program
):
    """The caseload takes its page count from the census (no second scan); it must be the
    number of episodes the filters give, for every state and program filter."""
    first, second = ProgramFactory(), ProgramFactory()
    director = UserFactory(roles=["program_director"], programs=[first, second])
    for program, episode_state, count in [
        (first, EpisodeState.ADMITTED, 2),
        (first, EpisodeState.DISCHARGED, 1),
        (second, EpisodeState.REFERRED, 3),
        (second, EpisodeState.ADMITTED, 1),
    ]:
        for _ in range(count):
            discharged = {"admitted_on": date(2026, 9, 1), "discharged_on": date(2026, 10, 1)}
            EpisodeFactory(
                program=program,
                state=episode_state,
                **(discharged if episode_state == EpisodeState.DISCHARGED else {}),
            )
    program_id = None if in_first_program is None else (first if in_first_program else second).pk

    page = caseload_page(user=director, program_id=program_id, state=state)
    expected = caseload_episodes(user=director, program_id=program_id, state=state).count()

    assert page.page.paginator.count == expected
    assert len(page.rows) == expected


@pytest.mark.parametrize("page_number", [None, "2", "3", "0", "x"])
def test_a_search_counts_its_matches_in_the_page_s_own_query(page_number):
    """A searched caseload is counted with its rows (the census cannot say how many match);
    the count, the page and its rows are those of the episodes the search gives."""
    program = ProgramFactory()
    director = UserFactory(roles=["program_director"], programs=[program])
    for n in range(120):
        EpisodeFactory(
            program=program,
            state=EpisodeState.ADMITTED,
            patient__legal_last_name=f"{'Adams' if n % 5 else 'Brooks'}-{n:03d}",
        )

    page = caseload_page(user=director, query="adams", page_number=page_number)
    matching = list(
        caseload_episodes(user=director, query="adams").order_by(
            "program__name", "state", "patient__legal_last_name", "pk"
        )
    )

    assert page.page.paginator.count == len(matching) == 96
    # "3" is past the end: the last page; "0" is below the first: the first page.
    number = 2 if page_number in ("2", "3") else 1
    assert page.page.number == number
    shown = matching[(number - 1) * 50 : number * 50]
    assert [episode.pk for episode, _ in page.rows] == [episode.pk for episode in shown]
