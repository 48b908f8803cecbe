"""The engines without Django: the drug-screen rules, the random draw, days abstinent,
the formulary and the RXNCONSO reader (docs/clinical-sources.md §7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.meds.formulary import BY_KEY, SCHEDULES, STARTER, starter_by_rxnorm
from stepwell.meds.rxnorm import RrfError, concepts_from_rrf
from stepwell.meds.testing_rules import (
    DETECTION_WINDOW_DAYS,
    Confirmation,
    Outcome,
    PrescribedCourse,
    ResultLine,
    TestDay,
    days_abstinent,
    detection_window_days,
    draw_random_tests,
    expected_from_courses,
    expected_substances,
    explains_positive_on,
    program_days,
    unexpected_wording,
)

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("outcome", "expected", "confirmation", "unexpected"),
    [
        (Outcome.POSITIVE, False, Confirmation.NONE, True),
        (Outcome.POSITIVE, True, Confirmation.NONE, False),  # prescribed: expected
        (Outcome.POSITIVE, False, Confirmation.PENDING, True),
        (Outcome.POSITIVE, False, Confirmation.CONFIRMED, True),
        (Outcome.POSITIVE, False, Confirmation.NOT_CONFIRMED, False),  # lab overruled it
        (Outcome.NEGATIVE, False, Confirmation.NONE, False),
        (Outcome.INVALID, False, Confirmation.NONE, False),
    ],
)
def test_an_unexpected_positive_case_by_case(outcome, expected, confirmation, unexpected):
    line = ResultLine("cocaine", outcome, expected, confirmation)
    assert line.unexpected_positive is unexpected


def test_prescribed_medications_make_their_substances_expected():
    assert expected_substances(["buprenorphine", "", "amphetamines"]) == {
        "buprenorphine",
        "amphetamines",
    }
    assert BY_KEY["buprenorphine_naloxone"].detected_as == "buprenorphine"
    assert BY_KEY["methadone"].detected_as == "methadone"
    assert BY_KEY["lisdexamfetamine"].detected_as == "amphetamines"
    assert BY_KEY["sertraline"].detected_as == ""


STOPPED = date(2026, 11, 10)


@pytest.mark.parametrize(
    ("substance", "key", "days_after_stop", "explained"),
    [
        ("buprenorphine", "buprenorphine_naloxone", 0, True),  # the last dose's day
        ("buprenorphine", "buprenorphine_naloxone", 2, True),
        ("buprenorphine", "buprenorphine_naloxone", 7, True),
        ("buprenorphine", "buprenorphine_naloxone", 8, False),
        ("methadone", "methadone", 6, True),
        ("methadone", "methadone", 7, False),
        ("amphetamines", "lisdexamfetamine", 5, True),
        ("amphetamines", "lisdexamfetamine", 6, False),
        ("methylphenidate", "methylphenidate", 2, True),
        ("methylphenidate", "methylphenidate", 3, False),
        ("benzodiazepines", "lorazepam", 5, True),
        ("benzodiazepines", "lorazepam", 6, False),
        ("benzodiazepines", "diazepam", 30, True),  # long acting
        ("benzodiazepines", "diazepam", 31, False),
    ],
)
def test_a_stopped_medication_explains_a_positive_within_its_window(
    substance, key, days_after_stop, explained
):
    course = PrescribedCourse(substance, date(2026, 9, 1), STOPPED, key)
    assert explains_positive_on(course, STOPPED + timedelta(days_after_stop)) is explained


def test_every_substance_with_a_window_is_one_a_prescribed_drug_shows_as():
    shown = {drug.detected_as for drug in STARTER if drug.detected_as}
    assert set(DETECTION_WINDOW_DAYS) == shown
    assert detection_window_days("cocaine") == 0 and detection_window_days("nonsense") == 0


@settings(max_examples=60, deadline=None)
@given(
    start_offset=st.integers(-60, 60),
    stop_offset=st.one_of(st.none(), st.integers(0, 60)),
    day_offset=st.integers(-60, 120),
)
def test_the_window_rule_over_any_dates(start_offset, stop_offset, day_offset):
    base = date(2026, 6, 1)
    start = base + timedelta(start_offset)
    stop = None if stop_offset is None else start + timedelta(stop_offset)
    day = base + timedelta(day_offset)
    course = PrescribedCourse("buprenorphine", start, stop, "buprenorphine")
    expected = day >= start and (stop is None or (day - stop).days <= 7)
    assert explains_positive_on(course, day) is expected
    assert expected_from_courses([course], day) == ({"buprenorphine"} if expected else set())


def test_a_course_without_a_screen_substance_explains_nothing():
    course = PrescribedCourse("", date(2026, 1, 1), None, "sertraline")
    assert explains_positive_on(course, date(2026, 6, 1)) is False


def test_the_wording_is_clinical():
    text = unexpected_wording(["fentanyl", "cocaine"])
    assert text.startswith("Unexpected positive: Cocaine, Fentanyl.")
    assert "review with the patient" in text
    for word in ("dirty", "clean", "fail"):
        assert word not in text.lower()


def test_the_draw_is_reproducible_and_gives_each_patient_their_days():
    days = program_days(MONDAY, [0, 2, 4])
    assert days == [MONDAY, MONDAY + timedelta(2), MONDAY + timedelta(4)]
    first = draw_random_tests(seed="abc", eligible=[5, 3, 9], days=days, tests_per_week=2)
    again = draw_random_tests(
        seed="abc", eligible=[9, 5, 3], days=list(reversed(days)), tests_per_week=2
    )
    assert first == again
    for patient in (3, 5, 9):
        mine = [p.day for p in first if p.patient_id == patient]
        assert len(mine) == len(set(mine)) == 2 and set(mine) <= set(days)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.text(min_size=1, max_size=12),
    eligible=st.lists(st.integers(1, 500), max_size=20),
    weekdays=st.lists(st.integers(0, 6), min_size=1, max_size=7),
    per_week=st.integers(1, 5),
)
def test_the_draw_for_any_schedule(seed, eligible, weekdays, per_week):
    days = program_days(MONDAY, weekdays)
    picks = draw_random_tests(seed=seed, eligible=eligible, days=days, tests_per_week=per_week)
    assert {p.patient_id for p in picks} == set(eligible)
    for patient in set(eligible):
        mine = [p.day for p in picks if p.patient_id == patient]
        assert len(mine) == min(per_week, len(days)) == len(set(mine))
        assert all(MONDAY <= d <= MONDAY + timedelta(6) for d in mine)


def test_different_seeds_draw_differently():
    days = program_days(MONDAY, [0, 1, 2, 3, 4])
    draws = {
        tuple(draw_random_tests(seed=str(n), eligible=list(range(30)), days=days, tests_per_week=1))
        for n in range(5)
    }
    assert len(draws) == 5


@pytest.mark.parametrize(
    ("tests", "on", "days"),
    [
        ([], date(2026, 11, 30), None),
        ([TestDay(date(2026, 11, 1), False)], date(2026, 11, 30), 29),
        (
            [TestDay(date(2026, 11, 1), False), TestDay(date(2026, 11, 20), True)],
            date(2026, 11, 30),
            10,
        ),
        (
            [TestDay(date(2026, 11, 20), True), TestDay(date(2026, 11, 25), False)],
            date(2026, 11, 30),
            10,
        ),
        ([TestDay(date(2026, 11, 30), True)], date(2026, 11, 30), 0),
        ([TestDay(date(2026, 12, 5), True)], date(2026, 11, 30), None),  # after the day asked
    ],
)
def test_days_abstinent_case_by_case(tests, on, days):
    assert days_abstinent(tests, on) == days


def test_the_formulary_holds_the_addiction_medicines_and_valid_schedules():
    for key in (
        "buprenorphine",
        "buprenorphine_naloxone",
        "methadone",
        "naltrexone",
        "naltrexone_er",
        "acamprosate",
        "disulfiram",
        "nicotine",
        "varenicline",
    ):
        assert key in BY_KEY
    assert BY_KEY["methadone"].schedule == "II" and BY_KEY["buprenorphine"].schedule == "III"
    assert all(d.schedule in ("", *SCHEDULES) for d in STARTER)
    assert all(d.rxnorm and d.rxnorm.isdigit() for d in STARTER)
    assert len({d.key for d in STARTER}) == len(STARTER)
    assert starter_by_rxnorm("7243").key == "naltrexone"  # oral first, same ingredient


def _row(rxcui, tty, name, sab="RXNORM", suppress="N"):
    fields = [
        rxcui,
        "ENG",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        sab,
        tty,
        rxcui,
        name,
        "",
        suppress,
        "",
    ]
    return "|".join(fields) + "|\n"


def test_the_rrf_reader_keeps_rxnorm_ingredients_once():
    lines = [
        _row("36437", "IN", "sertraline"),
        _row("36437", "PIN", "sertraline again"),
        _row("82819", "IN", "acamprosate", suppress="O"),  # suppressed
        _row("1819", "IN", "buprenorphine", sab="MTHSPL"),  # another source
        _row("352364", "MIN", "buprenorphine / naloxone"),
        _row("999", "SCD", "a clinical drug"),
        "\n",
    ]
    concepts = list(concepts_from_rrf(lines))
    assert [(c.rxcui, c.name, c.term_type) for c in concepts] == [
        ("36437", "sertraline", "IN"),
        ("352364", "buprenorphine / naloxone", "MIN"),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [("36437|ENG|sertraline\n", "line 1: 3 fields"), (_row("abc", "IN", "x"), "line 1: RXCUI")],
)
def test_a_line_that_is_not_rxnconso_names_its_number(line, message):
    with pytest.raises(RrfError, match=message):
        list(concepts_from_rrf([line]))
