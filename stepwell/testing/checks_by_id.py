"""Test helper: a record check by id compared with the scope it answers for.

A check such as access_attendance_by_id reads one record and allows or refuses it; the
scope (attendance_rows_taken_by) says the same for every record at once. `compare` tries
every stored record and an id that is not stored as one person, and asserts the check
allows exactly the scope's ids; `Outcomes` collects what the checks answered and, once at
the end, asserts that each check both allowed and refused someone and that the audit
trail's denied events name exactly the refused records' patients, in order.
"""

from __future__ import annotations

from collections import defaultdict

from stepwell.core.errors import AccessDenied
from stepwell.privacy.audit import AuditOutcome
from stepwell.privacy.models import AuditEvent

MISSING = 10**9  # an id no test stores


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


class Outcomes:
    """What the checks answered: each check's outcomes (both must occur), and the patient
    each refusal should have named in the audit trail, in order (read back once, at the
    end, instead of after every check)."""

    def __init__(self) -> None:
        self.seen: dict[str, set[bool]] = defaultdict(set)
        self.refused: list[int | None] = []
        self.start = last_seq()

    def verify(self) -> None:
        assert {name: seen for name, seen in self.seen.items() if seen != {True, False}} == {}
        denied = AuditEvent.objects.filter(seq__gt=self.start, outcome=AuditOutcome.DENIED)
        assert list(denied.order_by("seq").values_list("patient_id", flat=True)) == self.refused


def compare(outcomes: Outcomes, name, user, check, stored, allowed, patient_of) -> None:
    """Check every stored record and a missing id: allowed exactly for `allowed` (the
    ids the scope holds); each refusal audited once, naming the record's patient."""
    for record in [*stored, None]:
        record_id = record.pk if record is not None else MISSING
        try:
            got = check(user, record_id)
        except AccessDenied:
            assert record is None or record.pk not in allowed, (name, user.username, record_id)
            outcomes.refused.append(patient_of(record) if record is not None else None)
            outcomes.seen[name].add(False)
        else:
            assert record is not None, (name, user.username, record_id)
            assert record.pk in allowed, (name, user.username, record_id)
            got = got[0] if isinstance(got, tuple) else got
            assert got.pk == record.pk
            outcomes.seen[name].add(True)
