"""Writes about the clinic's structure and staff privileges (audited)."""

from __future__ import annotations

from django.db import transaction

from stepwell.accounts.models import Role, RoleAssignment, User, UserKind
from stepwell.core.errors import ApplicationError
from stepwell.privacy.audit import AuditAction, audit_record

from .models import Program, ProgramStaff, Track, default_weekly_minutes


def program_create(
    *,
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
    program.save()
    return program


RoleGrant = tuple[str, int | None]


def staff_privileges_set(
    *,
    actor,
    staff: User,
    grants: set[RoleGrant],
    program_ids: set[int] | None = None,
    client_address: str = "",
) -> None:
    """Replace a staff member's roles and programs; the change is written to the audit trail.

    `grants` holds (role, program id) pairs: a role is held in one program, except the
    administrator's, which holds no program (None). `program_ids` are the programs the
    person works in; every program of a grant is one of them, and by default they are
    exactly the grants' programs.
    """
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
                client_address=client_address,
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


def staff_account_changes_record(
    *, actor, staff: User, changed: dict, created: bool, client_address: str = ""
) -> None:
    """Audit a new account, or changes to the fields that decide what an account may do."""
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
        client_address=client_address,
        detail={"created": created, "changed": relevant},
    )
