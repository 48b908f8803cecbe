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


def test_each_copy_is_the_tests_own(clinic):
    other = SHARED.copy()
    assert other is not None
    assert other.patient_a is not clinic.patient_a
    assert other.patient_a.pk == clinic.patient_a.pk
    assert other.episode_a.patient is not clinic.episode_a.patient


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
