"""The clinic that tests taking the `clinic` fixture share (stepwell/testing/clinic.py,
conftest.py): each finds it as built, whatever the test before changed; a test without the
fixture finds none; the transaction it lives in is opened only where it may be."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from stepwell.accounts.models import User
from stepwell.patients.models import Patient
from stepwell.testing.clinic import SHARED, SharedClinic
from stepwell.testing.factories import PatientFactory


def test_a_test_with_the_clinic_runs_inside_the_shared_transaction(clinic):
    assert SHARED.is_open
    # The shared transaction outside, the test's savepoint inside it.
    assert len(connection.atomic_blocks) == 2
    assert connection.atomic_blocks[1]._from_testcase
    clinic.patient_a.legal_first_name = "Changed in memory"
    Patient.objects.filter(pk=clinic.patient_a.pk).update(legal_first_name="Changed in the row")
    PatientFactory()


def test_the_next_test_finds_the_clinic_as_built(clinic):
    """Runs after the test above (one module, in order): its changes are gone."""
    assert clinic.patient_a.legal_first_name == "Avery"
    assert Patient.objects.get(pk=clinic.patient_a.pk).legal_first_name == "Avery"
    assert Patient.objects.count() == 3


def test_a_database_test_without_the_clinic_finds_none(db):
    """Runs after the tests above: the shared transaction was rolled back before it."""
    assert not SHARED.is_open
    assert not User.objects.filter(username="clin_a").exists()


def test_a_test_that_commits_runs_outside_it(transactional_db):
    assert not SHARED.is_open
    assert not connection.in_atomic_block


def test_each_test_gets_its_own_copy_of_the_built_records(clinic):
    built = SHARED._layers[-1][2]["clinic"]
    assert clinic.patient_a is not built.patient_a
    assert clinic.patient_a.pk == built.patient_a.pk
    assert clinic.episode_a.patient is not built.episode_a.patient
    # One memo per test: asked again in the same test, the same copy.
    assert SHARED.copy() is clinic


def _opened(shared: SharedClinic):
    shared.open()
    assert shared.is_open
    return shared.copy()


def test_open_builds_once_and_close_rolls_back(transactional_db):
    shared = SharedClinic()
    try:
        built = _opened(shared)
        shared.open()
        assert shared.copy().patient_a.mrn == built.patient_a.mrn
        # What a test does in its savepoint is gone after it.
        with transaction.atomic():
            Patient.objects.filter(pk=built.patient_a.pk).update(legal_first_name="Gone")
            transaction.set_rollback(True)
        assert Patient.objects.get(pk=built.patient_a.pk).legal_first_name == "Avery"
    finally:
        shared.close()
    assert not shared.is_open
    assert not Patient.objects.exists()
    shared.close()  # closing what is closed does nothing


def test_a_clinic_from_another_day_or_too_old_is_built_again(transactional_db, monkeypatch):
    shared = SharedClinic()
    try:
        first = _opened(shared)
        monkeypatch.setattr(shared, "_today", lambda: ("another day",))
        second = _opened(shared)
        # Built again: new records (SQLite may give the ids of rolled-back rows again).
        assert second.patient_a.mrn != first.patient_a.mrn
        assert Patient.objects.count() == 3
        monkeypatch.undo()
        monkeypatch.setattr(SharedClinic, "MAX_AGE", -1.0)
        third = _opened(shared)
        assert third.patient_a.mrn != second.patient_a.mrn
    finally:
        shared.close()
    assert not Patient.objects.exists()


def test_inside_another_transaction_it_is_not_opened(transactional_db):
    shared = SharedClinic()
    with transaction.atomic():
        shared.open()
        assert not shared.is_open
        assert shared.copy() is None
    assert not Patient.objects.exists()


def test_it_is_not_closed_under_a_transaction_opened_after_it(transactional_db):
    shared = SharedClinic()
    shared.open()
    try:
        with transaction.atomic():
            with pytest.raises(RuntimeError, match="not the innermost"):
                shared.close()
            transaction.set_rollback(True)
    finally:
        shared.close()
    assert not Patient.objects.exists()


def _with_a_layer(shared: SharedClinic) -> SharedClinic:
    """A layer on the clinic that changes one of its records, in the row and in memory, and
    adds one of its own."""

    def build(records):
        avery = records["clinic"].patient_a
        avery.preferred_name = "Ave"
        avery.save()
        return {"avery": avery, "dana": PatientFactory(legal_first_name="Dana")}

    shared.register("extra", "_marker_of_extra", build)
    return shared


def test_a_layer_is_built_on_its_own_copy_of_the_clinic(transactional_db):
    shared = _with_a_layer(SharedClinic())
    assert shared.wanted_by({"_shared_clinic", "_marker_of_extra"}) == ["clinic", "extra"]
    assert shared.wanted_by({"_marker_of_extra"}) == []
    try:
        shared.open(["clinic", "extra"])
        clinic, extra = shared.copy("clinic"), shared.copy("extra")
        # One memo per test: the layer's record of Avery is the test's clinic's Avery.
        assert extra["avery"] is clinic.patient_a
        assert clinic.patient_a.preferred_name == "Ave"
        assert Patient.objects.count() == 4
        # Back to the clinic alone: the layer's rows and its change to Avery are gone,
        # in the database and in the copies.
        shared.open(["clinic"])
        assert shared.copy("extra") is None
        assert shared.copy("clinic").patient_a.preferred_name != "Ave"
        assert Patient.objects.count() == 3
        assert not Patient.objects.filter(preferred_name="Ave").exists()
        # And up again: built anew on the clinic as it is.
        shared.open(["clinic", "extra"])
        assert Patient.objects.count() == 4
    finally:
        shared.close()
    assert not Patient.objects.exists()
