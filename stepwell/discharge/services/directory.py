"""The support-group directory a program keeps, and its discharge policy."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Disposition
from stepwell.privacy.access.discharge import (
    access_directory_program_by_id,
    access_policy_program_by_id,
)
from stepwell.privacy.access.predicates import as_record_id
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from ..models import DischargePolicy, SupportGroup, SupportGroupKind
from .validation import phone_error, required_text


def support_group_add(
    *,
    actor,
    program_id: int,
    kind: str,
    name: str,
    meeting_day: int,
    meeting_time: time,
    place: str,
    link: str = "",
    phone: str = "",
) -> SupportGroup:
    """Add a meeting to the program's directory, with the day and time it meets."""
    program = access_directory_program_by_id(
        actor, program_id, manage=True, action=AuditAction.CREATE
    )
    errors = required_text(
        {"name": name, "place": place}, {"name": "group's name", "place": "place"}
    )
    if kind not in SupportGroupKind.values:
        errors["kind"] = f"One of: {', '.join(SupportGroupKind.values)}."
    if (
        not isinstance(meeting_day, int)
        or isinstance(meeting_day, bool)
        or not 0 <= meeting_day <= 6
    ):
        errors["meeting_day"] = "A day of the week, 0 (Monday) to 6 (Sunday)."
    if not isinstance(meeting_time, time):
        errors["meeting_time"] = "Give a time (HH:MM)."
    if link:
        try:
            URLValidator(schemes=["https", "http"])(link)
        except ValidationError:
            errors["link"] = "Give a web address starting with https://."
    problem = phone_error(phone, required=False)
    if problem:
        errors["phone"] = problem
    if errors:
        raise ApplicationError("The support group could not be added.", field_errors=errors)
    with transaction.atomic():
        group = SupportGroup.objects.create(
            program=program,
            kind=kind,
            name=name.strip(),
            meeting_day=meeting_day,
            meeting_time=meeting_time,
            place=place.strip(),
            link=link.strip(),
            phone=phone.strip(),
            created_by=actor,
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="support_group",
            object_id=group.pk,
            detail={"program": program.pk},
        )
    return group


def support_group_deactivate(*, actor, program_id: int, group_id: int) -> SupportGroup:
    """Take a meeting out of the directory (plans that name it keep it)."""
    program = access_directory_program_by_id(
        actor, program_id, manage=True, action=AuditAction.UPDATE
    )
    group = SupportGroup.objects.filter(pk=as_record_id(group_id), program=program).first()
    if group is None:
        raise refuse(
            actor=actor, action=AuditAction.UPDATE, object_type="support_group", object_id=group_id
        )
    with transaction.atomic():
        SupportGroup.objects.filter(pk=group.pk).update(active=False)
        group.active = False
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="support_group",
            object_id=group.pk,
            detail={"active": False},
        )
    return group


def discharge_policy_set(
    *,
    actor,
    program_id: int,
    documents_required: bool,
    exempt_dispositions: list[str],
    after_hours_line: str,
) -> DischargePolicy:
    """Set whether a discharge needs a signed summary and aftercare plan (and which
    dispositions do not), and the after-hours line the plans give."""
    program = access_policy_program_by_id(actor, program_id)
    errors: dict[str, str] = {}
    unknown = sorted(set(exempt_dispositions) - set(Disposition.values))
    if unknown:
        errors["exempt_dispositions"] = f"Unknown disposition: {', '.join(unknown)}."
    problem = phone_error(after_hours_line, required=False)
    if problem:
        errors["after_hours_line"] = problem
    if errors:
        raise ApplicationError("The discharge settings could not be saved.", field_errors=errors)
    with transaction.atomic():
        policy, _ = DischargePolicy.objects.update_or_create(
            program=program,
            defaults={
                "documents_required": bool(documents_required),
                "exempt_dispositions": sorted(set(exempt_dispositions)),
                "after_hours_line": after_hours_line.strip(),
                "updated_by": actor,
            },
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="discharge_policy",
            object_id=policy.pk,
            detail={
                "program": program.pk,
                "documents_required": policy.documents_required,
                "exempt_dispositions": policy.exempt_dispositions,
            },
        )
    return policy
