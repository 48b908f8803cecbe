"""Check and unique constraints validated in one query (stepwell.core.constraints) say
exactly what Django's own validation says, on both engines, and ask the database once."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.accounts.models import RoleAssignment
from stepwell.alumni.models import AlumniEvent
from stepwell.billing.models import Payer
from stepwell.core import constraints
from stepwell.patients.models import Episode, EpisodeState
from stepwell.testing.factories import EpisodeFactory, ProgramFactory, UserFactory
from stepwell.testing.kept import compiles

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _errors(validate, instance, exclude=None) -> dict | None:
    try:
        validate(instance, exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return None


def _django(instance, exclude=None):
    return models.Model.validate_constraints(instance, exclude=exclude)


def _same_as_django(instance, exclude=None) -> dict | None:
    ours = _errors(constraints.validate_constraints, instance, exclude)
    assert ours == _errors(_django, instance, exclude)
    return ours


some_text = st.sampled_from(["", "x", "in_person", "video", "once", "weekly", "monthly"])
exclusions = st.none() | st.sets(st.sampled_from(["format", "place", "recurrence", "pk"]))


@SETTINGS
@given(
    format_=some_text,
    recurrence=some_text,
    place=st.sampled_from(["", "Room 2"]),
    video_url=st.sampled_from(["", "https://video.example/alumni"]),
    repeats_until=st.none() | st.just(date(2027, 3, 1)),
    duration=st.none() | st.integers(min_value=0, max_value=600),  # NULL: unknown passes
    exclude=exclusions,
)
def test_alumni_events_are_judged_as_django_judges_them(
    format_, recurrence, place, video_url, repeats_until, duration, exclude
):
    event = AlumniEvent(
        format=format_,
        recurrence=recurrence,
        place=place,
        video_url=video_url,
        repeats_until=repeats_until,
        duration_minutes=duration,
    )
    _same_as_django(event, exclude)


@SETTINGS
@given(
    kind=st.sampled_from(["commercial", "medicare", "nonsense"]),
    min_days=st.none() | st.integers(min_value=0, max_value=9),
    day_counts=st.integers(min_value=0, max_value=3),
    services=st.integers(min_value=0, max_value=3),
)
def test_payers_are_judged_as_django_judges_them(kind, min_days, day_counts, services):
    payer = Payer(
        name="Synthetic payer",
        kind=kind,
        min_days=min_days,
        day_counts_from_minutes=day_counts,
        billable_day_services=services,
    )
    _same_as_django(payer)


def test_every_broken_rule_is_named_in_the_order_declared():
    payer = Payer(name="Synthetic", kind="nonsense", hours_rule="nonsense", min_days=8)
    payer.day_counts_from_minutes = 0
    payer.claim_method = "nonsense"
    payer.billable_day_services = 0
    errors = _same_as_django(payer)
    assert errors is not None
    names = [c.name for c in Payer._meta.constraints]
    assert errors["__all__"] == [f"Constraint “{name}” is violated." for name in names]


def test_a_record_within_the_rules_passes():
    event = AlumniEvent(
        format="video",
        video_url="https://video.example/alumni",
        recurrence="weekly",
        repeats_until=date(2027, 3, 1),
        duration_minutes=60,
    )
    assert _same_as_django(event) is None


def test_six_check_constraints_take_one_query_not_six():
    payer = Payer(name="Synthetic", kind="commercial", min_days=3)
    with CaptureQueriesContext(connection) as ours:
        constraints.validate_constraints(payer)
    with CaptureQueriesContext(connection) as djangos:
        _django(payer)
    selects = [q["sql"] for q in ours.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1
    assert len(ours.captured_queries) * 6 == len(djangos.captured_queries)


def test_a_failing_query_falls_back_to_django_one_constraint_at_a_time():
    from django.db import DatabaseError

    selects = []

    def failing_once(execute, sql, params, many, context):
        if sql.startswith("SELECT"):
            selects.append(sql)
            if len(selects) == 1:
                raise DatabaseError("synthetic failure")
        return execute(sql, params, many, context)

    payer = Payer(name="Synthetic", kind="nonsense", min_days=8)
    with connection.execute_wrapper(failing_once):
        errors = _errors(constraints.validate_constraints, payer)
    assert errors == {
        "__all__": [
            "Constraint “payer_kind_valid” is violated.",
            "Constraint “payer_min_days_week” is violated.",
        ]
    }
    assert len(selects) == 1 + len(Payer._meta.constraints)


def _stepwell_models_with(kind) -> list:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("stepwell.")
        and any(type(c) is kind for c in model._meta.constraints)
    ]


@pytest.mark.parametrize(
    ("kind", "at_least"), [(models.CheckConstraint, 50), (models.UniqueConstraint, 30)]
)
def test_installed_on_every_stepwell_model_with_a_check_or_unique_constraint(kind, at_least):
    with_kind = _stepwell_models_with(kind)
    assert len(with_kind) > at_least
    for model in with_kind:
        assert model.validate_constraints is constraints.validate_constraints, model
    untouched = apps.get_model("auth", "Group")
    assert untouched.validate_constraints is models.Model.validate_constraints


# -- unique constraints ---------------------------------------------------------------------


@pytest.fixture
def roles_held():
    """Two staff and two programs; the first holds clinician in A and administrator (no
    program), the second director in B: every unique constraint of RoleAssignment has a
    row it could collide with."""
    first, second = UserFactory(), UserFactory()
    program_a, program_b = ProgramFactory(), ProgramFactory()
    held = [
        RoleAssignment.objects.create(user=first, role="clinician", program=program_a),
        RoleAssignment.objects.create(user=first, role="administrator", program=None),
        RoleAssignment.objects.create(user=second, role="program_director", program=program_b),
    ]
    return {"users": (first, second), "programs": (program_a, program_b, None), "held": held}


@SETTINGS
@given(
    user=st.sampled_from([0, 1]),
    role=st.sampled_from(["clinician", "administrator", "program_director", "nonsense"]),
    program=st.sampled_from([0, 1, 2]),
    existing=st.none() | st.sampled_from([0, 1, 2]),
    exclude=st.none() | st.sets(st.sampled_from(["user", "role", "program", "pk"])),
)
def test_role_assignments_are_judged_as_django_judges_them(
    roles_held, user, role, program, existing, exclude
):
    """New rows and edits of stored ones (which must not collide with themselves), with
    and without a program (the conditional constraint), some fields excluded."""
    if existing is None:
        record = RoleAssignment()
    else:
        record = RoleAssignment.objects.get(pk=roles_held["held"][existing].pk)
    record.user = roles_held["users"][user]
    record.role = role
    record.program = roles_held["programs"][program]
    _same_as_django(record, exclude)


def test_a_duplicate_role_gets_djangos_message_on_its_fields(roles_held):
    first = roles_held["users"][0]
    duplicate = RoleAssignment(user=first, role="clinician", program=roles_held["programs"][0])
    errors = _same_as_django(duplicate)
    assert errors == {
        "__all__": ["Role assignment with this User, Role and Program already exists."]
    }
    again = RoleAssignment(user=first, role="administrator", program=None)
    assert _same_as_django(again) == {
        "__all__": ["Constraint “role_assignment_unique_without_program” is violated."]
    }


@SETTINGS
@given(
    state=st.sampled_from(list(EpisodeState.values)),
    same_program=st.booleans(),
    edit=st.booleans(),
)
def test_episodes_one_open_per_program_as_django_judges_it(state, same_program, edit):
    """The conditional constraint (at most one episode a patient and program that is not
    discharged), new and edited, open and discharged."""
    stored = EpisodeFactory(state=EpisodeState.ACTIVE)
    program = stored.program if same_program else ProgramFactory()
    if edit:
        record = EpisodeFactory(patient=stored.patient, program=ProgramFactory())
        record.program = program
    else:
        record = Episode(patient=stored.patient, program=program, referred_on=date(2026, 11, 2))
    record.state = state
    _same_as_django(record)


def test_checks_and_uniques_take_one_query(roles_held):
    """Two check constraints and two unique ones (one conditional): one SELECT, where
    Django asks four times (and three statements for each inside a transaction)."""
    record = RoleAssignment(
        user=roles_held["users"][1], role="clinician", program=roles_held["programs"][0]
    )
    with CaptureQueriesContext(connection) as ours:
        assert _errors(constraints.validate_constraints, record) is None
    with CaptureQueriesContext(connection) as djangos:
        assert _errors(_django, record) is None
    selects = [q["sql"] for q in ours.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1
    assert all(f"_stepwell_unique_{n}" in selects[0] for n in (0, 1))
    assert "EXISTS" in selects[0]
    assert len(djangos.captured_queries) >= 3 * len(ours.captured_queries)


def test_a_stored_record_does_not_collide_with_itself(roles_held):
    """Edited, a stored row is left out of its own unique check: one SELECT, no second
    asking of Django's (which a seeming collision would cost)."""
    stored = RoleAssignment.objects.get(pk=roles_held["held"][0].pk)
    with CaptureQueriesContext(connection) as ours:
        assert _errors(constraints.validate_constraints, stored) is None
    assert len([q for q in ours.captured_queries if q["sql"].startswith("SELECT")]) == 1


def test_a_record_of_a_shape_already_seen_reuses_its_query_with_its_own_values(
    roles_held, monkeypatch
):
    """The second record of the same model, state and empty values is asked with the kept
    SQL (no compiling) and its own values: a clash the first did not have is found."""
    users, programs = roles_held["users"], roles_held["programs"]
    fine = RoleAssignment(user=users[1], role="clinician", program=programs[0])
    clash = RoleAssignment(user=users[0], role="clinician", program=programs[0])
    expected = _errors(_django, clash)
    assert expected is not None
    assert _errors(constraints.validate_constraints, fine) is None  # kept from here on
    compiled = compiles(monkeypatch)
    with CaptureQueriesContext(connection) as asked:
        assert _errors(constraints.validate_constraints, fine) is None
    assert compiled == []
    assert len([q for q in asked.captured_queries if q["sql"].startswith("SELECT")]) == 1
    # The clash: the kept query says so (no compiling), then Django's own validate gives
    # the message (and compiles its own query, as it always does).
    assert _errors(constraints.validate_constraints, clash) == expected
    assert compiled and all(model is RoleAssignment for model in compiled)


def test_an_empty_value_is_a_shape_of_its_own():
    """NULL is compiled as a literal, not a parameter: a payer without a minimum of days
    gets a query of its own, and both are judged as Django judges them."""
    for min_days in (3, None, 8, None, 2):
        _same_as_django(Payer(name="Synthetic", kind="commercial", min_days=min_days))


def test_a_field_set_to_an_expression_is_asked_but_not_kept():
    """A record whose field holds an expression is asked as Django asks it, and the next
    plain record of its shape does not get the expression's SQL."""
    stored = Payer.objects.create(name="Synthetic", kind="commercial", min_days=5)
    stored.min_days = models.Value(8)  # past a week's five days
    assert _same_as_django(stored) is not None
    for min_days in (4, 8):
        plain = Payer.objects.get(pk=stored.pk)
        plain.min_days = min_days
        assert (_same_as_django(plain) is None) is (min_days == 4)
