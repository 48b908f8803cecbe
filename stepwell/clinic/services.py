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


def staff_privileges_set(
    *,
    actor: User | None,
    staff: User,
    roles: set[str],
    program_ids: set[int],
    client_address: str = "",
) -> None:
    """Replace a staff member's roles and programs; the change is written to the audit trail."""
    unknown = roles - set(Role.values)
    if unknown:
        raise ApplicationError(
            "Unknown role.", field_errors={"roles": f"Unknown: {', '.join(sorted(unknown))}."}
        )
    if staff.kind != UserKind.STAFF:
        raise ApplicationError(
            "Only staff members hold roles.", field_errors={"roles": "Not a staff member."}
        )
    found = set(Program.objects.filter(pk__in=program_ids).values_list("pk", flat=True))
    if found != set(program_ids):
        raise ApplicationError("Unknown program.", field_errors={"programs": "Unknown program."})
    with transaction.atomic():
        before_roles = set(RoleAssignment.objects.filter(user=staff).values_list("role", flat=True))
        before_programs = set(
            ProgramStaff.objects.filter(user=staff).values_list("program_id", flat=True)
        )
        RoleAssignment.objects.filter(user=staff).exclude(role__in=roles).delete()
        for role in sorted(roles - before_roles):
            RoleAssignment.objects.create(user=staff, role=role)
        ProgramStaff.objects.filter(user=staff).exclude(program_id__in=program_ids).delete()
        for program_id in sorted(set(program_ids) - before_programs):
            ProgramStaff.objects.create(user=staff, program_id=program_id)
        if before_roles != roles or before_programs != set(program_ids):
            audit_record(
                user=actor,
                action=AuditAction.PRIVILEGE_CHANGE,
                object_type="user",
                object_id=staff.pk,
                client_address=client_address,
                detail={
                    "roles_added": sorted(roles - before_roles),
                    "roles_removed": sorted(before_roles - roles),
                    "programs_added": sorted(set(program_ids) - before_programs),
                    "programs_removed": sorted(before_programs - set(program_ids)),
                },
            )
    staff.__dict__.pop("_role_keys", None)


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
