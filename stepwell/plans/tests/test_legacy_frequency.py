"""Reading the old free-text frequency into numbers (used by migration 0003)."""

import importlib

import pytest

from stepwell.plans.legacy_frequency import ParsedFrequency, parse_frequency_text
from stepwell.plans.models import Goal, Intervention, Problem, TreatmentPlan
from stepwell.testing.migrations import migrate


@pytest.mark.parametrize(
    ("text", "sessions", "minutes", "weeks"),
    [
        ("3 times a week, 3 hours", 3, 180, None),
        ("weekly, 50 minutes", 1, 50, None),
        ("twice a week for 8 weeks, 60 min", 2, 60, 8),
        ("90-minute session twice a week for 12 weeks", 2, 90, 12),
        ("weekly for 6 wks, 45 mins", 1, 45, 6),
        ("weekly x 10 weeks 60 minutes", 1, 60, 10),
        ("three times a week, 1.5 hours", 3, 90, None),
        ("3 hours a day, 3 days a week", 3, 180, None),
        ("2 times a week", 2, None, None),
        ("3x/week", 3, None, None),
        ("3x per week", 3, None, None),
        ("4 sessions/week", 4, None, None),
        ("twice weekly", 2, None, None),
        ("once a week", 1, None, None),
        ("weekly group module", 1, None, None),
        # not plain: left empty, never guessed
        ("daily", None, None, None),  # 5 or 7 days?
        ("as needed", None, None, None),
        ("every other week, 50 min", None, 50, None),
        ("biweekly", None, None, None),
        ("once a month", None, None, None),
        ("9 hours a week", None, None, None),  # a weekly total, not one session
        ("8 times a week", None, None, None),  # more than 7
        ("weekly, 10 hours", 1, None, None),  # more than 8 hours a session
        ("weekly for 60 weeks", 1, None, None),  # more than 52 weeks
        ("weekly, 30 or 60 minutes", 1, None, None),  # two amounts
        ("", None, None, None),
    ],
)
def test_parse_frequency_text(text, sessions, minutes, weeks):
    assert parse_frequency_text(text) == ParsedFrequency(sessions, minutes, weeks)


def test_complete_and_missing():
    assert parse_frequency_text("twice a week for 8 weeks, 60 min").complete is True
    parsed = parse_frequency_text("3 times a week, 3 hours")
    assert (parsed.complete, parsed.missing) == (False, ("duration_weeks",))


def test_migration_reads_old_text_and_flags_the_rest(migration_sandbox, clinic):
    """Migrate plans back to the schema before the data step, write old rows, migrate on."""
    migrate([("plans", "0002_structured_interventions_and_certification")])
    plan = TreatmentPlan.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        version=1,
        review_days=30,
        created_by=clinic.clinician_a,
    )
    goal = Goal.objects.create(
        problem=Problem.objects.create(plan=plan, statement="Low mood"),
        domain="mental_health",
        patient_words="Feel better",
        clinical_wording="Reduce symptoms",
    )
    texts = ["twice a week for 8 weeks, 60 min", "3 times a week, 3 hours", "as needed"]
    for text in texts:
        Intervention.objects.create(
            goal=goal,
            modality="group_therapy",
            legacy_frequency=text,
            responsible=clinic.clinician_a,
        )
    migrate([("plans", "0004_intervention_number_constraints")])
    rows = {
        i.legacy_frequency: (
            i.sessions_per_week,
            i.minutes_per_session,
            i.duration_weeks,
            i.needs_review,
        )
        for i in Intervention.objects.all()
    }
    assert rows == {
        "twice a week for 8 weeks, 60 min": (2, 60, 8, False),
        "3 times a week, 3 hours": (3, 180, None, True),
        "as needed": (None, None, None, True),
    }


def test_migration_uses_the_parser():
    module = importlib.import_module(
        "stepwell.plans.migrations.0003_interventions_from_frequency_text"
    )
    assert module.parse_frequency_text is parse_frequency_text


@pytest.mark.parametrize("text", ["weekly, 45-60 minutes", "twice a week, 1 to 2 hours"])
def test_a_range_of_minutes_is_not_plain(text):
    assert parse_frequency_text(text).minutes_per_session is None
