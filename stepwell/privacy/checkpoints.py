"""Signed checkpoints of the audit chain: daily, on demand, and at a key rotation.

A checkpoint is written only after the whole chain verifies, so it never vouches for a
tampered chain. Exported to a file kept off the machine (`stepwell audit checkpoint
--export FILE`), it lets `stepwell audit verify --against FILE` find a truncation or a
rewrite even when whoever did it held the database.

A key rotation signs one checkpoint under the old and the new key: once the old key is
retired, that checkpoint's digest still vouches for every event written under it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import chain
from .access.audit import access_audit_maintenance
from .audit import AuditAction, audit_record
from .models import AuditCheckpoint, CheckpointReason
from .refusals import refuse
from .verify import Anchor, ChainReport, audit_chain_verify

FILE_FORMAT = "stepwell-audit-checkpoint/1"


class CheckpointRefused(RuntimeError):
    """The chain does not verify; no checkpoint vouches for it."""

    def __init__(self, report: ChainReport):
        first = "; ".join(str(problem) for problem in report.problems[:3])
        super().__init__(
            f"The audit trail is NOT intact: {len(report.problems)} problem(s) ({first})."
        )
        self.report = report


def _sign(anchor_fields: dict, keys: list[chain.AuditKey]) -> dict[str, str]:
    payload = chain.checkpoint_payload(**anchor_fields)
    return {key.key_id: chain.mac(key, payload) for key in keys}


def _require_maintainer(actor, object_type: str) -> None:
    if not access_audit_maintenance(actor):
        raise refuse(actor=actor, action=AuditAction.CREATE, object_type=object_type)


def audit_checkpoint_create(
    *,
    actor,
    reason: str = CheckpointReason.MANUAL,
    extra_keys: tuple[chain.AuditKey, ...] = (),
) -> tuple[AuditCheckpoint, ChainReport]:
    """Verify the chain, then sign where it stands now (the head read at the start).

    Only a named system job signs (the command or the daily job). The checkpoint writes
    no event of its own: an event after it, signed under a key about to be retired, would
    be left unverifiable by a key rotation."""
    _require_maintainer(actor, "audit_checkpoint")
    keys = chain.known_keys()
    for key in extra_keys:
        keys.setdefault(key.key_id, key)
    report = audit_chain_verify(keys=keys)
    if not report.intact:
        raise CheckpointRefused(report)
    seq = report.head_seq or 0
    fields = {
        "seq": seq,
        "event_hash": report.hash_at[seq],
        "chain_digest": report.digest_at[seq],
        "created_at": timezone.now(),
        "reason": str(reason),
    }
    signers = [chain.current_key(), *extra_keys]
    checkpoint = AuditCheckpoint(**fields, macs=_sign(fields, signers))
    checkpoint.save(force_insert=True)
    checkpoint.refresh_from_db()
    return checkpoint, report


def checkpoint_export(checkpoint: AuditCheckpoint, path: Path) -> None:
    """Write the checkpoint as JSON for safe keeping off the machine."""
    data = {
        "format": FILE_FORMAT,
        "seq": checkpoint.seq,
        "event_hash": checkpoint.event_hash,
        "chain_digest": checkpoint.chain_digest,
        "created_at": checkpoint.created_at.isoformat(timespec="microseconds"),
        "reason": checkpoint.reason,
        "macs": checkpoint.macs,
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


class CheckpointFileError(ValueError):
    pass


def checkpoint_load(path: Path) -> Anchor:
    """Read an exported checkpoint; a clear error for anything that is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CheckpointFileError(f"{path}: no such file.") from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CheckpointFileError(f"{path}: not a checkpoint file ({error}).") from error
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise CheckpointFileError(f"{path}: not a Stepwell audit checkpoint file.")
    try:
        created_at = datetime.fromisoformat(str(data["created_at"]))
        seq = data["seq"]
        texts = [str(data[name]) for name in ("event_hash", "chain_digest", "reason")]
        macs = data["macs"]
    except (KeyError, ValueError, TypeError) as error:
        raise CheckpointFileError(f"{path}: a field is missing or malformed ({error}).") from error
    if not isinstance(seq, int) or seq < 0 or not isinstance(macs, dict) or not created_at.tzinfo:
        raise CheckpointFileError(f"{path}: a field is missing or malformed.")
    return Anchor(
        seq=seq,
        event_hash=texts[0],
        chain_digest=texts[1],
        created_at=created_at,
        reason=texts[2],
        macs={str(k): str(v) for k, v in macs.items()},
        source=f"the exported checkpoint of {created_at:%Y-%m-%d %H:%M} UTC",
    )


def audit_key_rotate(*, actor, new_key: chain.AuditKey) -> AuditCheckpoint:
    """Sign a checkpoint under the current and the new key, and record the rotation."""
    _require_maintainer(actor, "audit_key")
    old_key = chain.current_key()
    if new_key.key_id == old_key.key_id:
        raise ValueError("The new key is the key in use now.")
    if len(new_key.secret) < 32:
        raise ValueError("The new key must be at least 32 characters long.")
    with transaction.atomic():
        audit_record(
            user=actor,
            action=AuditAction.KEY_ROTATION,
            object_type="audit_key",
            object_id=new_key.key_id,
            detail={"from_key": old_key.key_id, "to_key": new_key.key_id},
        )
    checkpoint, _ = audit_checkpoint_create(
        actor=actor, reason=CheckpointReason.KEY_ROTATION, extra_keys=(new_key,)
    )
    return checkpoint
