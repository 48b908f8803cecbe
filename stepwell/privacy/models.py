"""The audit trail: append-only, hash-chained events (45 CFR 170.315(d)(2), ASTM E2147).

See shared/domain/clinical-facts.md section 5 "EHR audit-log expectations".
"""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
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
        indexes = [models.Index(fields=["occurred_at"]), models.Index(fields=["user_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash, so a deleted tail is detected too."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain head at {self.last_seq}"
