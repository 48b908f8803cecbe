"""The instruments a clinic has: licensed definitions it loads, and the instruments it
switches off (clinic setup)."""

from __future__ import annotations

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.measures.instruments import DefinitionError, instrument_registry, load_definition
from stepwell.privacy.access import measures as access
from stepwell.privacy.access.predicates import is_system_actor
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from ..models import InstrumentDefinition, InstrumentSetting
from .instrument_use import known_instrument


def instrument_definition_save(*, actor, definition_data: dict) -> InstrumentDefinition:
    """Store a definition; the same key and version twice is a no-op when identical.

    An administrator, or the `stepwell instruments load` command, loads one."""
    if not access.access_instrument_definition_load(actor):
        raise refuse(actor=actor, action=AuditAction.CREATE, object_type="instrument_definition")
    with transaction.atomic():
        return _definition_store(actor=actor, definition_data=definition_data)


def _definition_store(*, actor, definition_data: dict) -> InstrumentDefinition:
    try:
        instrument = load_definition(definition_data)
    except DefinitionError as error:
        raise ApplicationError(str(error), field_errors={error.field: error.problem}) from error
    if instrument.key in instrument_registry():
        raise ApplicationError(
            f"{instrument.key!r} ships with Stepwell; give a loaded definition its own key.",
            field_errors={"key": "Is a shipped instrument."},
        )
    existing = InstrumentDefinition.objects.filter(
        key=instrument.key, version=instrument.version
    ).first()
    if existing is not None:
        if existing.definition == definition_data:
            return existing
        raise ApplicationError(
            f"{instrument.abbreviation} version {instrument.version} is already stored with "
            "different content; give the changed definition a new version.",
            field_errors={"version": "Already stored with different content."},
        )
    row = InstrumentDefinition(
        key=instrument.key,
        version=instrument.version,
        name=instrument.name,
        abbreviation=instrument.abbreviation,
        definition=definition_data,
        loaded_by=None if is_system_actor(actor) else actor,
    )
    row.full_clean()
    row.save()
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        object_type="instrument_definition",
        object_id=row.pk,
        detail={"key": row.key, "version": row.version},
    )
    return row


def instrument_setting_set(
    *, actor, instrument_key: str, enabled: bool, reason: str = ""
) -> InstrumentSetting:
    """Switch an instrument on or off for the whole clinic (administrators, clinic setup).

    Switched off, it cannot be scheduled, sent or administered, and staff are told why;
    its past administrations stay on the charts.
    """
    if not access.access_instrument_settings(actor):
        raise refuse(actor=actor, action=AuditAction.UPDATE, object_type="instrument_setting")
    instrument = known_instrument((instrument_key or "").strip().lower(), field="instrument_key")
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ApplicationError(
            "Keep the reason under 300 characters.",
            field_errors={"reason": "At most 300 characters."},
        )
    with transaction.atomic():
        setting, _ = InstrumentSetting.objects.update_or_create(
            instrument_key=instrument.key,
            defaults={"enabled": enabled, "reason": reason, "changed_by": actor},
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="instrument_setting",
            object_id=setting.pk,
            detail={"instrument": setting.instrument_key, "enabled": enabled, "reason": reason},
        )
    return setting
