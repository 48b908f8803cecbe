"""What a disclosed document or the patient's own copy holds: the chosen sections of one
patient's record over a date range, each item marked when it is a Part 2 record.

Callers have decided what the user may read or disclose (privacy.access.consent); this
module only reads. Psychotherapy notes are a separate table that is never read here.
Which items are Part 2 records: docs/clinical-sources.md §9.1 (stepwell.consent.terms).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from stepwell.care.models import Attendance, ClinicalNote
from stepwell.care.notes.formats import SECTION_LABELS as NOTE_LABELS
from stepwell.care.notes.formats import sections_of
from stepwell.intake.models import AssessmentDiagnosis, AssessmentStatus
from stepwell.measures.models import Administration, AdministrationStatus
from stepwell.patients.models import Episode, Patient
from stepwell.plans.models import PlanStatus, TreatmentPlan

from .models import AmendmentRequest, Consent, Disclosure
from .terms import (
    SECTION_LABELS,
    ConsentKind,
    Section,
    is_substance_use_code,
    is_substance_use_instrument,
)


@dataclass(frozen=True)
class Row:
    """One item of a section: a heading, its lines, and whether it is a Part 2 record."""

    heading: str
    lines: tuple[str, ...] = ()
    part2: bool = False


@dataclass
class RecordContent:
    patient: Patient
    sections: tuple[Section, ...]
    date_from: date
    date_to: date
    generated_at: datetime
    rows: dict[Section, list[Row]] = field(default_factory=dict)
    part2_reasons: list[str] = field(default_factory=list)

    @property
    def part2(self) -> bool:
        return bool(self.part2_reasons)

    def section_list(self) -> list[tuple[str, list[Row]]]:
        return [(SECTION_LABELS[s], self.rows.get(s, [])) for s in self.sections]

    def reason(self, text: str) -> None:
        if text not in self.part2_reasons:
            self.part2_reasons.append(text)


def _day(moment) -> date | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return timezone.localdate(moment)
    return moment


def _within(content: RecordContent, moment) -> bool:
    day = _day(moment)
    return day is not None and content.date_from <= day <= content.date_to


def episodes_in_range(patient: Patient, date_from: date, date_to: date) -> list[Episode]:
    return [
        e
        for e in patient.episodes.select_related("program").order_by("referred_on", "pk")
        if e.referred_on <= date_to and (e.discharged_on is None or e.discharged_on >= date_from)
    ]


def record_content(
    patient: Patient,
    *,
    sections,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> RecordContent:
    wanted = tuple(s for s in Section if s in set(sections))
    content = RecordContent(
        patient=patient,
        sections=wanted,
        date_from=date_from,
        date_to=date_to,
        generated_at=now or timezone.now(),
    )
    episodes = episodes_in_range(patient, date_from, date_to)
    for episode in episodes:
        if episode.program.part2_program:
            content.reason(f"Records of {episode.program.name}, a 42 CFR Part 2 program")
    part2_programs = {e.program_id for e in episodes if e.program.part2_program}
    sud_diagnosis = AssessmentDiagnosis.objects.filter(
        assessment__episode__patient=patient, assessment__status=AssessmentStatus.SIGNED
    )
    substance_use_known = any(is_substance_use_code(d.code) for d in sud_diagnosis)
    gather = {
        Section.EPISODES: _episodes,
        Section.DIAGNOSES: _diagnoses,
        Section.PLAN: _plans,
        Section.MEASURES: _measures,
        Section.ATTENDANCE: _attendance,
        Section.NOTES: _notes,
        Section.CONSENTS: _consents,
        Section.DISCLOSURES: _disclosures,
        Section.AMENDMENTS: _amendments,
    }
    context = {
        "episodes": episodes,
        "part2_programs": part2_programs,
        "substance_use_known": substance_use_known,
    }
    for section in wanted:
        content.rows[section] = gather[section](content, **context)
    return content


def _episodes(content, *, episodes, part2_programs, **_) -> list[Row]:
    rows = []
    for e in episodes:
        lines = [f"Referred {e.referred_on.isoformat()}"]
        if e.admitted_on:
            lines.append(f"Admitted {e.admitted_on.isoformat()}")
        if e.discharged_on:
            lines.append(
                f"Discharged {e.discharged_on.isoformat()} "
                f"({e.get_discharge_disposition_display() or 'no disposition'})"
            )
        for change in e.level_of_care_changes.all():
            lines.append(
                f"{change.get_direction_display()} {change.get_level_of_care_display()} "
                f"on {change.effective_date.isoformat()}"
            )
        rows.append(
            Row(
                f"{e.program.name}: {e.get_state_display()}",
                tuple(lines),
                e.program_id in part2_programs,
            )
        )
    return rows


def _diagnoses(content, *, episodes, part2_programs, **_) -> list[Row]:
    rows = []
    diagnoses = (
        AssessmentDiagnosis.objects.filter(
            assessment__episode__in=episodes, assessment__status=AssessmentStatus.SIGNED
        )
        .select_related("assessment__episode")
        .order_by("assessment__signed_at", "pk")
    )
    for d in diagnoses:
        if _day(d.assessment.signed_at) and _day(d.assessment.signed_at) > content.date_to:
            continue
        substance = is_substance_use_code(d.code)
        if substance:
            content.reason(f"A substance-use diagnosis ({d.code})")
        part2 = substance or d.assessment.episode.program_id in part2_programs
        rows.append(Row(f"{d.code} {d.description}".strip(), (), part2))
    return rows


def _plans(content, *, episodes, part2_programs, **_) -> list[Row]:
    rows = []
    for episode in episodes:
        plan = (
            TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.SIGNED)
            .prefetch_related("problems__goals__objectives", "problems__diagnoses")
            .order_by("-version")
            .first()
        )
        if plan is None or _day(plan.signed_at) > content.date_to:
            continue
        part2 = episode.program_id in part2_programs
        lines = []
        for problem in plan.problems.all():
            if any(is_substance_use_code(d.code) for d in problem.diagnoses.all()):
                part2 = True
            lines.append(f"Problem: {problem.statement}")
            for goal in problem.goals.all():
                lines.append(f"Goal: {goal.clinical_wording} (in my words: {goal.patient_words})")
                for objective in goal.objectives.all():
                    lines.append(
                        f"Objective: {objective.description}, by {objective.target_date}"
                        f" ({objective.get_status_display().lower()})"
                    )
        heading = f"{episode.program.name}: plan version {plan.version}, signed " + (
            _day(plan.signed_at).isoformat()
        )
        rows.append(Row(heading, tuple(lines), part2))
    return rows


def _instrument_name(key: str, version: str) -> str:
    from stepwell.measures.selectors import instrument_for

    try:
        return instrument_for(key, version).abbreviation
    except LookupError:
        return key.upper()


def _measures(content, *, part2_programs, **_) -> list[Row]:
    rows = []
    administrations = Administration.objects.filter(
        patient=content.patient, status=AdministrationStatus.COMPLETED
    ).order_by("completed_at", "pk")
    for a in administrations:
        if not _within(content, a.completed_at):
            continue
        substance = is_substance_use_instrument(a.instrument_key)
        if substance:
            content.reason(f"Answers to a substance-use questionnaire ({a.instrument_key.upper()})")
        part2 = substance or (a.episode_id is not None and a.episode.program_id in part2_programs)
        result = f"total {a.total}" if a.total is not None else "no total"
        band = f", {a.band.replace('_', ' ')}" if a.band else ""
        rows.append(
            Row(
                f"{_day(a.completed_at).isoformat()} "
                f"{_instrument_name(a.instrument_key, a.instrument_version)}: {result}{band}",
                (),
                part2,
            )
        )
    return rows


def _attendance(content, *, part2_programs, **_) -> list[Row]:
    rows = []
    records = (
        Attendance.objects.filter(patient=content.patient)
        .select_related("occurrence", "appointment")
        .order_by("session_starts_at", "pk")
    )
    for a in records:
        if not _within(content, a.session_starts_at):
            continue
        session = a.occurrence or a.appointment
        program_id = session.program_id if session is not None else None
        title = (
            a.occurrence.title
            if a.occurrence_id
            else (a.appointment.get_kind_display() if a.appointment_id else "Session")
        )
        rows.append(
            Row(
                f"{_day(a.session_starts_at).isoformat()} {title}: {a.get_status_display()}"
                f", {a.minutes_attended} minutes",
                (),
                program_id in part2_programs,
            )
        )
    return rows


def _notes(content, *, part2_programs, substance_use_known, **_) -> list[Row]:
    rows = []
    notes = (
        ClinicalNote.objects.filter(patient=content.patient, signed_at__isnull=False)
        .select_related("author", "appointment", "group_note__occurrence")
        .prefetch_related("addenda")
        .order_by("signed_at", "pk")
    )
    for note in notes:
        moment = note.started_at or note.signed_at
        if not _within(content, moment):
            continue
        session = note.appointment or (note.group_note.occurrence if note.group_note_id else None)
        program_id = session.program_id if session is not None else None
        lines = [
            f"{NOTE_LABELS[name]}: {getattr(note, name)}"
            for name in sections_of(note.note_format)
            if getattr(note, name)
        ]
        lines += [f"Addendum {a.written_at:%Y-%m-%d}: {a.text}" for a in note.addenda.all()]
        part2 = program_id in part2_programs or substance_use_known
        rows.append(
            Row(
                f"{_day(moment).isoformat()} {note.get_kind_display()} note by {note.author}",
                tuple(lines),
                part2,
            )
        )
    return rows


def _consents(content, *, part2_programs, **_) -> list[Row]:
    rows = []
    for c in Consent.objects.filter(patient=content.patient).prefetch_related(
        "disclosing_programs"
    ):
        part2 = c.kind == ConsentKind.PART2 or any(
            p.pk in part2_programs or p.part2_program for p in c.disclosing_programs.all()
        )
        lines = []
        if c.signed_at:
            lines.append(
                f"Signed {_day(c.signed_at).isoformat()} ({c.get_signature_method_display()})"
            )
        if c.recipient_list:
            lines.append("Recipients: " + "; ".join(c.recipient_list))
        if c.ended_at:
            lines.append(f"{c.get_ended_reason_display()} on {_day(c.ended_at).isoformat()}")
        rows.append(Row(f"{c.get_kind_display()} ({c.get_status_display()})", tuple(lines), part2))
    return rows


def _disclosures(content, **_) -> list[Row]:
    rows = []
    for d in Disclosure.objects.filter(patient=content.patient).order_by("made_at", "pk"):
        lines = (
            f"Purpose: {d.get_purpose_display()}",
            f"Basis: {d.get_basis_display()}",
            f"Records from {d.date_from.isoformat()} to {d.date_to.isoformat()}: "
            + ", ".join(SECTION_LABELS[Section(s)] for s in d.sections),
        )
        rows.append(Row(f"{_day(d.made_at).isoformat()} to {d.recipient}", lines, d.part2))
    return rows


def _amendments(content, **_) -> list[Row]:
    rows = []
    for a in AmendmentRequest.objects.filter(patient=content.patient).order_by("requested_at"):
        lines = [f"Asked: {a.request}"]
        if a.decided_at:
            lines.append(
                f"{a.get_status_display()} on {_day(a.decided_at).isoformat()}: {a.decision_reason}"
            )
        rows.append(
            Row(
                f"{_day(a.requested_at).isoformat()} {SECTION_LABELS[Section(a.section)]}",
                tuple(lines),
                False,
            )
        )
    return rows


def record_part2_reasons(patient: Patient) -> list[str]:
    """Why this patient's record holds Part 2 records (empty: it holds none)."""
    reasons = []
    for program in {e.program for e in patient.episodes.select_related("program")}:
        if program.part2_program:
            reasons.append(f"Records of {program.name}, a 42 CFR Part 2 program")
    codes = AssessmentDiagnosis.objects.filter(
        assessment__episode__patient=patient, assessment__status=AssessmentStatus.SIGNED
    ).values_list("code", flat=True)
    for code in sorted(set(codes)):
        if is_substance_use_code(code):
            reasons.append(f"A substance-use diagnosis ({code})")
    keys = Administration.objects.filter(
        patient=patient, status=AdministrationStatus.COMPLETED
    ).values_list("instrument_key", flat=True)
    for key in sorted(set(keys)):
        if is_substance_use_instrument(key):
            reasons.append(f"Answers to a substance-use questionnaire ({key.upper()})")
    return sorted(reasons)
