"""Signed means locked, in the database itself: triggers on SQLite and PostgreSQL.

A signed note, treatment plan version, intake assessment, discharge summary or aftercare
plan is never edited, and a milestone is never edited once written (docs/architecture.md,
"Where immutability is enforced"); corrections are addenda, plan changes a new version. The
services refuse first, with a message for the user; these triggers refuse every other SQL
path too (`QuerySet.update()`, raw SQL, a forgotten check), raising an error Django turns
into `IntegrityError`.

`SignedRecordGuard` (care/models/notes.py) stays: it turns an ORM `save()` of a signed note into
the user's message before the database is asked, and holds where the triggers are left
out (the test settings).

The tables are listed below as data (`LOCKED`, by app); the SQL for each engine is made
from the list. Three kinds of table:

- **signed**: a row is locked once its signature time is set (`signed_at`; an aftercare
  plan's `patient_signed_at`). Setting it on an unsigned row
  (signing) is allowed; after that every UPDATE (un-signing included) and DELETE is refused.
- **part of a signed record**: a row is locked while the record it belongs to is (a group
  note's sections and facilitators, a note's goal and objective links, a plan version's
  problems, their diagnoses, goals, objectives and interventions, an assessment's
  diagnoses and previous treatments, an aftercare plan's contacts, next appointments and
  support groups). Adding a row to a signed record, moving a row into
  one, changing or deleting one of its rows: refused.
- **append-only**: written after signing, never changed or removed: co-signatures,
  addenda, plan signatures, physician certifications, plan reviews, objective status
  updates, milestones. INSERT is always allowed.

What stays writable after signing, column by column: nothing on a locked row. Every later
fact is a new row, as the services write it:
- notes: `cosign_required` is fixed when signing; the co-signature is a new
  `care_notecosignature` row. `participant_count` and `facilitator_names` of a group note
  are frozen when it is signed. A participant marked absent keeps an unsigned section,
  locked with its signed group note. Corrections are `care_noteaddendum` rows.
- plans: `status`, `signed_at` and `requires_physician_signature` are set in the one
  UPDATE that signs; `review_days` never changes after creation. An objective's progress on
  a signed version is appended to `plans_objectivestatusupdate` (its own `status` keeps
  what was signed); reviews are `plans_planreview` rows, patient and physician signatures
  `plans_plansignature` rows, recertifications `plans_physiciancertification` rows; a
  revision is a new `plans_treatmentplan` row pointing at the signed one.
- assessments: `status`, `signed_by` and `signed_at` are set in the one UPDATE that signs;
  corrections are `intake_assessmentaddendum` rows.
- discharge summaries: `status`, `signed_by` and `signed_at` are set in the one UPDATE that
  signs (re-drafting the facts is for drafts only); corrections are
  `discharge_summaryaddendum` rows.
- aftercare plans: `status`, `patient_signed_at`, `signature_method` and
  `signature_recorded_by` are set in the one UPDATE that records the patient's signature;
  nothing changes after. A support group of the directory is switched off (its own row),
  never removed from a signed plan.
- milestones: a computed one is written once per episode and code, a recorded one once;
  neither is changed or removed (a mistaken recorded milestone stays, as the record of
  what was written).

PostgreSQL also refuses TRUNCATE of a table that holds a locked row, and each trigger takes
a share lock on the signed rows above the row it checks, so a write cannot slip in while
another transaction signs. SQLite has one writer at a time.

Installed by migrations (care 0003, plans 0005, intake 0005, discharge 0002,
milestones 0002). The test settings leave
them out (STEPWELL_SIGNED_RECORD_DB_TRIGGERS=False) because the test runner empties tables
between transactional tests; the tests of these triggers install them themselves.

A later migration that changes one of these tables makes SQLite rebuild it, which drops
the table's triggers and fails on the triggers of the tables that name it ("error in
trigger ...: no such table"). Such a migration lifts the app's triggers first and puts them back
after: `RunPython(remove, install)` before the change and `RunPython(install, remove)`
after, with the functions here (privacy/tests/test_signed_records.py migrates every app
forward with the triggers on and checks they are all there). Writing synthetic history
(the demo's backdated plans) goes through `signed_records_unlocked`, never clinical data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

NOTE = "a signed note is locked; add an addendum to correct it"
PLAN = "a signed treatment plan version is locked; start a revision to change it"
ASSESSMENT = "a signed intake assessment is locked; add an addendum to correct it"
SUMMARY = "a signed discharge summary is locked; add an addendum to correct it"
AFTERCARE = "an aftercare plan the patient signed is locked"
APPEND_ONLY = "is append-only: its rows are never changed or removed"
# Table and column names go into the SQL as written (hence the S608 waivers): plain
# identifiers only, checked when the list is built.
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def _identifiers(*names: str | None) -> None:
    for name in names:
        if name is not None and not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain SQL identifier: {name!r}")


@dataclass(frozen=True)
class Locked:
    """A table whose rows lock: by their own `signed_column`, by the record they are
    `part_of` (foreign-key column, table of that record), or both."""

    table: str
    message: str
    signed_column: str | None = None
    part_of: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        _identifiers(self.table, self.signed_column, *(self.part_of or ()))


@dataclass(frozen=True)
class AppendOnly:
    table: str

    def __post_init__(self) -> None:
        _identifiers(self.table)


LOCKED: dict[str, tuple[Locked | AppendOnly, ...]] = {
    "care": (
        Locked("care_groupnote", NOTE, signed_column="signed_at"),
        Locked("care_groupnote_facilitators", NOTE, part_of=("groupnote_id", "care_groupnote")),
        Locked(
            "care_clinicalnote",
            NOTE,
            signed_column="signed_at",
            part_of=("group_note_id", "care_groupnote"),
        ),
        Locked("care_clinicalnote_goals", NOTE, part_of=("clinicalnote_id", "care_clinicalnote")),
        Locked(
            "care_clinicalnote_objectives", NOTE, part_of=("clinicalnote_id", "care_clinicalnote")
        ),
        AppendOnly("care_notecosignature"),
        AppendOnly("care_noteaddendum"),
    ),
    "plans": (
        Locked("plans_treatmentplan", PLAN, signed_column="signed_at"),
        Locked("plans_problem", PLAN, part_of=("plan_id", "plans_treatmentplan")),
        Locked("plans_problem_diagnoses", PLAN, part_of=("problem_id", "plans_problem")),
        Locked("plans_goal", PLAN, part_of=("problem_id", "plans_problem")),
        Locked("plans_objective", PLAN, part_of=("goal_id", "plans_goal")),
        Locked("plans_intervention", PLAN, part_of=("goal_id", "plans_goal")),
        AppendOnly("plans_plansignature"),
        AppendOnly("plans_physiciancertification"),
        AppendOnly("plans_planreview"),
        AppendOnly("plans_objectivestatusupdate"),
    ),
    "intake": (
        Locked("intake_intakeassessment", ASSESSMENT, signed_column="signed_at"),
        Locked(
            "intake_assessmentdiagnosis",
            ASSESSMENT,
            part_of=("assessment_id", "intake_intakeassessment"),
        ),
        Locked(
            "intake_previoustreatment",
            ASSESSMENT,
            part_of=("assessment_id", "intake_intakeassessment"),
        ),
        AppendOnly("intake_assessmentaddendum"),
    ),
    "discharge": (
        Locked("discharge_dischargesummary", SUMMARY, signed_column="signed_at"),
        AppendOnly("discharge_summaryaddendum"),
        Locked("discharge_aftercareplan", AFTERCARE, signed_column="patient_signed_at"),
        Locked(
            "discharge_aftercareplan_support_groups",
            AFTERCARE,
            part_of=("aftercareplan_id", "discharge_aftercareplan"),
        ),
        Locked(
            "discharge_aftercarecontact", AFTERCARE, part_of=("plan_id", "discharge_aftercareplan")
        ),
        Locked(
            "discharge_aftercareappointment",
            AFTERCARE,
            part_of=("plan_id", "discharge_aftercareplan"),
        ),
    ),
    "milestones": (AppendOnly("milestones_milestone"),),
}
_BY_TABLE = {spec.table: spec for specs in LOCKED.values() for spec in specs}


def refusal_message(spec: Locked | AppendOnly) -> str:
    """What the database says when it refuses a write to the table."""
    if isinstance(spec, AppendOnly):
        return f"{spec.table} {APPEND_ONLY}"
    return f"{spec.table}: {spec.message}"


# --- conditions, in SQL both engines read --------------------------------------------------


def _locked(table: str, row: str, depth: int = 0) -> str:
    """True when the row (`NEW`, `OLD` or an alias) is signed or part of a signed record."""
    spec = _BY_TABLE[table]
    conditions = []
    if spec.signed_column:
        conditions.append(f"{row}.{spec.signed_column} IS NOT NULL")
    if spec.part_of:
        conditions.append(_record_locked(spec, row, depth))
    return "(" + " OR ".join(conditions) + ")"


def _record_locked(spec: Locked, row: str, depth: int = 0) -> str:
    """True when the record the row belongs to is locked."""
    column, parent = spec.part_of
    alias = f"r{depth + 1}"
    return (
        f"EXISTS (SELECT 1 FROM {parent} AS {alias} WHERE {alias}.id = {row}.{column}"  # noqa: S608
        f" AND {_locked(parent, alias, depth + 1)})"
    )


def _key_of(spec: Locked, row: str) -> Iterator[tuple[Locked, str]]:
    """Each signed table above the row, with the SQL for the id of the row's record in it."""
    key = f"{row}.{spec.part_of[0]}"
    parent = _BY_TABLE[spec.part_of[1]]
    while True:
        if parent.signed_column:
            yield parent, key
        if not parent.part_of:
            return
        key = f"(SELECT {parent.part_of[0]} FROM {parent.table} WHERE id = {key})"  # noqa: S608
        parent = _BY_TABLE[parent.part_of[1]]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_trigger(table: str, operation: str, when: str | None, message: str) -> str:
    condition = f" WHEN {when}" if when else ""
    return (
        f"CREATE TRIGGER {table}_locked_{operation.lower()} BEFORE {operation} ON {table} "
        f"FOR EACH ROW{condition} BEGIN SELECT RAISE(ABORT, {_quoted(message)}); END;"
    )


def _sqlite(spec: Locked | AppendOnly) -> list[str]:
    message = refusal_message(spec)
    if isinstance(spec, AppendOnly):
        return [_sqlite_trigger(spec.table, op, None, message) for op in ("UPDATE", "DELETE")]
    old = _locked(spec.table, "OLD")
    statements = [
        _sqlite_trigger(
            spec.table,
            "UPDATE",
            f"{old} OR {_record_locked(spec, 'NEW')}" if spec.part_of else old,
            message,
        ),
        _sqlite_trigger(spec.table, "DELETE", old, message),
    ]
    if spec.part_of:
        statements.append(
            _sqlite_trigger(spec.table, "INSERT", _record_locked(spec, "NEW"), message)
        )
    return statements


def _sqlite_names(spec: Locked | AppendOnly) -> list[str]:
    operations = ["update", "delete"]
    if isinstance(spec, Locked) and spec.part_of:
        operations.append("insert")
    return [f"{spec.table}_locked_{op}" for op in operations]


# --- PostgreSQL ----------------------------------------------------------------------------


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION {_quoted(message)} USING ERRCODE = 'restrict_violation';"


def _share_locks(spec: Locked, row: str) -> str:
    """Wait for a transaction that is signing the record above the row, then check."""
    if not spec.part_of:
        return ""
    return " ".join(
        f"PERFORM 1 FROM {parent.table} WHERE id = {key} FOR SHARE;"
        for parent, key in _key_of(spec, row)
    )


def _postgres_row_function(spec: Locked | AppendOnly) -> str:
    message = refusal_message(spec)
    if isinstance(spec, AppendOnly):
        body = _raise(message)
    else:
        body = (
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_share_locks(spec, 'OLD')}"
            f" IF {_locked(spec.table, 'OLD')} THEN {_raise(message)} END IF; END IF;"
        )
        if spec.part_of:
            body += (
                f" IF TG_OP IN ('INSERT', 'UPDATE') THEN {_share_locks(spec, 'NEW')}"
                f" IF {_record_locked(spec, 'NEW')} THEN {_raise(message)} END IF; END IF;"
            )
        body += " IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
    return (
        f"CREATE OR REPLACE FUNCTION {spec.table}_locked() RETURNS trigger AS $$ "
        f"BEGIN {body} END; $$ LANGUAGE plpgsql;"
    )


def _postgres_truncate_function(spec: Locked | AppendOnly) -> str:
    locked = "TRUE" if isinstance(spec, AppendOnly) else _locked(spec.table, "r0")
    return (
        f"CREATE OR REPLACE FUNCTION {spec.table}_locked_truncate() RETURNS trigger AS $$ "  # noqa: S608
        f"BEGIN IF EXISTS (SELECT 1 FROM {spec.table} AS r0 WHERE {locked}) THEN "
        f"{_raise(refusal_message(spec))} END IF; RETURN NULL; END; $$ LANGUAGE plpgsql;"
    )


def _postgres(spec: Locked | AppendOnly) -> list[str]:
    events = "UPDATE OR DELETE"
    if isinstance(spec, Locked) and spec.part_of:
        events = "INSERT OR UPDATE OR DELETE"
    return [
        _postgres_row_function(spec),
        _postgres_truncate_function(spec),
        f"CREATE TRIGGER {spec.table}_locked BEFORE {events} ON {spec.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {spec.table}_locked();",
        f"CREATE TRIGGER {spec.table}_locked_truncate BEFORE TRUNCATE ON {spec.table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {spec.table}_locked_truncate();",
    ]


def _postgres_names(spec: Locked | AppendOnly) -> list[str]:
    return [f"{spec.table}_locked", f"{spec.table}_locked_truncate"]


def _postgres_drop(spec: Locked | AppendOnly) -> list[str]:
    return [
        *[f"DROP TRIGGER IF EXISTS {name} ON {spec.table};" for name in _postgres_names(spec)],
        *[f"DROP FUNCTION IF EXISTS {name}();" for name in _postgres_names(spec)],
    ]


# --- installing ----------------------------------------------------------------------------


def trigger_names(vendor: str, app_label: str) -> set[str]:
    """The triggers the app's list installs on this engine."""
    names = {"sqlite": _sqlite_names, "postgresql": _postgres_names}.get(vendor)
    if names is None:
        return set()
    return {name for spec in LOCKED[app_label] for name in names(spec)}


def installed_trigger_names(connection) -> set[str]:
    """Every trigger in the database (PostgreSQL: not the ones behind foreign keys)."""
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
        "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    }.get(connection.vendor)
    if query is None:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {name for (name,) in cursor.fetchall()}


def remove_signed_record_triggers(connection, app_label: str) -> None:
    specs = LOCKED[app_label]
    if connection.vendor == "sqlite":
        statements = [
            f"DROP TRIGGER IF EXISTS {name};" for spec in specs for name in _sqlite_names(spec)
        ]
    elif connection.vendor == "postgresql":
        statements = [statement for spec in specs for statement in _postgres_drop(spec)]
    else:
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_signed_record_triggers(connection, app_label: str) -> None:
    """Install (or reinstall, replacing what is there) the app's triggers."""
    builder = {"sqlite": _sqlite, "postgresql": _postgres}.get(connection.vendor)
    if builder is None:
        return
    remove_signed_record_triggers(connection, app_label)
    with connection.cursor() as cursor:
        for spec in LOCKED[app_label]:
            for statement in builder(spec):
                cursor.execute(statement)


@contextmanager
def signed_records_unlocked(connection, app_label: str) -> Iterator[None]:
    """Lift the app's triggers for the block and put back what was there, all in one
    transaction (an error rolls the lifting back too). Only for writing synthetic history
    (the demo)."""
    expected = trigger_names(connection.vendor, app_label)
    with transaction.atomic(using=connection.alias):
        installed = bool(expected) and expected <= installed_trigger_names(connection)
        if installed:
            remove_signed_record_triggers(connection, app_label)
        yield
        if installed:
            install_signed_record_triggers(connection, app_label)
