"""Verify the audit chain: every event, the head, and the checkpoints.

The report says what was actually read (events walked, their first and last numbers, how
many were checked by key and how many by a checkpoint), never what the head claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import chain
from .models import ADMINISTRATORS_REVIEW, AuditChainHead, AuditCheckpoint, AuditEvent
from .triggers import PROGRAM_LINKS


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.problem}"


@dataclass(frozen=True)
class Anchor:
    """A checkpoint, from the database or from an exported file."""

    seq: int
    event_hash: str
    chain_digest: str
    created_at: datetime
    reason: str
    macs: dict
    source: str  # "checkpoint 3" or "the exported file"

    def signed_by(self, keys: dict[str, chain.AuditKey]) -> tuple[bool, bool]:
        """(any known key signed it, every known key's signature matches)."""
        payload = chain.checkpoint_payload(
            seq=self.seq,
            event_hash=self.event_hash,
            chain_digest=self.chain_digest,
            created_at=self.created_at,
            reason=self.reason,
        )
        checked = [
            chain.same(chain.mac(keys[key_id], payload), str(value))
            for key_id, value in self.macs.items()
            if key_id in keys
        ]
        return bool(checked), all(checked)


@dataclass
class ChainReport:
    events_checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    checked_by_key: int = 0
    covered_by_checkpoint: int = 0
    checkpoints_matched: int = 0
    checkpoints_without_key: int = 0
    head_seq: int | None = None
    digest_at: dict[int, str] = field(default_factory=dict)
    hash_at: dict[int, str] = field(default_factory=dict)
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.events_checked == 0:
            walked = "0 events checked"
        else:
            walked = (
                f"{self.events_checked} events checked (numbers {self.first_seq} to "
                f"{self.last_seq}; {self.checked_by_key} by key, "
                f"{self.covered_by_checkpoint} by a checkpoint)"
            )
        head = f"head at {self.head_seq}" if self.head_seq is not None else "no head"
        anchors = f"{self.checkpoints_matched} checkpoint(s) matched"
        if self.checkpoints_without_key:
            anchors += f", {self.checkpoints_without_key} signed only by keys not configured"
        return f"{walked}; {head}; {anchors}."


def anchor_of(checkpoint: AuditCheckpoint) -> Anchor:
    return Anchor(
        seq=checkpoint.seq,
        event_hash=checkpoint.event_hash,
        chain_digest=checkpoint.chain_digest,
        created_at=checkpoint.created_at,
        reason=checkpoint.reason,
        macs=checkpoint.macs,
        source=f"checkpoint {checkpoint.pk} of {checkpoint.created_at:%Y-%m-%d %H:%M} UTC",
    )


def _gap(expected: int, found: int) -> str:
    return f"{expected}" if found == expected + 1 else f"{expected}-{found - 1}"


def _check_hash(event, keys) -> bool | None:
    """True or False when a known key can check the event, None when none can."""
    if event.version == 1:
        candidates = list(keys.values())
        if any(chain.same(chain.event_hash(event, key), event.hash) for key in candidates):
            return True
        return None
    key = keys.get(event.key_id)
    if key is None:
        return None
    return chain.same(chain.event_hash(event, key), event.hash)


def audit_chain_verify(
    *, against: Anchor | None = None, batch_size: int = 2000, keys=None
) -> ChainReport:
    """Walk the chain and report every changed, inserted or deleted event."""
    keys = keys if keys is not None else chain.known_keys()
    report = ChainReport()
    head = AuditChainHead.objects.filter(pk=1).first()
    anchors = [anchor_of(c) for c in AuditCheckpoint.objects.order_by("seq", "pk")]
    if against is not None:
        anchors.append(against)
    anchors.sort(key=lambda a: a.seq)
    trusted_anchors = []
    for anchor in anchors:
        has_key, valid = anchor.signed_by(keys)
        if has_key and valid:
            trusted_anchors.append(anchor)
        elif has_key:
            report.problems.append(
                ChainProblem(anchor.seq, f"{anchor.source} does not match its signature")
            )
        elif anchor is against:
            report.problems.append(
                ChainProblem(anchor.seq, "the exported file is not signed by any configured key")
            )
        else:
            report.checkpoints_without_key += 1
    wanted = {a.seq for a in trusted_anchors} | ({head.last_seq} if head else set())
    if against is not None and against not in trusted_anchors:
        wanted.add(against.seq)

    expected_seq, previous_hash, digest = 1, chain.GENESIS_HASH, chain.GENESIS_DIGEST
    unchecked: list[int] = []  # events no configured key can check, waiting for a checkpoint
    report.digest_at[0], report.hash_at[0] = digest, previous_hash
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        report.events_checked += 1
        report.first_seq = event.seq if report.first_seq is None else report.first_seq
        report.last_seq = event.seq
        if event.seq > expected_seq:
            report.problems.append(
                ChainProblem(
                    expected_seq, f"deleted: events {_gap(expected_seq, event.seq)} are missing"
                )
            )
        elif event.seq < expected_seq:
            report.problems.append(
                ChainProblem(event.seq, "inserted: sequence number out of order")
            )
        checked = _check_hash(event, keys) if event.version in (1, 2) else False
        if checked is False:
            report.problems.append(
                ChainProblem(event.seq, "changed: its content does not match its hash")
            )
        elif event.prev_hash != previous_hash:
            report.problems.append(
                ChainProblem(
                    event.seq, "inserted or reordered: it does not follow the event before it"
                )
            )
        elif checked is True:
            report.checked_by_key += 1
        else:
            unchecked.append(event.seq)
        digest = chain.next_digest(digest, chain.event_payload(event), event.hash)
        if event.seq in wanted:
            report.digest_at[event.seq], report.hash_at[event.seq] = digest, event.hash
        previous_hash, expected_seq = event.hash, event.seq + 1
    last_seen = expected_seq - 1

    for anchor in trusted_anchors:
        if anchor.seq > last_seen:
            report.problems.append(
                ChainProblem(
                    last_seen + 1,
                    f"deleted: {anchor.source} recorded events up to {anchor.seq}; "
                    f"the chain ends at {last_seen}",
                )
            )
        elif (
            report.digest_at.get(anchor.seq) != anchor.chain_digest
            or report.hash_at.get(anchor.seq) != anchor.event_hash
        ):
            report.problems.append(
                ChainProblem(
                    anchor.seq,
                    f"changed: the events up to {anchor.seq} differ from {anchor.source}",
                )
            )
        else:
            report.checkpoints_matched += 1
            covered = [seq for seq in unchecked if seq <= anchor.seq]
            report.covered_by_checkpoint += len(covered)
            unchecked = [seq for seq in unchecked if seq > anchor.seq]
    for seq in unchecked:
        report.problems.append(
            ChainProblem(
                seq,
                "cannot be checked: its key is not configured and no later checkpoint covers it",
            )
        )
    _check_head(report, head, last_seen, previous_hash, keys)
    report.problems.sort(key=lambda p: p.seq)
    return report


def _check_head(report: ChainReport, head, last_seen: int, last_hash: str, keys) -> None:
    if head is None:
        report.problems.append(ChainProblem(last_seen, "the chain head is missing"))
        return
    report.head_seq = head.last_seq
    key = keys.get(head.key_id)
    payload = chain.head_payload(
        last_seq=head.last_seq, last_hash=head.last_hash, key_id=head.key_id
    )
    if key is None or not chain.same(chain.mac(key, payload), head.mac):
        report.problems.append(
            ChainProblem(head.last_seq, "the chain head does not match its signature")
        )
        return
    if head.last_seq > last_seen:
        report.problems.append(
            ChainProblem(
                last_seen + 1,
                f"deleted: events {last_seen + 1}-{head.last_seq} at the end are missing",
            )
        )
    elif head.last_seq < last_seen:
        # Appended after the head was read (a busy server) or inserted past it.
        current = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
        if current is None or current < last_seen:
            report.problems.append(
                ChainProblem(head.last_seq + 1, "inserted: events after the chain head")
            )
    elif report.hash_at.get(head.last_seq) != head.last_hash:
        report.problems.append(
            ChainProblem(last_seen, "changed: the last event does not match the chain head")
        )


# The links the rules give and the database can still work out: an event about a patient
# belongs to each program the patient has an episode in, an event about no one patient to
# each program of a patient it names, and an event that concerns and names no patient to
# the administrators' review. (The last are also linked to their user's programs as staff
# when written, which the database no longer knows.)
_GIVEN_BY_RULES = f"""
SELECT event.seq AS seq, episode.program_id AS program_id FROM privacy_auditevent event
  JOIN patients_episode episode ON episode.patient_id = event.patient_id
UNION
SELECT event.seq, episode.program_id FROM privacy_auditevent event
  JOIN privacy_auditeventpatient named ON named.event_seq = event.seq
  JOIN patients_episode episode ON episode.patient_id = named.patient_id
  WHERE event.patient_id IS NULL
UNION
SELECT event.seq, {ADMINISTRATORS_REVIEW} FROM privacy_auditevent event
  WHERE event.patient_id IS NULL AND NOT EXISTS (SELECT 1 FROM privacy_auditeventpatient
    named WHERE named.event_seq = event.seq)
"""  # noqa: S608 - a constant number only
_NOT_LINKED = f"""NOT EXISTS (SELECT 1 FROM {PROGRAM_LINKS} link
  WHERE link.event_seq = wanted.seq AND link.program_id = wanted.program_id)"""  # noqa: S608
_MISSING_LINKS = f"""
SELECT wanted.seq, wanted.program_id FROM ({_GIVEN_BY_RULES}) wanted
WHERE {_NOT_LINKED} ORDER BY 1, 2
"""  # noqa: S608 - table names only
_STRAY_LINKS = f"""
SELECT link.event_seq, link.program_id FROM {PROGRAM_LINKS} link
  JOIN privacy_auditevent event ON event.seq = link.event_seq
  WHERE (event.patient_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients_episode episode
      WHERE episode.patient_id = event.patient_id AND episode.program_id = link.program_id))
    OR (event.patient_id IS NULL
      AND EXISTS (SELECT 1 FROM privacy_auditeventpatient named
        WHERE named.event_seq = event.seq)
      AND NOT EXISTS (SELECT 1 FROM privacy_auditeventpatient named
        JOIN patients_episode episode ON episode.patient_id = named.patient_id
        WHERE named.event_seq = event.seq AND episode.program_id = link.program_id))
ORDER BY 1, 2
"""  # noqa: S608 - table names only


def audit_review_links_verify() -> list[ChainProblem]:
    """Events missing from a review (a director or administrator would not see them) and
    events in a review its rules do not give (they would see what they may not): the
    links checked against the episodes and the named patients."""
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute(_MISSING_LINKS)
        problems += [
            ChainProblem(
                seq,
                "missing from the administrators' review (it names no patient)"
                if program == ADMINISTRATORS_REVIEW
                else f"missing from program {program}'s review (a patient of it)",
            )
            for seq, program in cursor.fetchall()
        ]
        cursor.execute(_STRAY_LINKS)
        problems += [
            ChainProblem(
                seq,
                "in the administrators' review, but it concerns or names a patient"
                if program == ADMINISTRATORS_REVIEW
                else f"in program {program}'s review, which no patient of it gives",
            )
            for seq, program in cursor.fetchall()
        ]
    return sorted(problems, key=lambda p: p.seq)


# What the rules give every event (privacy 0005 and 0007 linked the trail of their day
# the same way), the links it lacks only; an event naming no patient and linked to no
# program is linked to its user's programs as staff now, the nearest to "when it was
# written" still known.
_RELINK = f"""
INSERT INTO {PROGRAM_LINKS} (event_seq, program_id)
SELECT wanted.seq, wanted.program_id FROM (
  {_GIVEN_BY_RULES}
  UNION
  SELECT event.seq, staff.program_id FROM privacy_auditevent event
    JOIN clinic_programstaff staff ON staff.user_id = event.user_id
    WHERE event.patient_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM privacy_auditeventpatient named
        WHERE named.event_seq = event.seq)
      AND NOT EXISTS (SELECT 1 FROM {PROGRAM_LINKS} link WHERE link.event_seq = event.seq
        AND link.program_id <> {ADMINISTRATORS_REVIEW})
) wanted
WHERE {_NOT_LINKED}
"""  # noqa: S608 - table names and a constant number only


def audit_review_links_repair() -> int:
    """Add the program links the rules give that are missing (events appended by a server
    still running code from before the links, during an upgrade): how many were added.
    Under the chain head's lock, so no append or new episode links meanwhile. Links that
    should not be there are left for the operator (audit_review_links_verify names them):
    the trail is append-only."""
    from django.db import connection, transaction

    from .models import AuditChainHead

    with transaction.atomic():
        AuditChainHead.objects.select_for_update().filter(pk=1).first()
        with connection.cursor() as cursor:
            cursor.execute(_RELINK)
            return cursor.rowcount


def audit_named_rows_verify(*, batch_size: int = 2000) -> list[ChainProblem]:
    """Events whose rows of named patients (AuditEventPatient: what a patient filter and
    the program links read) differ from the patients their detail names, which the chain
    covers: a row deleted hides a list event from a search by its patient; one added puts
    an event where its detail does not. Read a batch of events at a time, by number."""
    from .audit import named_patient_ids
    from .models import AuditEventPatient

    problems = []
    after = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(seq__gt=after)
            .order_by("seq")
            .values_list("seq", "patient_id", "detail")[:batch_size]
        )
        if not batch:
            return problems
        first, after = batch[0][0], batch[-1][0]
        stored: dict[int, set[int]] = {}
        for seq, patient_id in AuditEventPatient.objects.filter(
            event_seq__gte=first, event_seq__lte=after
        ).values_list("event_seq", "patient_id"):
            stored.setdefault(seq, set()).add(patient_id)
        for seq, patient_id, detail in batch:
            named = named_patient_ids(detail) - {patient_id} if isinstance(detail, dict) else set()
            rows = stored.get(seq, set())
            problems += [
                ChainProblem(seq, f"names patient {p} in its detail, but no row says so")
                for p in sorted(named - rows)
            ] + [
                ChainProblem(seq, f"a row says it names patient {p}, but its detail does not")
                for p in sorted(rows - named)
            ]
