"""The audit trail: append-only, hash-chained events (45 CFR 170.315(d)(2), ASTM E2147).

See docs/clinical-sources.md §5 (privacy and audit logs) and the README "Audit trail".
Four tables, all append-only in the database itself (privacy/triggers.py):
- AuditEvent: one row per access, chained by HMAC to the one before it.
- AuditEventPatient: the patients an event names in its detail (a list page names many),
  so the audit review can scope events by patient.
- AuditEventProgram: the reviews an event belongs to (the programs it concerns, and the
  administrators' for an event that concerns and names no patient), so a review reads its
  events newest first from one index instead of searching the whole trail.
- AuditChainHead: one row, the last event's number and hash with its own HMAC. The only
  change the database accepts is a step to the event just appended.
- AuditCheckpoint: signed anchors of the chain (daily, on demand, at key rotation) that
  an operator exports off the machine.
"""

from __future__ import annotations

from django.db import models

APPEND_ONLY = "Audit records are append-only."


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(APPEND_ONLY)


class AuditEvent(AppendOnly):
    # Version 1 events (before the id was hashed) keep their hashes; new events are 2.
    version = models.PositiveSmallIntegerField(default=2)
    key_id = models.CharField(max_length=16, blank=True)
    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=200, blank=True)
    patient_id = models.BigIntegerField(null=True, db_index=True)
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16)
    client_address = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["occurred_at"]),
            models.Index(fields=["user_id"]),
            # The review's filters on a value, newest first: a rare one (denied attempts,
            # exports) is read from its own index instead of the trail walked back to
            # find it. The text filters' trigram indexes (PostgreSQL) are in migration 0006.
            models.Index(fields=["outcome", "seq"], name="audit_outcome_seq"),
            models.Index(fields=["action", "seq"], name="audit_action_seq"),
            models.Index(fields=["object_type", "seq"], name="audit_object_type_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"


class AuditEventPatient(AppendOnly):
    """A patient named in an event's detail (patient_id itself is on the event)."""

    event_seq = models.BigIntegerField(db_index=True)
    patient_id = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event_seq", "patient_id"], name="audit_event_patient_once"
            )
        ]

    def __str__(self) -> str:
        return f"event {self.event_seq} names patient {self.patient_id}"


# The review an administrator reads (events that concern and name no patient: logins,
# privilege changes), linked as a program's is: under this number, which no program has
# (their ids start at 1).
ADMINISTRATORS_REVIEW = 0


class AuditEventProgram(AppendOnly):
    """A program whose director reviews the event: a program the event's patient has an
    episode in (or, for an event about no one patient, a program of a patient it names);
    for an event that concerns and names no patient, a program its user was staff of when
    it was written, and ADMINISTRATORS_REVIEW.

    Written with the event (privacy.audit.audit_record). A patient's first episode in a
    program links that patient's earlier events to the program too, by a database
    trigger on the episodes (privacy.triggers), so a director sees a patient's whole
    trail whenever the patient came to their program, as before the links existed."""

    event = models.ForeignKey(
        AuditEvent,
        to_field="seq",
        db_column="event_seq",
        db_constraint=False,  # like the patients' links: plain numbers, no lock on events
        on_delete=models.DO_NOTHING,
        related_name="program_links",
    )
    program_id = models.BigIntegerField()

    class Meta:
        constraints = [
            # also the index a director's page reads, per program, newest first
            models.UniqueConstraint(fields=["program_id", "event"], name="audit_event_program_once")
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} concerns program {self.program_id}"


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash, signed, so a deleted tail is detected."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    key_id = models.CharField(max_length=16, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head at {self.last_seq}"

    def delete(self, *args, **kwargs):
        raise RuntimeError(APPEND_ONLY)


class CheckpointReason(models.TextChoices):
    DAILY = "daily", "Daily"
    MANUAL = "manual", "On demand"
    KEY_ROTATION = "key_rotation", "Key rotation"


class AuditCheckpoint(AppendOnly):
    """The chain as it stood: the event at `seq`, its hash, and a digest of every event up to it.

    `chain_digest` is a plain SHA-256 over every event's content and hash up to `seq`, so
    it can be recomputed without the key; `macs` signs the checkpoint under one key (two
    at a rotation), keyed by key id.
    """

    created_at = models.DateTimeField()
    seq = models.BigIntegerField()
    event_hash = models.CharField(max_length=64)
    chain_digest = models.CharField(max_length=64)
    reason = models.CharField(max_length=16, choices=CheckpointReason.choices)
    macs = models.JSONField(default=dict)

    class Meta:
        ordering = ["seq", "pk"]

    def __str__(self) -> str:
        return f"checkpoint at {self.seq} ({self.reason})"
