"""Clinic setup's permission comes from the access rules: the administrator role opens it,
Django's is_staff and is_superuser open nothing. The first administrator comes from
`stepwell administrator-create`; `createsuperuser` is refused."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stepwell.accounts.models import Role, RoleAssignment, User, UserKind
from stepwell.clinic.models import Program
from stepwell.clinic.services import (
    administrator_create,
    program_create,
    staff_account_changes_record,
    staff_privileges_set,
)
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory

PROGRAM_FORM = {
    "name": "Evening IOP",
    "track": "mental_health",
    "timezone": "America/Chicago",
    "min_weekly_minutes": "540",
    "max_weekly_minutes": "1140",
    "default_length_of_stay_days": "56",
    "level_of_care": "intensive_outpatient",
    "attendance_grace_minutes": "10",
}


@pytest.fixture
def superuser_without_role(clinic):
    """Django's flags at their most powerful, and no administrator role."""
    user = UserFactory(username="flags_only", is_staff=True, is_superuser=True)
    assert not user.is_administrator
    return user


@pytest.fixture
def plain_administrator(clinic):
    """The administrator role and none of Django's flags."""
    user = UserFactory(username="plain_admin", roles=[Role.ADMINISTRATOR])
    assert (user.is_staff, user.is_superuser) == (False, False)
    return user


def setup_denials():
    return AuditEvent.objects.filter(outcome="denied", object_type="clinic_setup")


@pytest.mark.parametrize(
    "path", ["/setup/", "/setup/clinic/program/", "/setup/accounts/user/", "/setup/clinic/"]
)
def test_is_staff_and_is_superuser_without_the_role_are_refused(
    client, superuser_without_role, path
):
    verified_login(client, superuser_without_role)
    response = client.get(path)
    assert response.status_code == 403
    assert b"Stepwell clinic setup" not in response.content
    event = setup_denials().get()
    assert (event.username, event.object_id) == ("flags_only", path)


def test_a_refused_setup_post_changes_nothing(client, clinic, superuser_without_role):
    verified_login(client, superuser_without_role)
    before = Program.objects.count()
    response = client.post(
        "/setup/clinic/program/add/", {**PROGRAM_FORM, "site": clinic.program_a.site_id}
    )
    assert response.status_code == 403
    assert Program.objects.count() == before
    assert setup_denials().count() == 1


def test_the_administrator_role_alone_opens_setup(client, clinic, plain_administrator):
    verified_login(client, plain_administrator)
    index = client.get("/setup/")
    assert index.status_code == 200
    assert "Stepwell clinic setup" in index.content.decode()
    response = client.post(
        "/setup/clinic/program/add/", {**PROGRAM_FORM, "site": clinic.program_a.site_id}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Program.objects.filter(name="Evening IOP").exists()
    assert not setup_denials().exists()


def test_a_logged_in_non_administrator_is_refused_and_audited(client, clinic):
    verified_login(client, clinic.director_a)
    assert client.get("/setup/").status_code == 403
    assert setup_denials().get().username == "dir_a"


def test_a_deactivated_administrator_is_refused(client, clinic, plain_administrator):
    verified_login(client, plain_administrator)
    plain_administrator.is_active = False
    plain_administrator.save()
    client.force_login(plain_administrator)  # Django logs inactive users out; force it
    assert client.get("/setup/").status_code == 302  # no longer logged in
    assert not User.objects.get(pk=plain_administrator.pk).has_perm("clinic.view_program")


@pytest.mark.parametrize(
    ("perm", "for_administrator"),
    [
        ("clinic.view_program", True),
        ("clinic.add_program", True),
        ("clinic.change_program", True),
        ("clinic.delete_program", True),
        ("billing.change_payer", True),
        ("accounts.change_user", True),
        ("accounts.delete_user", False),  # deactivated, never deleted
        ("patients.view_patient", False),  # not offered in setup
        ("otp_totp.change_totpdevice", False),  # another person's second factor
        ("clinic.approve_program", False),  # no such action
        ("nothing.view_thing", False),
        ("garbage", False),
    ],
)
def test_each_tables_permission_comes_from_one_rule(
    clinic, plain_administrator, superuser_without_role, perm, for_administrator
):
    assert plain_administrator.has_perm(perm) is for_administrator
    assert superuser_without_role.has_perm(perm) is False
    assert clinic.director_a.has_perm(perm) is False


def test_setup_shows_an_area_only_to_an_administrator(
    clinic, plain_administrator, superuser_without_role
):
    assert plain_administrator.has_module_perms("clinic")
    assert plain_administrator.has_module_perms("billing")
    assert not plain_administrator.has_module_perms("patients")
    assert not plain_administrator.has_module_perms("no_such_app")
    assert not superuser_without_role.has_module_perms("clinic")
    assert superuser_without_role.get_all_permissions() == set()


def test_a_staff_account_cannot_be_deleted_in_setup(client, clinic, plain_administrator):
    verified_login(client, plain_administrator)
    nurse = clinic.nurse_a
    assert client.get(f"/setup/accounts/user/{nurse.pk}/delete/").status_code == 403
    assert client.post(f"/setup/accounts/user/{nurse.pk}/delete/", {"post": "yes"}).status_code == (
        403
    )
    assert User.objects.filter(pk=nurse.pk).exists()


# --- the services behind setup are gates themselves ------------------------------------


def denied(object_type: str):
    return AuditEvent.objects.filter(outcome="denied", object_type=object_type)


@pytest.mark.parametrize("name", ["director_a", "clinician_a", "billing_a", "patient_user_a"])
def test_program_create_called_directly_by_a_non_administrator_is_refused(clinic, name):
    before = Program.objects.count()
    with pytest.raises(AccessDenied):
        program_create(
            actor=getattr(clinic, name),
            site=clinic.program_a.site,
            name="Rogue IOP",
            track="mental_health",
        )
    assert denied("program").count() == 1
    assert Program.objects.count() == before


def test_program_create_by_an_administrator_is_audited(clinic):
    program = program_create(
        actor=clinic.admin, site=clinic.program_a.site, name="Weekend IOP", track="substance_use"
    )
    assert program.part2_program is True
    event = AuditEvent.objects.get(object_type="program", object_id=str(program.pk))
    assert (event.username, event.action) == ("admin", "create")


def test_superuser_flags_without_the_role_grant_no_roles(clinic, superuser_without_role):
    nurse = clinic.nurse_a
    with pytest.raises(AccessDenied):
        staff_privileges_set(
            actor=superuser_without_role,
            staff=nurse,
            grants={(Role.PROGRAM_DIRECTOR, clinic.program_a.pk)},
        )
    assert denied("user").count() == 1
    assert set(nurse.role_assignments.values_list("role", "program_id")) == {
        (Role.NURSE, clinic.program_a.pk)
    }


@pytest.mark.parametrize("name", ["director_a", "clinician_a", "patient_user_a"])
def test_role_grants_called_directly_by_a_non_administrator_are_refused(clinic, name):
    actor = getattr(clinic, name)
    nurse = clinic.nurse_a
    with pytest.raises(AccessDenied):
        staff_privileges_set(actor=actor, staff=nurse, grants={(Role.ADMINISTRATOR, None)})
    with pytest.raises(AccessDenied):
        staff_account_changes_record(
            actor=actor, staff=nurse, changed={"is_active": False}, created=False
        )
    assert denied("user").count() == 2
    assert not nurse.role_assignments.filter(role=Role.ADMINISTRATOR).exists()
    assert not AuditEvent.objects.filter(action="privilege_change", outcome="allowed").exists()


# --- the first administrator ------------------------------------------------------------


def test_createsuperuser_is_refused_and_names_the_command_to_use(db):
    with pytest.raises(CommandError, match="administrator-create"):
        call_command("createsuperuser", "--noinput", "--username", "root", "--email", "r@x.example")
    assert not User.objects.filter(username="root").exists()


def test_administrator_create_makes_the_first_administrator(client, db, capsys):
    call_command(
        "administrator_create", "ada", "--email", "ada@clinic.example", "--first-name", "Ada"
    )
    out = capsys.readouterr().out
    ada = User.objects.get(username="ada")
    assert (ada.kind, ada.email, ada.has_usable_password()) == (
        UserKind.STAFF,
        "ada@clinic.example",
        False,
    )
    assert (ada.is_staff, ada.is_superuser, ada.is_administrator) == (False, False, True)
    assert "/accounts/password/reset/" in out
    assert "stepwell enrolment-code ada" in out
    events = AuditEvent.objects.filter(object_type="user", object_id=str(ada.pk)).order_by("seq")
    assert [(e.role, e.detail.get("created"), e.detail.get("roles_added")) for e in events] == [
        ("system", True, None),
        ("system", None, ["administrator"]),
    ]
    assert all(e.username.startswith("system:administrator-create by ") for e in events)
    # The link in the output sets the password; then setup opens.
    link = out.split("Set the password at ", 1)[1].split()[0]
    page = client.get(link, follow=True)
    assert page.status_code == 200
    verified_login(client, ada)
    assert client.get("/setup/").status_code == 200


def test_administrator_create_keeps_an_existing_staff_members_roles(clinic, capsys):
    director = clinic.director_a
    call_command("administrator_create", director.username)
    director.forget_roles()
    assert set(director.role_assignments.values_list("role", "program_id")) == {
        (Role.PROGRAM_DIRECTOR, clinic.program_a.pk),
        (Role.ADMINISTRATOR, None),
    }
    assert "Set the password" not in capsys.readouterr().out  # they have one already
    call_command("administrator_create", director.username)  # again: nothing changes
    assert RoleAssignment.objects.filter(user=director, role=Role.ADMINISTRATOR).count() == 1


@pytest.mark.parametrize(
    ("username", "email", "message"),
    [
        ("pat_a", "", "Only an active staff account"),
        ("newbie", "", "--email"),
        ("bad name!", "x@clinic.example", "--username"),
    ],
)
def test_administrator_create_refuses_bad_input_and_writes_nothing(
    clinic, username, email, message
):
    before = (User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("administrator_create", username, "--email", email)
    after = (User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_only_an_administrator_or_the_operator_creates_an_administrator(clinic):
    with pytest.raises(AccessDenied):
        administrator_create(actor=clinic.director_a, username="sneaky", email="s@x.example")
    assert not User.objects.filter(username="sneaky").exists()
    user, created = administrator_create(
        actor=system_actor("administrator-create by test"),
        username="second",
        email="second@clinic.example",
    )
    assert created and user.is_administrator
    with pytest.raises(ApplicationError):
        administrator_create(actor=clinic.admin, username="third", email="")
