"""Writes about the clinic's structure and staff privileges (audited)."""

from __future__ import annotations

from django.db import transaction

from stepwell.accounts.models import Role, RoleAssignment, User, UserKind
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.accounts import access_privileges_grant, access_staff_account_manage
from stepwell.privacy.access.setup import access_program_create
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .models import Program, ProgramStaff, Track, default_weekly_minutes


def program_create(
    *,
    actor,
    site,
    name: str,
    track: str,
    timezone: str = "America/Chicago",
    min_weekly_minutes: int | None = None,
    max_weekly_minutes: int | None = None,
    default_length_of_stay_days: int = 56,
    part2_program: bool | None = None,
) -> Program:
    """Create a program. A substance-use or dual-diagnosis program is a Part 2 program
    unless told otherwise (42 CFR Part 2 covers federally assisted substance-use programs;
    docs/clinical-sources.md)."""
    if not access_program_create(actor):
        raise refuse(actor=actor, action=AuditAction.CREATE, object_type="program", object_id="new")
    if track not in Track.values:
        raise ApplicationError(
            "Unknown track.", field_errors={"track": f"One of {', '.join(Track.values)}."}
        )
    low, high = default_weekly_minutes(track)
    program = Program(
        site=site,
        name=name,
        track=track,
        timezone=timezone,
        min_weekly_minutes=low if min_weekly_minutes is None else min_weekly_minutes,
        max_weekly_minutes=high if max_weekly_minutes is None else max_weekly_minutes,
        default_length_of_stay_days=default_length_of_stay_days,
        part2_program=(
            track in (Track.SUBSTANCE_USE, Track.DUAL_DIAGNOSIS)
            if part2_program is None
            else part2_program
        ),
    )
    program.full_clean()
    with transaction.atomic():
        program.save()
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="program",
            object_id=program.pk,
            detail={"name": program.name, "track": program.track},
        )
    return program


RoleGrant = tuple[str, int | None]


def staff_privileges_set(
    *,
    actor,
    staff: User,
    grants: set[RoleGrant],
    program_ids: set[int] | None = None,
) -> None:
    """Replace a staff member's roles and programs; the change is written to the audit trail.

    `grants` holds (role, program id) pairs: a role is held in one program, except the
    administrator's, which holds no program (None). `program_ids` are the programs the
    person works in; every program of a grant is one of them, and by default they are
    exactly the grants' programs. An administrator grants roles; so does the operator at
    the server (a system actor), for the first administrator and the demo.
    """
    if not access_privileges_grant(actor):
        raise refuse(
            actor=actor,
            action=AuditAction.PRIVILEGE_CHANGE,
            object_type="user",
            object_id=staff.pk,
        )
    grants = set(grants)
    roles = {role for role, _program in grants}
    unknown = roles - set(Role.values)
    if unknown:
        raise ApplicationError(
            "Unknown role.", field_errors={"roles": f"Unknown: {', '.join(sorted(unknown))}."}
        )
    if staff.kind != UserKind.STAFF:
        raise ApplicationError(
            "Only staff members hold roles.", field_errors={"roles": "Not a staff member."}
        )
    for role, program_id in grants:
        if (role == Role.ADMINISTRATOR) != (program_id is None):
            raise ApplicationError(
                "The administrator role belongs to no program; every other role to one.",
                field_errors={"roles": f"{Role(role).label}: choose the right program."},
            )
    granted_programs = {program_id for _role, program_id in grants if program_id is not None}
    program_ids = set(granted_programs if program_ids is None else program_ids)
    if not granted_programs <= program_ids:
        raise ApplicationError(
            "A role can only be held in a program the person works in.",
            field_errors={"programs": "Add the program of every role."},
        )
    found = set(Program.objects.filter(pk__in=program_ids).values_list("pk", flat=True))
    if found != program_ids:
        raise ApplicationError("Unknown program.", field_errors={"programs": "Unknown program."})
    with transaction.atomic():
        before_grants = set(
            RoleAssignment.objects.filter(user=staff).values_list("role", "program_id")
        )
        before_programs = set(
            ProgramStaff.objects.filter(user=staff).values_list("program_id", flat=True)
        )
        for role, program_id in before_grants - grants:
            RoleAssignment.objects.filter(user=staff, role=role, program_id=program_id).delete()
        for role, program_id in sorted(grants - before_grants, key=str):
            RoleAssignment.objects.create(user=staff, role=role, program_id=program_id)
        ProgramStaff.objects.filter(user=staff).exclude(program_id__in=program_ids).delete()
        for program_id in sorted(program_ids - before_programs):
            ProgramStaff.objects.create(user=staff, program_id=program_id)
        if before_grants != grants or before_programs != program_ids:
            audit_record(
                user=actor,
                action=AuditAction.PRIVILEGE_CHANGE,
                object_type="user",
                object_id=staff.pk,
                detail={
                    "roles_added": _grant_labels(grants - before_grants),
                    "roles_removed": _grant_labels(before_grants - grants),
                    "programs_added": sorted(program_ids - before_programs),
                    "programs_removed": sorted(before_programs - program_ids),
                },
            )
    staff.forget_roles()


def _grant_labels(grants: set[RoleGrant]) -> list[str]:
    return sorted(
        role if program is None else f"{role}@program:{program}" for role, program in grants
    )


def grants_everywhere(roles, program_ids) -> set[RoleGrant]:
    """Each role in each of the programs (the administrator role in none)."""
    return {
        (role, None) if role == Role.ADMINISTRATOR else (role, program_id)
        for role in roles
        for program_id in (program_ids if role != Role.ADMINISTRATOR else [None])
    }


ACCOUNT_PRIVILEGE_FIELDS = ("is_active", "is_staff", "is_superuser", "kind", "credentials")


def staff_account_changes_record(*, actor, staff: User, changed: dict, created: bool) -> None:
    """Audit a new account, or changes to the fields that decide what an account may do."""
    if not access_staff_account_manage(actor):
        raise refuse(
            actor=actor, action=AuditAction.PRIVILEGE_CHANGE, object_type="user", object_id=staff.pk
        )
    relevant = {
        field: value for field, value in changed.items() if field in ACCOUNT_PRIVILEGE_FIELDS
    }
    if not created and not relevant:
        return
    audit_record(
        user=actor,
        action=AuditAction.PRIVILEGE_CHANGE,
        object_type="user",
        object_id=staff.pk,
        detail={"created": created, "changed": relevant},
    )


def administrator_create(
    *, actor, username: str, email: str, first_name: str = "", last_name: str = ""
) -> tuple[User, bool]:
    """Grant the administrator role, creating the staff account if there is none yet.

    How the first administrator comes to be (`stepwell administrator-create`, run by the
    operator at the server as a system actor): Django's superuser flag opens nothing in
    Stepwell. A new account has no password; its owner sets one from a link. The account,
    and the grant, are written to the audit trail. Returns the user and whether the
    account was created.
    """
    if not access_privileges_grant(actor):
        raise refuse(
            actor=actor, action=AuditAction.PRIVILEGE_CHANGE, object_type="user", object_id="new"
        )
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(
            username=username,
            email=(email or "").strip(),
            first_name=first_name,
            last_name=last_name,
            kind=UserKind.STAFF,
        )
        user.set_unusable_password()
        if not user.email:
            raise ApplicationError(
                "Give the administrator's own email address.",
                field_errors={"email": "Required for a new account."},
            )
        _validated_account(user)
    elif user.kind != UserKind.STAFF or not user.is_active:
        raise ApplicationError(
            "Only an active staff account can be an administrator.",
            field_errors={"username": "Not an active staff account."},
        )
    with transaction.atomic():
        if created:
            user.save()
            audit_record(
                user=actor,
                action=AuditAction.PRIVILEGE_CHANGE,
                object_type="user",
                object_id=user.pk,
                detail={"created": True, "changed": {}},
            )
        grants = set(RoleAssignment.objects.filter(user=user).values_list("role", "program_id"))
        staff_privileges_set(
            actor=actor,
            staff=user,
            grants=grants | {(Role.ADMINISTRATOR, None)},
            program_ids=set(
                ProgramStaff.objects.filter(user=user).values_list("program_id", flat=True)
            ),
        )
    return user, created


def _validated_account(user: User) -> None:
    from django.core.exceptions import ValidationError

    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise ApplicationError(
            "The account could not be created.",
            field_errors={k: " ".join(v) for k, v in error.message_dict.items()},
        ) from error
