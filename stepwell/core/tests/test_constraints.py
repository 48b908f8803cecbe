"""Check constraints validated in one query (stepwell.core.constraints) say exactly what
Django's own validation says, on both engines, and ask the database once."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.alumni.models import AlumniEvent
from stepwell.billing.models import Payer
from stepwell.core import constraints

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


def test_a_failing_query_falls_back_to_django_one_constraint_at_a_time(monkeypatch):
    from django.db import DatabaseError
    from django.db.models.sql.compiler import SQLCompiler

    real = SQLCompiler.execute_sql
    calls = []

    def failing_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseError("synthetic failure")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", failing_once)
    payer = Payer(name="Synthetic", kind="nonsense", min_days=8)
    assert _errors(constraints.validate_constraints, payer) == {
        "__all__": [
            "Constraint “payer_kind_valid” is violated.",
            "Constraint “payer_min_days_week” is violated.",
        ]
    }
    assert len(calls) == 1 + len(Payer._meta.constraints)


def test_installed_on_every_stepwell_model_with_a_check_constraint():
    with_checks = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("stepwell.")
        and any(type(c) is models.CheckConstraint for c in model._meta.constraints)
    ]
    assert len(with_checks) > 50
    for model in with_checks:
        assert model.validate_constraints is constraints.validate_constraints, model
    untouched = apps.get_model("auth", "Group")
    assert untouched.validate_constraints is models.Model.validate_constraints
