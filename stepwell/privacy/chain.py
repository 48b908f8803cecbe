"""Keys and digests of the audit chain (no database access).

- An event's hash is an HMAC-SHA256 over its fields and the previous event's hash. Version
  2 events also cover their `id`, version and key id; version 1 events (written before)
  keep the hash they were written with.
- The head and every checkpoint carry their own HMAC, each with a different label, so no
  signature can be replayed as another kind.
- A checkpoint also holds `chain_digest`: a plain SHA-256 run over every event's content
  and hash. It needs no key to recompute, so a checkpoint signed under a new key keeps
  events written under an old, retired key verifiable.

Keys: STEPWELL_AUDIT_KEY signs (derived from the secret key when unset);
STEPWELL_AUDIT_PREVIOUS_KEYS (comma-separated) only verify. A key is named by its key id,
a short hash of it, never by the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

GENESIS_HASH = "0" * 64
GENESIS_DIGEST = hashlib.sha256(b"stepwell-audit-chain").hexdigest()
CURRENT_VERSION = 2


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    secret: bytes


def key_from_text(text: str) -> AuditKey:
    secret = text.strip().encode()
    return AuditKey(key_id=_key_id(secret), secret=secret)


def _key_id(secret: bytes) -> str:
    return hashlib.sha256(b"stepwell-audit-key-id:" + secret).hexdigest()[:16]


def _derived_key() -> AuditKey:
    secret = hashlib.sha256(b"stepwell-audit:" + settings.SECRET_KEY.encode()).digest()
    return AuditKey(key_id=_key_id(secret), secret=secret)


def current_key() -> AuditKey:
    configured = (getattr(settings, "STEPWELL_AUDIT_KEY", "") or "").strip()
    return key_from_text(configured) if configured else _derived_key()


def is_derived(key: AuditKey) -> bool:
    return key.key_id == _derived_key().key_id


def known_keys() -> dict[str, AuditKey]:
    """Every key that may verify: the current one, the previous ones, the derived one."""
    keys = [current_key()]
    previous = getattr(settings, "STEPWELL_AUDIT_PREVIOUS_KEYS", "") or ""
    keys += [key_from_text(text) for text in previous.split(",") if text.strip()]
    keys.append(_derived_key())
    return {key.key_id: key for key in reversed(keys)}


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_payload(event) -> bytes:
    """The bytes an event's hash covers, by the event's version."""
    fields = [
        event.seq,
        _time(event.occurred_at),
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
    ]
    if event.version == 1:
        return _canonical(fields)
    return _canonical(["event", event.version, event.id, event.key_id, *fields])


def mac(key: AuditKey, payload: bytes) -> str:
    return hmac.new(key.secret, payload, hashlib.sha256).hexdigest()


def event_hash(event, key: AuditKey) -> str:
    return mac(key, event_payload(event))


def head_payload(*, last_seq: int, last_hash: str, key_id: str) -> bytes:
    return _canonical(["head", CURRENT_VERSION, last_seq, last_hash, key_id])


def checkpoint_payload(
    *, seq: int, event_hash: str, chain_digest: str, created_at, reason
) -> bytes:
    return _canonical(
        ["checkpoint", CURRENT_VERSION, seq, event_hash, chain_digest, _time(created_at), reason]
    )


def next_digest(previous: str, payload: bytes, stored_hash: str) -> str:
    """One step of the keyless running digest over the chain."""
    step = hashlib.sha256()
    step.update(previous.encode())
    step.update(hashlib.sha256(payload).digest())
    step.update(stored_hash.encode())
    return step.hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
