"""The session's user and their roles, read on every request with queries kept compiled
(stepwell/core/kept.py): the same answers as Django's ModelBackend and the ORM."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend

from stepwell.accounts.models import Role, RoleAssignment, User
from stepwell.privacy.backends import StepwellBackend
from stepwell.testing.factories import ProgramFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]


def test_the_session_user_is_djangos_answer_for_every_kind_of_id():
    active, inactive = UserFactory(), UserFactory(is_active=False)
    ours, djangos = StepwellBackend(), ModelBackend()
    for user_id in (str(active.pk), active.pk, str(inactive.pk), "10000000", "abc", "", "-1"):
        got = ours.get_user(user_id)
        try:
            expected = djangos.get_user(user_id)
        except ValueError:  # Django's own backend fails on a value that is not an id
            expected = None
        assert (got and got.pk) == (expected and expected.pk), user_id
    assert ours.get_user(str(10**30)) is None  # past the column: no one, not an error
    got = ours.get_user(str(active.pk))
    assert (got.username, got.kind, got.is_active) == (active.username, active.kind, True)


def test_roles_are_read_as_stored_and_again_after_they_change():
    user, program_a, program_b = UserFactory(), ProgramFactory(), ProgramFactory()
    RoleAssignment.objects.create(user=user, role=Role.CLINICIAN, program=program_a)
    RoleAssignment.objects.create(user=user, role=Role.PROGRAM_DIRECTOR, program=program_b)
    fresh = User.objects.get(pk=user.pk)
    assert fresh.program_ids_with(Role.CLINICIAN) == {program_a.pk}
    assert fresh.program_ids_with(Role.CLINICIAN, Role.PROGRAM_DIRECTOR) == {
        program_a.pk,
        program_b.pk,
    }
    assert fresh.role_keys() == {Role.CLINICIAN, Role.PROGRAM_DIRECTOR}
    RoleAssignment.objects.create(user=user, role=Role.ADMINISTRATOR, program=None)
    RoleAssignment.objects.create(user=user, role=Role.CLINICIAN, program=program_b)
    # asked again before forgetting: the roles as read (kept for the request)
    assert fresh.program_ids_with(Role.CLINICIAN) == {program_a.pk}
    fresh.forget_roles()
    assert fresh.is_administrator
    assert fresh.program_ids_with(Role.CLINICIAN) == {program_a.pk, program_b.pk}
    assert fresh.program_ids_with(Role.PROGRAM_DIRECTOR, Role.CLINICIAN) == {
        program_a.pk,
        program_b.pk,
    }
    assert fresh.program_ids_with(Role.NURSE) == frozenset()
    assert fresh.program_ids_with(Role.ADMINISTRATOR) == frozenset()  # a role of no program
    other = UserFactory()
    assert User.objects.get(pk=other.pk).role_keys() == set()
