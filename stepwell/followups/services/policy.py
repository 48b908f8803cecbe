"""A program's follow-up settings: the days after discharge, the questionnaires, how many
attempts before a follow-up is unreachable, and how long to wait between attempts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.measures.selectors import instrument_unavailable_reason
from stepwell.privacy.access import followups as access
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import FollowUpPolicy
from ..rules import (
    DEFAULT_DAYS,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_WAIT_DAYS,
    FOLLOW_UP_INSTRUMENTS,
    DaysError,
    default_instruments,
    parse_days,
)


@dataclass(frozen=True)
class FollowUpSettings:
    days: tuple[int, ...]
    instruments: tuple[str, ...]
    max_attempts: int
    wait_days: int


def follow_up_settings(program) -> FollowUpSettings:
    """The program's settings, or the defaults (by its track) when it has none. The
    questionnaires the clinic switched off are left out."""
    policy = FollowUpPolicy.objects.filter(program=program).first()
    if policy is None:
        settings = FollowUpSettings(
            days=DEFAULT_DAYS,
            instruments=default_instruments(program.track),
            max_attempts=DEFAULT_MAX_ATTEMPTS,
            wait_days=DEFAULT_WAIT_DAYS,
        )
    else:
        settings = FollowUpSettings(
            days=tuple(policy.days),
            instruments=tuple(policy.instruments),
            max_attempts=policy.max_attempts,
            wait_days=policy.wait_days,
        )
    usable = tuple(key for key in settings.instruments if not instrument_unavailable_reason(key))
    return FollowUpSettings(settings.days, usable, settings.max_attempts, settings.wait_days)


def follow_up_policy_set(
    *,
    actor,
    program_id: int,
    days: str,
    instruments: list[str],
    max_attempts: int,
    wait_days: int,
) -> FollowUpPolicy:
    """Set the program's follow-up settings (its director, or an administrator)."""
    program = access.access_follow_up_policy_by_program_id(actor, program_id)
    errors = {}
    try:
        parsed_days = parse_days(days)
    except DaysError as error:
        errors["days"] = str(error)
    keys = [str(key).strip().lower() for key in instruments or []]
    unknown = sorted(set(keys) - FOLLOW_UP_INSTRUMENTS)
    if not keys:
        errors["instruments"] = "Choose at least one questionnaire."
    elif unknown:
        errors["instruments"] = f"Not a follow-up questionnaire: {', '.join(unknown)}."
    if not isinstance(max_attempts, int) or not 1 <= max_attempts <= 10:
        errors["max_attempts"] = "Give a number of attempts from 1 to 10."
    if not isinstance(wait_days, int) or not 1 <= wait_days <= 60:
        errors["wait_days"] = "Give a number of days from 1 to 60."
    if errors:
        raise ApplicationError("The follow-up settings were not saved.", field_errors=errors)
    with transaction.atomic():
        policy, _ = FollowUpPolicy.objects.update_or_create(
            program=program,
            defaults={
                "days": list(parsed_days),
                "instruments": list(dict.fromkeys(keys)),
                "max_attempts": max_attempts,
                "wait_days": wait_days,
            },
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="follow_up_policy",
            object_id=program.pk,
            detail={"days": policy.days, "instruments": policy.instruments},
        )
    return policy
