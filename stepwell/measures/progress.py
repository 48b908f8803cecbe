"""Reads about a patient's progress: trajectories, clinical findings, change and the joint
reliable recovery, and the caseload summary. Callers pass administrations they were
allowed to read (``selectors.administrations_for_patient``) or start from the user.

Rules: docs/clinical-sources.md §3.7 (change, reliable recovery) and §3.8 (findings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from stepwell.clinic.time import zone_today
from stepwell.measures.change import (
    ChangeClassification,
    ChangeError,
    ChangeResult,
    JointOutcome,
    change_between,
    reliable_recovery,
)
from stepwell.measures.instruments import Instrument, UnknownInstrumentError, instrument_registry
from stepwell.privacy.access import measures as access
from stepwell.privacy.access.patients import patients_meet

from .models import Administration, AdministrationStatus, Alert, AlertStatus
from .selectors import instrument_bands, instrument_for, is_overdue

# Bands that are clinical findings for the care team, never safety alerts, with what the
# care team does about them. A loaded definition's band with the key "severe" is one too.
FINDING_BANDS = {
    "phq9": {"severe": "Severe depressive symptoms: review the treatment plan."},
    "gad7": {"severe": "Severe anxiety symptoms: review the treatment plan."},
    "dast10": {"severe": "Severe drug-use problems: intensive assessment."},
    "audit": {
        "possible_dependence": "Possible alcohol dependence: specialist assessment, "
        "including withdrawal risk."
    },
}
LOADED_FINDING_BANDS = {"severe": "Severe score: review with the care team."}


@dataclass(frozen=True)
class Point:
    administration: Administration
    completed_on: date
    total: int
    band: str
    change_from_baseline: int | None
    reliable: ChangeClassification | None  # None: never drawn as reliable change


@dataclass(frozen=True)
class Series:
    instrument: Instrument
    points: tuple[Point, ...]

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def direction(self) -> str:
        """improving, worsening or steady: latest total against the one before it."""
        if len(self.points) < 2:
            return ""
        step = self.points[-1].total - self.points[-2].total
        if self.instrument.change.higher_is_better:
            step = -step
        return "improving" if step < 0 else "worsening" if step > 0 else "steady"

    @property
    def threshold_unverified(self) -> bool:
        threshold = self.instrument.change.reliable_change
        return threshold is not None and not threshold.verified

    def change(self) -> ChangeResult | None:
        """The change from the first to the latest score (None with fewer than two)."""
        if len(self.points) < 2:
            return None
        try:
            return change_between(self.instrument, self.points[0].total, self.points[-1].total)
        except ChangeError:
            return None


def series_of(administrations: list[Administration]) -> list[Series]:
    """Scored administrations grouped per instrument, oldest first, each compared with the
    first of its series (the baseline) by the instrument's reliable-change rule."""
    by_key: dict[str, list[Administration]] = {}
    scored = [
        a
        for a in administrations
        if a.status == AdministrationStatus.COMPLETED and a.total is not None
    ]
    for administration in sorted(scored, key=lambda a: (a.completed_at, a.pk)):
        by_key.setdefault(administration.instrument_key, []).append(administration)
    result = []
    for key, rows in by_key.items():
        try:
            instrument = instrument_for(key, rows[-1].instrument_version)
        except UnknownInstrumentError:
            continue
        baseline = rows[0].total
        points = tuple(_point(instrument, baseline, row) for row in rows)
        result.append(Series(instrument=instrument, points=points))
    return _in_registry_order(result)


def _point(instrument: Instrument, baseline: int, row: Administration) -> Point:
    """One scored administration, compared with the baseline total of its series."""
    reliable = None
    change = row.total - baseline
    try:
        reliable = change_between(instrument, baseline, row.total).classification
    except ChangeError:
        change = None
    return Point(
        administration=row,
        completed_on=timezone.localdate(row.completed_at),
        total=row.total,
        band=row.band,
        change_from_baseline=change,
        reliable=reliable,
    )


def _in_registry_order(series: list[Series]) -> list[Series]:
    order = {key: n for n, key in enumerate(instrument_registry())}
    return sorted(series, key=lambda s: (order.get(s.instrument.key, 99), s.instrument.key))


def joint_recovery(series: list[Series]) -> JointOutcome | None:
    """IAPT reliable recovery from the first and latest PHQ-9 and GAD-7 (None when the
    patient has neither)."""
    by_key = {s.instrument.key: s for s in series}
    if "phq9" not in by_key and "gad7" not in by_key:
        return None

    def totals(key: str) -> tuple[int, int] | None:
        found = by_key.get(key)
        if found is None or len(found.points) < 2:
            return None
        return found.points[0].total, found.points[-1].total

    registry = instrument_registry()
    return reliable_recovery(
        phq9=registry["phq9"],
        gad7=registry["gad7"],
        phq9_totals=totals("phq9"),
        gad7_totals=totals("gad7"),
    )


@dataclass(frozen=True)
class Finding:
    """A clinical finding for the care team, from the latest administration of one
    instrument: a severe band, or AUDIT items that move the zone up into zone IV."""

    instrument: str  # abbreviation
    band: str  # the band's label
    total: int | None
    completed_on: date
    action: str
    from_suggested_band: bool


def _band_label(instrument: Instrument, key: str) -> str:
    for band in instrument_bands(instrument):
        if band.key == key:
            return band.label
    return key.replace("_", " ")


def findings_of(series_list: list[Series]) -> list[Finding]:
    """The findings of the latest administration of each instrument."""
    found = []
    for series in series_list:
        latest = series.latest.administration
        instrument = series.instrument
        actions = FINDING_BANDS.get(instrument.key)
        if actions is None and instrument.key not in instrument_registry():
            actions = LOADED_FINDING_BANDS
        for key, suggested in ((latest.band, False), (latest.suggested_band, True)):
            if key and actions and key in actions:
                label = _band_label(instrument, key)
                if suggested:
                    current = _band_label(instrument, latest.band)
                    label = f"{current}; item answers suggest {label}"
                found.append(
                    Finding(
                        instrument=instrument.abbreviation,
                        band=label,
                        total=latest.total,
                        completed_on=timezone.localdate(latest.completed_at),
                        action=actions[key],
                        from_suggested_band=suggested,
                    )
                )
                break
    return found


@dataclass(frozen=True)
class PatientMeasures:
    """What the caseload row shows for one patient."""

    latest: tuple[tuple[str, Point, str], ...]  # (abbreviation, latest point, direction)
    open_alerts: int
    overdue: int
    due: int
    findings: tuple[Finding, ...] = ()


def caseload_measures(*, user, patient_ids: list[int]) -> dict[int, PatientMeasures]:
    """Latest scores, direction, findings, open alerts and overdue questionnaires per
    visible patient, in a fixed number of queries whatever the rows and their history.

    A row shows only the latest score of each instrument, its direction (against the score
    before it) and the findings of the latest administration, so only three scores of each
    series are read, in SQL: the baseline, the one before the latest and the latest
    (``summary_series``). What the row shows is the same as from the whole series
    (``series_of``), by the same rules (docs/clinical-sources.md §3.7, §3.8)."""
    allowed = patients_meet(
        patient_ids,
        {"read": access.measures_condition(user), "alerts": access.alert_condition(user)},
    )
    readable, alert_patients = set(allowed["read"]), set(allowed["alerts"])
    alert_counts = dict(
        Alert.objects.filter(patient_id__in=alert_patients, status=AlertStatus.OPEN)
        .values_list("patient_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    series_by_patient, due_by_patient = _summary_and_due(patient_ids=readable)
    result = {}
    for patient_id in readable:
        series_list = series_by_patient.get(patient_id, [])
        due, overdue = due_by_patient.get(patient_id, (0, 0))
        result[patient_id] = PatientMeasures(
            latest=tuple(
                (series.instrument.abbreviation, series.latest, series.direction)
                for series in series_list
                if series.latest is not None
            ),
            open_alerts=alert_counts.get(patient_id, 0),
            overdue=overdue,
            due=due,
            findings=tuple(findings_of(series_list)),
        )
    return result


SUMMARY_FIELDS = (
    "patient_id",
    "episode_id",
    "instrument_key",
    "instrument_version",
    "status",
    "total",
    "band",
    "suggested_band",
    "completed_at",
)


def summary_series(*, patient_ids) -> dict[int, list[Series]]:
    """Each patient's series cut to the points the caseload reads, by patient id: the
    baseline (first), the score before the latest and the latest, oldest first. Their
    ``latest``, ``direction``, ``change()`` and findings are those of the whole series.
    One query: a window over each patient's instrument picks the three rows."""
    return _summary_and_due(patient_ids=patient_ids)[0]


def _summary_and_due(*, patient_ids) -> tuple[dict[int, list[Series]], dict[int, tuple[int, int]]]:
    """summary_series, and (due, overdue) questionnaires per patient (each judged on its
    program's today), from one query."""
    window = {"partition_by": [F("patient_id"), F("instrument_key"), F("status")]}
    scored = Q(status=AdministrationStatus.COMPLETED, total__isnull=False)
    due_status = Q(status=AdministrationStatus.DUE)
    rows = (
        Administration.objects.filter(scored | due_status, patient_id__in=list(patient_ids))
        .annotate(
            from_first=Window(RowNumber(), order_by=[F("completed_at"), F("pk")], **window),
            from_latest=Window(
                RowNumber(), order_by=[F("completed_at").desc(), F("pk").desc()], **window
            ),
            program_timezone=F("episode__program__timezone"),
        )
        # Only what a point, a finding and a due date read: the answers and item scores
        # stay behind, so the window sorts narrow rows.
        .only(*SUMMARY_FIELDS, "due_on")
        .filter(due_status | Q(from_first=1) | Q(from_latest__lte=2))
        .order_by("patient_id", "instrument_key", "completed_at", "pk")
    )
    grouped: dict[tuple[int, str], list[Administration]] = {}
    todays: dict[str | None, date] = {}
    due_counts: dict[int, tuple[int, int]] = {}
    for row in rows:
        if row.status != AdministrationStatus.DUE:
            grouped.setdefault((row.patient_id, row.instrument_key), []).append(row)
            continue
        zone = row.program_timezone
        if zone not in todays:
            todays[zone] = zone_today(zone) if zone else timezone.localdate()
        due, overdue = due_counts.get(row.patient_id, (0, 0))
        due_counts[row.patient_id] = (due + 1, overdue + is_overdue(row, todays[zone]))
    instruments: dict[tuple[str, str], Instrument | None] = {}
    result: dict[int, list[Series]] = {}
    for (patient_id, key), kept in grouped.items():
        version = kept[-1].instrument_version
        if (key, version) not in instruments:
            try:
                instruments[key, version] = instrument_for(key, version)
            except UnknownInstrumentError:
                instruments[key, version] = None
        instrument = instruments[key, version]
        if instrument is None:
            continue
        baseline = kept[0].total
        points = tuple(_point(instrument, baseline, row) for row in kept)
        result.setdefault(patient_id, []).append(Series(instrument=instrument, points=points))
    series = {patient_id: _in_registry_order(found) for patient_id, found in result.items()}
    return series, due_counts
