"""The signed-record triggers as a whole: the list matches the models, the migrations
install them and their reverses remove them, every later migration keeps them, and on
PostgreSQL TRUNCATE is refused and a write waits for a signing in progress.

The refusals table by table are tested beside each app: care/tests/
test_signed_note_triggers.py, plans/tests/test_signed_plan_triggers.py, intake/tests/
test_signed_assessment_triggers.py, discharge/tests/test_signed_document_triggers.py and
milestones/tests/test_milestone_triggers.py.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from stepwell.plans.models import PlanReview, Problem, TreatmentPlan
from stepwell.privacy.signed_records import (
    LOCKED,
    AppendOnly,
    Locked,
    install_signed_record_triggers,
    installed_trigger_names,
    refusal_message,
    remove_signed_record_triggers,
    trigger_names,
)
from stepwell.testing.migrations import leaf_nodes, migrate
from stepwell.testing.threads import second_waits_for_first

from .signed import SPECS, raw, refused

MIGRATIONS = {  # app: (the migration before, the migration that installs)
    "care": ("0002_payer_rule_moved_to_billing", "0003_signed_notes_locked_in_database"),
    "plans": ("0004_intervention_number_constraints", "0005_signed_plans_locked_in_database"),
    "intake": ("0004_diagnosis_code_set", "0005_signed_assessments_locked_in_database"),
    "discharge": (
        "0001_discharge_summaries_aftercare_plans",
        "0002_signed_documents_locked_in_database",
    ),
    "milestones": ("0001_milestones_and_sharing", "0002_milestones_locked_in_database"),
}


def _tables(app_label: str) -> dict[str, type[models.Model]]:
    """Every table of the app, its many-to-many tables included."""
    tables = {}
    for model in apps.get_app_config(app_label).get_models():
        tables[model._meta.db_table] = model
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            tables[through._meta.db_table] = through
    return tables


def _field_by_column(model, column: str):
    return next(f for f in model._meta.concrete_fields if f.column == column)


@pytest.mark.parametrize("app_label", sorted(LOCKED))
def test_every_listed_table_and_column_is_in_the_models(app_label):
    tables = _tables(app_label)
    for spec in LOCKED[app_label]:
        assert spec.table in tables, spec.table
        model = tables[spec.table]
        if isinstance(spec, Locked) and spec.signed_column:
            assert isinstance(_field_by_column(model, spec.signed_column), models.DateTimeField)
        if isinstance(spec, Locked) and spec.part_of:
            column, parent = spec.part_of
            field = _field_by_column(model, column)
            assert field.related_model._meta.db_table == parent, spec.table
            assert isinstance(SPECS[parent], Locked) and parent in tables


def test_every_model_with_a_signature_time_is_listed():
    """A new signed table, or a signature row, cannot be added and forgotten here."""
    signed = {
        model._meta.db_table
        for label in LOCKED
        for model in apps.get_app_config(label).get_models()
        if any(f.name.endswith("signed_at") for f in model._meta.concrete_fields)
    }
    assert signed == {
        "care_groupnote",
        "care_clinicalnote",
        "care_notecosignature",
        "discharge_aftercareplan",
        "discharge_dischargesummary",
        "intake_intakeassessment",
        "plans_treatmentplan",
        "plans_plansignature",
    }
    assert signed <= set(SPECS)


def test_messages_name_the_table_and_what_to_do_instead():
    assert refusal_message(SPECS["care_clinicalnote"]) == (
        "care_clinicalnote: a signed note is locked; add an addendum to correct it"
    )
    assert refusal_message(SPECS["plans_goal"]) == (
        "plans_goal: a signed treatment plan version is locked; start a revision to change it"
    )
    assert refusal_message(SPECS["plans_plansignature"]) == (
        "plans_plansignature is append-only: its rows are never changed or removed"
    )


def test_a_name_that_is_not_a_plain_identifier_is_refused():
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        AppendOnly("care_noteaddendum; DROP TABLE care_groupnote")
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        Locked("plans_goal", "x", part_of=("problem_id", "plans_problem WHERE 1=1"))


def test_installing_twice_replaces_and_removing_leaves_other_triggers(db):
    for app_label in LOCKED:
        install_signed_record_triggers(connection, app_label)
        install_signed_record_triggers(connection, app_label)
    everything = set().union(*(trigger_names(connection.vendor, a) for a in LOCKED))
    assert len(everything) == sum(len(trigger_names(connection.vendor, a)) for a in LOCKED)
    assert everything <= installed_trigger_names(connection)
    remove_signed_record_triggers(connection, "plans")
    left = installed_trigger_names(connection)
    assert not trigger_names(connection.vendor, "plans") & left
    assert (
        trigger_names(connection.vendor, "care") | trigger_names(connection.vendor, "intake")
        <= left
    )


# --- the migrations ------------------------------------------------------------------------


def _installed(app_label: str) -> set[str]:
    return trigger_names(connection.vendor, app_label) & installed_trigger_names(connection)


@pytest.fixture
def migrations_with_triggers(migration_sandbox, settings):
    """Migrations run as in production (triggers on); migration_sandbox leaves the database
    as it was, at its latest migration without the triggers, as the other tests expect."""
    settings.STEPWELL_SIGNED_RECORD_DB_TRIGGERS = True
    yield
    settings.STEPWELL_SIGNED_RECORD_DB_TRIGGERS = False


@pytest.mark.parametrize("app_label", sorted(MIGRATIONS))
def test_the_migration_installs_the_triggers_and_its_reverse_removes_them(
    app_label, migrations_with_triggers
):
    before, installing = MIGRATIONS[app_label]
    expected = trigger_names(connection.vendor, app_label)
    assert expected and _installed(app_label) == set()  # the test settings leave them out
    migrate([(app_label, before)])
    migrate([(app_label, installing)])
    assert _installed(app_label) == expected
    migrate([(app_label, before)])
    assert _installed(app_label) == set()
    migrate([(app_label, installing)])
    assert _installed(app_label) == expected


def test_every_later_migration_keeps_the_triggers(migrations_with_triggers):
    """From before the triggers to the latest migration of every app: a later migration
    that rebuilds a listed table on SQLite (dropping its triggers) fails this test until it
    lifts and reinstalls them, as privacy/signed_records.py says."""
    migrate([(app_label, before) for app_label, (before, _) in MIGRATIONS.items()])
    assert all(_installed(app_label) == set() for app_label in LOCKED)
    migrate(leaf_nodes())
    for app_label in LOCKED:
        assert _installed(app_label) == trigger_names(connection.vendor, app_label), app_label


def test_with_the_switch_off_the_migrations_install_nothing(migrations_with_triggers, settings):
    settings.STEPWELL_SIGNED_RECORD_DB_TRIGGERS = False
    migrate([(app_label, before) for app_label, (before, _) in MIGRATIONS.items()])
    migrate(leaf_nodes())
    assert all(_installed(app_label) == set() for app_label in LOCKED)


# --- PostgreSQL only -----------------------------------------------------------------------


def _plan(clinic, *, signed: bool) -> TreatmentPlan:
    """A plan version written directly (inserting a signed row is not editing one)."""
    return TreatmentPlan.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        version=1 if signed else 2,
        status="signed" if signed else "draft",
        signed_at=timezone.now() if signed else None,
        review_days=30,
        created_by=clinic.clinician_a,
    )


@pytest.mark.postgres
def test_truncate_is_refused_while_a_table_holds_a_locked_row(on_postgres, clinic):
    draft = _plan(clinic, signed=False)
    Problem.objects.create(plan=draft, statement="Draft problem")
    install_signed_record_triggers(connection, "plans")
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred foreign-key check
    raw("TRUNCATE plans_problem CASCADE")  # nothing locked: allowed
    assert not Problem.objects.exists()
    signed = _plan(clinic, signed=True)
    remove_signed_record_triggers(connection, "plans")
    Problem.objects.create(plan=signed, statement="Signed problem")
    PlanReview.objects.create(
        plan=signed,
        reviewed_on=timezone.localdate(),
        outcome="continue",
        note="Fine",
        reviewer=clinic.clinician_a,
    )
    install_signed_record_triggers(connection, "plans")
    refused("plans_problem", lambda: raw("TRUNCATE plans_problem CASCADE"))
    refused("plans_planreview", lambda: raw("TRUNCATE plans_planreview"))
    assert Problem.objects.filter(plan=signed).count() == 1
    assert PlanReview.objects.count() == 1


@pytest.fixture
def committed_plan_triggers(on_postgres, transactional_db):
    """Installed for the other connections to see; removed before the tables are emptied."""
    install_signed_record_triggers(connection, "plans")
    yield
    remove_signed_record_triggers(connection, "plans")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_waits_for_a_signing_in_progress_and_is_then_refused(
    clinic, committed_plan_triggers
):
    """Without the share lock the insert would read the draft as it was before the other
    transaction commits, and land in a version that is signed a moment later."""
    draft = _plan(clinic, signed=False)
    outcome: dict[str, object] = {}

    def sign(signing, release) -> None:
        with transaction.atomic():
            TreatmentPlan.objects.filter(pk=draft.pk).update(
                status="signed", signed_at=timezone.now()
            )
            signing.set()
            release.wait(10)

    def add_problem() -> None:
        try:
            with transaction.atomic():
                Problem.objects.create(plan_id=draft.pk, statement="Slipped in")
            outcome["added"] = True
        except IntegrityError as error:
            outcome["error"] = str(error)

    second_waits_for_first(
        sign, add_problem, message="the insert did not wait for the signing transaction"
    )
    assert outcome == {"error": outcome.get("error")}
    assert refusal_message(SPECS["plans_problem"]) in outcome["error"]
    assert not Problem.objects.exists()
