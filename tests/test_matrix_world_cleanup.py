"""The matrix clinic leaves nothing behind: whether its build fails or its tests finish,
the database (the audit chain above all) is as it was, so a later test in the same
process - `stepwell audit verify`, say - finds no row of it."""

from __future__ import annotations

import pytest
from django.db import transaction

from stepwell.clinic.models import Program
from stepwell.privacy.actors import system_actor
from stepwell.privacy.audit import audit_record, audit_verify
from stepwell.privacy.models import AuditChainHead, AuditEvent
from stepwell.testing.factories import ProgramFactory
from tests.access_matrix.world import LeftBehind, built_and_rolled_back

pytestmark = pytest.mark.django_db(transaction=True)


def _half_a_clinic():
    ProgramFactory(name="Half built")
    audit_record(user=system_actor("matrix-test"), action="create", object_type="program")


def _chain():
    """The audit trail as `stepwell audit verify` judges it."""
    return (
        list(AuditEvent.objects.values_list("seq", "hash")),
        list(AuditChainHead.objects.values()),
        [str(problem) for problem in audit_verify()],
    )


def test_a_build_that_fails_leaves_no_row_and_the_chain_as_it_was():
    chain = _chain()

    def build():
        _half_a_clinic()
        raise TypeError("program_create() missing 1 required keyword-only argument: 'actor'")

    with pytest.raises(TypeError), built_and_rolled_back(build):
        pass
    assert not Program.objects.filter(name="Half built").exists()
    assert _chain() == chain


def test_a_build_that_succeeds_is_rolled_back_after_its_tests():
    chain = _chain()
    with built_and_rolled_back(_half_a_clinic):
        assert Program.objects.filter(name="Half built").exists()
        assert AuditEvent.objects.count() == len(chain[0]) + 1
    assert not Program.objects.filter(name="Half built").exists()
    assert _chain() == chain


def test_rows_committed_all_the_same_are_flushed_and_named(monkeypatch):
    chain = _chain()
    monkeypatch.setattr(transaction, "set_rollback", lambda *args, **kwargs: None)
    with pytest.raises(LeftBehind, match="clinic_program"), built_and_rolled_back(_half_a_clinic):
        pass
    assert not Program.objects.filter(name="Half built").exists()
    assert _chain()[1:] == chain[1:]
    assert AuditEvent.objects.count() == 0
