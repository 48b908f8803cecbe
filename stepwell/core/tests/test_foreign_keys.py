"""Foreign keys validated together (stepwell.core.foreign_keys) say exactly what Django's
own field validation says, on both engines, and look their targets up in one query."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.care.models import ClinicalNote
from stepwell.core import foreign_keys

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

MISSING = 987_654_321

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _errors(clean, instance, exclude=None) -> dict | None:
    try:
        clean(instance, exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return None


def _same_as_django(build, exclude=None) -> dict | None:
    """Both validations of two copies of one record: the same errors, in the same order,
    and the same values left on the record."""
    ours_record, djangos_record = build(), build()
    ours = _errors(foreign_keys.clean_fields, ours_record, exclude)
    djangos = _errors(models.Model.clean_fields, djangos_record, exclude)
    assert ours == djangos
    assert list(ours or {}) == list(djangos or {})
    fields = [f.attname for f in ClinicalNote._meta.fields]
    assert [getattr(ours_record, f) for f in fields] == [getattr(djangos_record, f) for f in fields]
    return ours


def _id(choice: str, real: int):
    return {
        "real": real,
        "missing": MISSING,
        "none": None,
        "text": str(real),
        "past 64 bits": 2**63,
        "forty digits": 10**39,
    }[choice]


@SETTINGS
@given(
    patient=st.sampled_from(["real", "missing", "none", "text", "past 64 bits", "forty digits"]),
    author=st.sampled_from(["real", "missing", "none"]),
    group_note=st.sampled_from(["missing", "none"]),
    kind=st.sampled_from(["individual", "group", "nonsense"]),
    exclude=st.none() | st.sets(st.sampled_from(["patient", "author", "kind"])),
)
def test_notes_are_judged_as_django_judges_them(clinic, patient, author, group_note, kind, exclude):
    def build():
        return ClinicalNote(
            kind=kind,
            patient_id=_id(patient, clinic.patient_a.pk),
            author_id=_id(author, clinic.clinician_a.pk),
            group_note_id=_id(group_note, 0),
        )

    _same_as_django(build, exclude)


def test_every_missing_target_is_named_on_its_field(clinic):
    errors = _same_as_django(
        lambda: ClinicalNote(
            kind="individual",
            patient_id=MISSING,
            author_id=MISSING,
            group_note_id=MISSING,
            appointment_id=MISSING,
        )
    )
    assert errors is not None
    assert list(errors) == ["patient", "author", "group_note", "appointment"]
    assert errors["patient"] == [f"patient instance with id {MISSING} is not a valid choice."]


def test_four_targets_take_one_query_not_four(clinic):
    note = ClinicalNote(
        kind="individual",
        patient_id=clinic.patient_a.pk,
        author_id=clinic.clinician_a.pk,
        group_note_id=MISSING,
        appointment_id=MISSING,
    )
    with CaptureQueriesContext(connection) as ours:
        _errors(foreign_keys.clean_fields, note)
    with CaptureQueriesContext(connection) as djangos:
        _errors(models.Model.clean_fields, note)
    assert len(ours.captured_queries) == 1
    assert len(djangos.captured_queries) == 4


def test_a_failing_query_falls_back_to_django_one_key_at_a_time(clinic, monkeypatch):
    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    real = CursorWrapper.execute
    statements = []

    def failing_once(self, sql, params=None):
        statements.append(sql)
        if len(statements) == 1:
            raise DatabaseError("synthetic failure")
        return real(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", failing_once)
    note = ClinicalNote(kind="individual", patient_id=MISSING, author_id=clinic.clinician_a.pk)
    assert _errors(foreign_keys.clean_fields, note) == {
        "patient": [f"patient instance with id {MISSING} is not a valid choice."]
    }
    assert statements[0].startswith("SELECT EXISTS(")
    assert len(statements) == 1 + 2  # then Django's lookup, once per key


def test_installed_on_every_stepwell_model_with_two_foreign_keys():
    def keys(model):
        return [
            f
            for f in model._meta.fields
            if isinstance(f, models.ForeignKey) and not f.remote_field.parent_link
        ]

    ours = [m for m in apps.get_models() if m.__module__.startswith("stepwell.")]
    with_two = [m for m in ours if len(keys(m)) >= 2]
    assert len(with_two) > 40
    for model in with_two:
        assert model.clean_fields is foreign_keys.clean_fields, model
    for model in ours:
        if len(keys(model)) < 2:
            assert model.clean_fields is models.Model.clean_fields, model
