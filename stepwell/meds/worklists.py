"""The medication worklist: the prescriber's and nurse's medication work, and each
clinician's unexpected positives, for the patients in the user's scope
(privacy.access.meds). Reads only; the patients it shows are audited.

The list is read a page at a time in SQL (worklist_rows: one UNION of a query a kind of
work, ordered and cut there). Only the page's rows are then worded, from their records
read for those rows alone, so a page costs the same few queries however many patients
have work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page
from django.db.models import Prefetch

from stepwell.clinic.time import program_today
from stepwell.core.paging import PAGE_SIZE, page_of, window
from stepwell.patients.models import Episode, LevelOfCareChange, LevelOfCareDirection, Patient
from stepwell.privacy.audit import AuditAction

from .models import Adherence, DrugTest
from .selectors import _audit, unexpected_substances
from .testing_rules import unexpected_wording
from .worklist_rows import (
    EPISODE_WORK,
    Work,
    last_visit,
    sessions_a_week,
    visit_interval_days,
    worklist_rows,
)

__all__ = ["WorkItem", "WorklistPage", "visit_interval_days", "worklist", "worklist_page"]


@dataclass(frozen=True)
class WorkItem:
    kind: str  # visit_due, reconciliation_due, adherence, naloxone, unexpected_positive
    patient: Patient
    detail: str
    due_on: date | None = None
    link: str = ""


@dataclass(frozen=True)
class _Records:
    """The records a page's rows are about, read in one query a kind of record."""

    episodes: dict[int, Episode]
    answers: dict[int, Adherence]
    tests: dict[int, DrugTest]


def _records(rows: list[tuple]) -> _Records:
    """in_bulk of no ids answers {} without a query: a page without answers reads none."""
    episodes, answers, tests = set(), set(), set()
    for work, _, _, _, ref in rows:
        if work in EPISODE_WORK:
            episodes.add(ref)
        else:
            (answers if work == Work.ADHERENCE else tests).add(ref)
    changes = LevelOfCareChange.objects.exclude(direction=LevelOfCareDirection.ADMITTED_FROM)
    return _Records(
        episodes=Episode.objects.select_related("patient", "program")
        .prefetch_related(Prefetch("level_of_care_changes", queryset=changes))
        .annotate(sessions=sessions_a_week(), last_visit_at=last_visit())
        .in_bulk(episodes),
        answers=Adherence.objects.select_related("patient").in_bulk(answers),
        tests=DrugTest.objects.select_related("patient").prefetch_related("results").in_bulk(tests),
    )


def _chart(patient_id: int) -> str:
    return f"/meds/patients/{patient_id}/"


def _episode_item(work: Work, episode: Episode) -> WorkItem:
    patient, program = episode.patient, episode.program
    if work == Work.LEVEL_CHANGE_RECONCILIATION:
        change = max(episode.level_of_care_changes.all(), key=lambda c: (c.recorded_at, c.pk))
        detail = (
            f"Level-of-care change reconciliation: {change.get_direction_display()} "
            f"{change.get_level_of_care_display().lower()} on {change.effective_date} "
            f"({program.name})"
        )
        return WorkItem(work.kind, patient, detail, change.effective_date, _chart(patient.pk))
    if work == Work.ADMISSION_RECONCILIATION:
        detail = f"Admission reconciliation ({program.name})"
        return WorkItem(work.kind, patient, detail, episode.admitted_on, _chart(patient.pk))
    if work == Work.VISIT:
        interval = visit_interval_days(episode.sessions)
        last = episode.last_visit_at
        due = program_today(program, last) + timedelta(days=interval) if last else None
        detail = f"Medication visit every {interval} days"
        return WorkItem(work.kind, patient, detail, due or episode.admitted_on, _chart(patient.pk))
    if work == Work.NALOXONE:
        detail = "Opioid use disorder: offer naloxone"
        return WorkItem(work.kind, patient, detail, None, _chart(patient.pk))
    detail = f"Discharge reconciliation ({program.name})"
    return WorkItem(work.kind, patient, detail, episode.discharged_on, _chart(patient.pk))


def _item(row: tuple, records: _Records) -> WorkItem:
    work, ref = Work(row[0]), row[4]
    if work in EPISODE_WORK:
        return _episode_item(work, records.episodes[ref])
    if work == Work.ADHERENCE:
        answer = records.answers[ref]
        why = f": {answer.why_not}" if answer.why_not else ""
        detail = f"{answer.week}: took them {answer.get_answer_display().lower()}{why}"
        return WorkItem(
            work.kind, answer.patient, detail, answer.answered_at.date(), _chart(answer.patient_id)
        )
    test = records.tests[ref]
    return WorkItem(
        work.kind,
        test.patient,
        unexpected_wording(unexpected_substances(test)),
        test.collected_at.date(),
        f"/meds/drug-tests/{test.pk}/",
    )


def _items(user, rows: list[tuple]) -> list[WorkItem]:
    """The page's rows worded, and the patients they name audited."""
    records = _records(rows)
    items = [_item(row, records) for row in rows]
    _audit(
        user,
        patient_id=None,
        object_type="meds_worklist",
        object_id="",
        action=AuditAction.LIST,
        patients=sorted({i.patient.pk for i in items}),
    )
    return items


@dataclass(frozen=True)
class WorklistPage:
    page: Page  # of rows (COLUMNS)
    items: list[WorkItem]


def worklist_page(*, user, page_number=None) -> WorklistPage:
    """A page of the user's worklist (PAGE_SIZE items), in the order of worklist_rows."""
    page = page_of(worklist_rows(user), page_number)
    return WorklistPage(page=page, items=_items(user, list(page.object_list)))


def worklist(*, user, limit: int = PAGE_SIZE, offset: int = 0) -> list[WorkItem]:
    """`limit` items of the user's worklist after `offset`, in the order of worklist_rows."""
    return _items(user, list(window(worklist_rows(user), limit=limit, offset=offset)))
