"""What the measures use cases share: the audited refusal, one transaction per use case,
link tokens, and the checks that an instrument may be used now."""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.measures.instruments import Instrument, UnknownInstrumentError
from stepwell.privacy.audit import AuditOutcome, audit_record

from .. import selectors

LINK_HOURS_DEFAULT = 72


def link_lifetime() -> timedelta:
    """How long a one-time link works: STEPWELL_QUESTIONNAIRE_LINK_HOURS (default 72)."""
    hours = getattr(settings, "STEPWELL_QUESTIONNAIRE_LINK_HOURS", LINK_HOURS_DEFAULT)
    return timedelta(hours=hours if isinstance(hours, int) and hours > 0 else LINK_HOURS_DEFAULT)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Denied(AccessDenied):
    """Refused; carries the audit event to write once the transaction has rolled back."""

    def __init__(self, **audit):
        super().__init__()
        self.audit = audit


def denied(actor, *, action, patient_id, object_type, object_id="", client_address=""):
    return Denied(
        user=actor,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
        client_address=client_address,
    )


def use_case(function):
    """One transaction per use case; a refusal is audited after the rollback, so the
    denied attempt stays on the record while nothing else does."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except Denied as refused:
            audit_record(**refused.audit)
            raise AccessDenied(refused.message) from None

    return wrapper


def known_instrument(key: str, version: str = "", *, field: str = "instrument") -> Instrument:
    """The instrument for ``key`` (that version when given); ApplicationError naming
    ``field`` when there is none."""
    try:
        return selectors.instrument_for(key, version or None)
    except UnknownInstrumentError:
        raise ApplicationError(
            f"Unknown instrument {key!r}.", field_errors={field: "Unknown instrument."}
        ) from None


def usable_instrument(key: str, *, field: str = "instrument") -> Instrument:
    """A known instrument the clinic has not switched off."""
    instrument = known_instrument(key, field=field)
    reason = selectors.instrument_unavailable_reason(instrument.key)
    if reason:
        raise ApplicationError(reason, field_errors={field: reason})
    return instrument


def remote_refusal(instrument_key: str, program) -> str:
    """Why this questionnaire may not be answered away from the clinic ("" when it may)."""
    reason = selectors.instrument_unavailable_reason(instrument_key)
    if reason:
        return reason
    return selectors.remote_refusal_for_program(instrument_key, program)
