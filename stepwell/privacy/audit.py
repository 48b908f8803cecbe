"""Append and verify the audit trail.

Every event is chained to the one before it with an HMAC-SHA256 over its fields and the
previous hash, keyed by STEPWELL_AUDIT_KEY (derived from the secret key when unset), so
an event changed, inserted or deleted in the database breaks the chain at that point and
`stepwell audit verify` names it. Database triggers refuse UPDATE and DELETE on the table.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


class AuditAction(StrEnum):
    VIEW = "view"
    LIST = "list"
    CREATE = "create"
    UPDATE = "update"
    TRANSITION = "transition"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PRIVILEGE_CHANGE = "privilege_change"
    TOKEN_CREATE = "token_create"  # noqa: S105
    TOKEN_REVOKE = "token_revoke"  # noqa: S105


class AuditOutcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"


def _key() -> bytes:
    configured = getattr(settings, "STEPWELL_AUDIT_KEY", "") or ""
    if configured:
        return configured.encode()
    return hashlib.sha256(b"stepwell-audit:" + settings.SECRET_KEY.encode()).digest()


def _digest(event: AuditEvent) -> str:
    payload = json.dumps(
        [
            event.seq,
            event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            event.user_id,
            event.username,
            event.role,
            event.patient_id,
            event.action,
            event.object_type,
            event.object_id,
            event.outcome,
            event.client_address,
            event.detail,
            event.prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()


def client_address_of(request) -> str:
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:64]


def audit_record(
    *,
    user=None,
    action: str,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AuditOutcome.ALLOWED,
    client_address: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Runs in the caller's transaction when there is one."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    roles = ",".join(sorted(user.role_keys())) if authenticated else ""
    if authenticated and user.is_patient_user:
        roles = "patient"
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            user_id=user.pk if authenticated else None,
            username=user.get_username() if authenticated else "",
            role=roles,
            patient_id=patient_id,
            action=str(action),
            object_type=object_type,
            object_id=str(object_id) if object_id not in (None, "") else "",
            outcome=str(outcome),
            client_address=client_address[:64],
            detail=json.loads(json.dumps(detail or {}, default=str)),
            prev_hash=head.last_hash,
        )
        event.hash = _digest(event)
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_seq=event.seq, last_hash=event.hash)
    return event


def audit_request(request, **kwargs) -> AuditEvent:
    return audit_record(user=request.user, client_address=client_address_of(request), **kwargs)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.problem}"


def audit_verify(*, batch_size: int = 2000) -> list[ChainProblem]:
    """Walk the chain and report every changed, inserted or deleted event."""
    problems: list[ChainProblem] = []
    expected_seq = 1
    previous_hash = GENESIS_HASH
    last_seen = 0
    queryset = AuditEvent.objects.order_by("seq")
    for event in queryset.iterator(chunk_size=batch_size):
        if event.seq > expected_seq:
            missing = (
                f"{expected_seq}"
                if event.seq == expected_seq + 1
                else f"{expected_seq}-{event.seq - 1}"
            )
            problems.append(ChainProblem(expected_seq, f"deleted: events {missing} are missing"))
        elif event.seq < expected_seq:
            problems.append(ChainProblem(event.seq, "inserted: sequence number out of order"))
        if _digest(event) != event.hash:
            problems.append(ChainProblem(event.seq, "changed: its content does not match its hash"))
        elif event.prev_hash != previous_hash:
            problems.append(
                ChainProblem(
                    event.seq, "inserted or reordered: it does not follow the event before it"
                )
            )
        previous_hash = event.hash
        expected_seq = event.seq + 1
        last_seen = event.seq
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq > last_seen:
        problems.append(
            ChainProblem(
                last_seen + 1,
                f"deleted: events {last_seen + 1}-{head.last_seq} at the end are missing",
            )
        )
    elif head is not None and head.last_seq == last_seen and head.last_hash != previous_hash:
        problems.append(
            ChainProblem(last_seen, "changed: the last event does not match the chain head")
        )
    return problems
