"""Reads about instruments, administrations and alerts, starting from the acting user."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.utils import timezone

from stepwell.measures.change import ChangeClassification, ChangeError, change_between
from stepwell.measures.instruments import (
    Instrument,
    SeverityBands,
    Sex,
    SexSpecificBands,
    UnknownInstrumentError,
    instrument_registry,
    load_definition,
)
from stepwell.patients.models import CareTeamMember, Episode, Patient

from . import access
from .models import (
    Administration,
    AdministrationStatus,
    Alert,
    AlertStatus,
    InstrumentDefinition,
)

# A due questionnaire is overdue once this many days have passed after its due date.
OVERDUE_AFTER_DAYS = 2

# Bands that raise a safety alert. The shipped PHQ-9, GAD-7 and DAST-10 call their top band
# "severe"; for AUDIT it is zone IV (possible dependence); for the ASQ an acute positive
# screen. A loaded definition alerts on a band with the key "severe".
ALERT_BANDS = {
    "phq9": {"severe"},
    "gad7": {"severe"},
    "dast10": {"severe"},
    "audit": {"possible_dependence"},
    "asq": {"acute_positive"},
}


def band_raises_alert(instrument_key: str, band: str | None) -> bool:
    if not band:
        return False
    return band in ALERT_BANDS.get(instrument_key, {"severe"})


def instrument_for(key: str, version: str | None = None) -> Instrument:
    """A shipped or stored instrument. Without a version: the shipped one, else the newest
    stored. With a version: exactly that version. Raises UnknownInstrumentError."""
    shipped = instrument_registry().get(key)
    if shipped is not None and (version in (None, "", shipped.version)):
        return shipped
    stored = InstrumentDefinition.objects.filter(key=key)
    if version:
        stored = stored.filter(version=version)
    row = stored.order_by("-loaded_at", "-pk").first()
    if row is None:
        if shipped is not None:
            return shipped  # an unknown old version of a shipped instrument: show the current
        raise UnknownInstrumentError(f"unknown instrument {key!r}")
    return load_definition(row.definition)


def instruments_available() -> list[Instrument]:
    """Shipped instruments first, then the newest version of each stored one."""
    result = list(instrument_registry().values())
    shipped = {instrument.key for instrument in result}
    seen: set[str] = set()
    for row in InstrumentDefinition.objects.order_by("key", "-loaded_at", "-pk"):
        if row.key in shipped or row.key in seen:
            continue
        seen.add(row.key)
        result.append(load_definition(row.definition))
    return result


def instrument_bands(instrument: Instrument, sex: str | None = None):
    classification = instrument.classification
    if isinstance(classification, SeverityBands):
        return classification.bands
    if isinstance(classification, SexSpecificBands):
        return classification.bands_for(engine_sex(sex))
    return ()


def engine_sex(sex_assigned_at_birth: str | None) -> Sex:
    return {"female": Sex.FEMALE, "male": Sex.MALE}.get(sex_assigned_at_birth or "", Sex.UNKNOWN)


def program_today(program) -> date:
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(program.timezone)).date()


def is_overdue(administration: Administration, today: date) -> bool:
    return (
        administration.status == AdministrationStatus.DUE
        and administration.due_on is not None
        and today > administration.due_on + timedelta(days=OVERDUE_AFTER_DAYS)
    )


def administrations_for_patient(*, user, patient_id: int) -> QuerySet[Administration] | None:
    """None when the user may not read this patient's measures."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_measures_read(user, patient):
        return None
    return Administration.objects.filter(patient=patient).select_related("episode__program")


def alerts_for_user(*, user, status: str | None = AlertStatus.OPEN) -> QuerySet[Alert]:
    """Alerts of the patients the user may act on; the user's care-team patients first."""
    alerts = Alert.objects.filter(patient__in=access.alert_patients_visible_to(user))
    if status:
        alerts = alerts.filter(status=status)
    on_team = CareTeamMember.objects.filter(patient=OuterRef("patient"), user=user)
    return (
        alerts.select_related("patient", "administration", "acknowledged_by")
        .annotate(on_my_team=Exists(on_team))
        .annotate(
            team_order=Case(When(on_my_team=True, then=Value(0)), default=Value(1)),
            kind_order=Case(
                When(kind="suicide_risk", then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("team_order", "kind_order", "-created_at", "-pk")
    )


def alert_for_user(*, user, alert_id: int) -> Alert | None:
    return alerts_for_user(user=user, status=None).filter(pk=alert_id).first()


@dataclass(frozen=True)
class Point:
    administration: Administration
    completed_on: date
    total: int
    band: str
    change_from_baseline: int | None
    reliable: ChangeClassification | None


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
        points = []
        for row in rows:
            reliable = None
            change = row.total - baseline
            try:
                reliable = change_between(instrument, baseline, row.total).classification
            except ChangeError:
                change = None
            points.append(
                Point(
                    administration=row,
                    completed_on=timezone.localdate(row.completed_at),
                    total=row.total,
                    band=row.band,
                    change_from_baseline=change,
                    reliable=reliable,
                )
            )
        result.append(Series(instrument=instrument, points=tuple(points)))
    order = {key: n for n, key in enumerate(instrument_registry())}
    return sorted(result, key=lambda s: (order.get(s.instrument.key, 99), s.instrument.key))


@dataclass(frozen=True)
class PatientMeasures:
    """What the caseload row shows for one patient."""

    latest: tuple[tuple[str, Point, str], ...]  # (abbreviation, latest point, direction)
    open_alerts: int
    overdue: int
    due: int


def caseload_measures(*, user, patient_ids: list[int]) -> dict[int, PatientMeasures]:
    """Latest scores, direction, open alerts and overdue questionnaires per visible patient."""
    readable = set(
        access.measures_patients_visible_to(user)
        .filter(pk__in=patient_ids)
        .values_list("pk", flat=True)
    )
    alert_patients = set(
        access.alert_patients_visible_to(user)
        .filter(pk__in=patient_ids)
        .values_list("pk", flat=True)
    )
    administrations: dict[int, list[Administration]] = {pk: [] for pk in readable}
    for row in Administration.objects.filter(patient_id__in=readable).select_related(
        "episode__program"
    ):
        administrations[row.patient_id].append(row)
    alert_counts: dict[int, int] = {}
    for patient_id in Alert.objects.filter(
        patient_id__in=alert_patients, status=AlertStatus.OPEN
    ).values_list("patient_id", flat=True):
        alert_counts[patient_id] = alert_counts.get(patient_id, 0) + 1
    result = {}
    for patient_id, rows in administrations.items():
        latest = tuple(
            (series.instrument.abbreviation, series.latest, series.direction)
            for series in series_of(rows)
            if series.latest is not None
        )
        overdue = due = 0
        for row in rows:
            if row.status != AdministrationStatus.DUE:
                continue
            due += 1
            program = row.episode.program if row.episode else None
            today = program_today(program) if program else timezone.localdate()
            overdue += is_overdue(row, today)
        result[patient_id] = PatientMeasures(
            latest=latest, open_alerts=alert_counts.get(patient_id, 0), overdue=overdue, due=due
        )
    return result


def open_episode_for(patient: Patient) -> Episode | None:
    """The episode a new administration belongs to: the newest open one, else the newest."""
    episodes = patient.episodes.select_related("program").order_by("-created_at", "-pk")
    return episodes.exclude(state="discharged").first() or episodes.first()


@dataclass(frozen=True)
class ItemAnswer:
    number: int
    text: str
    answer: str
    score: int | None


def item_answers(administration: Administration) -> list[ItemAnswer]:
    """Each asked item with the patient's answer, in item order."""
    if not administration.answers:
        return []
    try:
        instrument = instrument_for(
            administration.instrument_key, administration.instrument_version
        )
    except UnknownInstrumentError:
        return []
    rows = []
    scores = administration.item_scores or {}
    for number, item in enumerate(instrument.items, 1):
        if item.key not in administration.answers:
            continue
        value = administration.answers[item.key]
        option = item.option_for(value)
        rows.append(
            ItemAnswer(
                number=number,
                text=item.text,
                answer=option.label if option else str(value),
                score=scores.get(item.key),
            )
        )
    return rows
