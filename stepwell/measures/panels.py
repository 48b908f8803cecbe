"""What the chart and the caseload show of measures. The patients app's views call these
and pass the result to their templates (measures/chart_panel.html and caseload_cell.html),
so no template tag reads the database, checks access or writes the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from stepwell.clinic.time import program_today
from stepwell.core.kept import KeptRecords
from stepwell.core.paging import page_of
from stepwell.patients.models import Patient
from stepwell.patients.selectors import CHART_EPISODES
from stepwell.privacy.access import measures as access
from stepwell.privacy.audit import AuditAction, audit_record

from . import progress, selectors
from .instruments import Instrument
from .models import Administration, AdministrationStatus, Alert, AlertStatus
from .trajectory import ChartBand, ChartPoint, trajectory_svg

COMPLETED_SHOWN = 50  # a page of the patient's completed questionnaires (their own page)
CHART_COMPLETED_SHOWN = 10  # the newest, on the chart (with a link to all of them)
RECORDED = (AdministrationStatus.COMPLETED, AdministrationStatus.INCOMPLETE)
# The patient's questionnaires and open alerts: read on every chart, so kept compiled
# (stepwell/core/kept.py).
_PATIENT = Patient._meta.pk
# The answers and what is scored from them, five JSON columns decoded for every row read:
# the chart reads them for the questionnaires it shows with their answers (the newest),
# not for the year of them behind its trajectories, findings and due list.
ANSWER_FIELDS = ("answers", "item_scores", "subscales", "flags", "problems")
_QUESTIONNAIRES = KeptRecords(
    Administration,
    lambda patient: Administration.objects.filter(patient_id=patient).defer(*ANSWER_FIELDS),
    patient=_PATIENT,
)
# with who recorded each (shown beside it), joined in
_NEWEST_RECORDED = KeptRecords(
    Administration,
    lambda patient: Administration.objects.filter(
        patient_id=patient, status__in=RECORDED
    ).select_related("recorded_by")[:CHART_COMPLETED_SHOWN],
    patient=_PATIENT,
)
_OPEN_ALERTS = KeptRecords(
    Alert,
    lambda patient: Alert.objects.filter(patient_id=patient, status=AlertStatus.OPEN),
    patient=_PATIENT,
)


def chart_for(series: progress.Series, sex: str | None) -> SafeString:
    """The trajectory SVG. A point is ringed only for a classification the instrument's
    verified threshold gives (an unverified one never classifies: docs/clinical-sources.md
    §3.7)."""
    instrument = series.instrument
    bands = [
        ChartBand(label=band.label, minimum=band.minimum, maximum=band.maximum)
        for band in selectors.instrument_bands(instrument, sex)
    ]
    low, high = instrument.total_range or (0, max(p.total for p in series.points))
    points = [
        ChartPoint(
            day=p.completed_on,
            total=p.total,
            reliable=str(p.reliable or "") if p.change_from_baseline else "",
            label=p.band.replace("_", " "),
        )
        for p in series.points
    ]
    return mark_safe(  # noqa: S308 - trajectory_svg escapes every text it writes
        trajectory_svg(
            title=f"{instrument.abbreviation} over time",
            points=points,
            bands=bands,
            low=low,
            high=high,
        )
    )


@dataclass(frozen=True)
class ChartPanel:
    """The Measures section of a patient's chart, for one user."""

    patient: Patient
    series: list[dict]  # {"series": Series, "svg": SafeString, "change": ChangeResult | None}
    findings: list[progress.Finding]
    joint: object  # change.JointOutcome | None
    completed: list[dict]  # {"administration": Administration, "items": [ItemAnswer]}
    completed_total: int  # how many are completed (`completed` is the newest of them)
    due: list[dict]  # {"administration", "overdue", "switched_off", "in_session_only"}
    open_alerts: list[Alert]
    can_acknowledge: bool
    can_record: bool
    instruments: list[Instrument]  # may be recorded (not switched off)
    sendable: list[Instrument]  # may be sent by link
    switched_off: dict[str, str]


def chart_panel(*, user, patient: Patient) -> ChartPanel | None:
    """The Measures section for ``patient`` (whose chart the caller already opened and
    audited), or None when the user may not read the patient's scores."""
    rights = access.measures_rights(user, patient)
    if not rights.read:
        return None
    # The questionnaires alone: their episodes and programs are among those the chart
    # read with the patient (patients.selectors), and who recorded them is read for the
    # page of them shown (joining both for a year of questionnaires doubled the read).
    # Without their answers (ANSWER_FIELDS): the newest are read whole below.
    administrations = _QUESTIONNAIRES.records(patient=patient.pk)
    prefetch_related_objects([patient], CHART_EPISODES)  # (read already: no query)
    episodes = {e.pk: e for e in patient.episodes.all()}
    episode = selectors.open_episode_among(episodes.values())
    program = episode.program if episode else None

    def program_of(administration: Administration):  # selectors.program_for's
        if administration.episode_id is None:
            return program
        known = episodes.get(administration.episode_id)
        return known.program if known else selectors.program_for(administration)

    today = program_today(program) if program else timezone.localdate()
    series_list = progress.series_of(administrations)
    # (newest first, as the model orders them and completed_administrations pages them)
    recorded = [a for a in administrations if a.status in RECORDED]
    newest = _NEWEST_RECORDED.records(patient=patient.pk)  # with their answers
    switched_off = selectors.instruments_switched_off()
    available = selectors.instruments_available()
    names = {i.key: i.abbreviation for i in available}  # PHQ-9, not the key phq9
    due = [
        {
            "administration": a,
            "instrument": names.get(a.instrument_key, a.instrument_key.upper()),
            "overdue": selectors.is_overdue(a, today),
            "switched_off": a.instrument_key in switched_off,
            "in_session_only": bool(
                selectors.remote_refusal_for_program(a.instrument_key, program_of(a))
            ),
        }
        for a in sorted(administrations, key=lambda a: (a.due_on is None, a.due_on, a.pk))
        if a.status == AdministrationStatus.DUE
    ]
    open_alerts = []
    if rights.see_alerts:  # the open ones only: a year of closed alerts stays in the database
        open_alerts = _OPEN_ALERTS.records(patient=patient.pk)
        by_pk = {a.pk: a for a in administrations}
        for alert in open_alerts:  # each raised by one of the questionnaires read above
            alert.patient = patient
            if alert.administration_id in by_pk:
                alert.administration = by_pk[alert.administration_id]
    usable = [i for i in available if i.key not in switched_off]
    return ChartPanel(
        patient=patient,
        series=[
            {"series": s, "svg": chart_for(s, patient.sex_assigned_at_birth), "change": s.change()}
            for s in series_list
        ],
        findings=progress.findings_of(series_list),
        joint=progress.joint_recovery(series_list),
        completed=completed_rows(newest, names),
        completed_total=len(recorded),
        due=due,
        open_alerts=open_alerts,
        can_acknowledge=bool(open_alerts),
        can_record=rights.record,
        instruments=usable,
        sendable=[i for i in usable if not selectors.remote_refusal_for_program(i.key, program)],
        switched_off={names.get(key, key.upper()): reason for key, reason in switched_off.items()},
    )


def caseload_measures(*, user, patient_ids: list[int]) -> dict[int, progress.PatientMeasures]:
    """The measures summary of each caseload row the user may read, by patient id. The
    read is audited once for the page, naming every patient summarised."""
    summaries = progress.caseload_measures(user=user, patient_ids=sorted(set(patient_ids)))
    if summaries:
        audit_record(
            user=user,
            action=AuditAction.LIST,
            object_type="measures_summary",
            detail={"patients": sorted(summaries)},
        )
    return summaries


def completed_rows(administrations, names: dict[str, str]) -> list[dict]:
    """The rows of the chart's completed questionnaires: each with its answers and the
    instrument's short name."""
    return [
        {
            "administration": a,
            "items": selectors.item_answers(a),
            "instrument": names.get(a.instrument_key, a.instrument_key.upper()),
        }
        for a in administrations
    ]


@dataclass(frozen=True)
class CompletedPage:
    patient: Patient
    rows: list[dict]
    page: Page


def completed_administrations(*, user, patient_id, page_number) -> CompletedPage:
    """A page of the patient's completed questionnaires (all of them, where the chart shows
    the newest), newest first, cut in SQL; refused unless the user may read the patient's
    scores, and audited naming the administrations shown."""
    patient = access.access_patient_measures_by_id(user, patient_id, action=AuditAction.LIST)
    listed = (
        Administration.objects.filter(patient=patient, status__in=RECORDED)
        .select_related("episode__program", "recorded_by")
        .order_by("-completed_at", "-due_on", "-pk")
    )
    page = page_of(listed, page_number, size=COMPLETED_SHOWN)
    audit_record(
        user=user,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="administration",
        detail={"administrations": [a.pk for a in page.object_list], "page": page.number},
    )
    names = {i.key: i.abbreviation for i in selectors.instruments_available()}
    return CompletedPage(patient=patient, rows=completed_rows(page.object_list, names), page=page)
