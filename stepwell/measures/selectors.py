"""Reads about instruments, administrations and alerts. Every read of a patient's record
starts from the acting user through stepwell.privacy.access.measures, which refuses (and
audits the refusal) when the user may not: a missing record and a forbidden one alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.paginator import Page
from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Value, When
from django.utils import timezone

from stepwell.core.kept import KeptRows
from stepwell.core.paging import page_of, window
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
from stepwell.privacy.access import measures as access
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .models import (
    Administration,
    AdministrationStatus,
    Alert,
    AlertStatus,
    InstrumentDefinition,
    InstrumentSetting,
    LinkLookupFailure,
)

# A due questionnaire is overdue once this many days have passed after its due date.
OVERDUE_AFTER_DAYS = 2


# Asked on every chart: kept compiled (stepwell/core/kept.py).
_SWITCHED_OFF = KeptRows(
    InstrumentSetting,
    lambda: InstrumentSetting.objects.filter(enabled=False).values_list("instrument_key", "reason"),
)


def instruments_switched_off() -> dict[str, str]:
    """Instrument key -> the reason given, for every instrument the clinic switched off."""
    return dict(_SWITCHED_OFF.rows())


def instrument_unavailable_reason(key: str) -> str:
    """Why an instrument may not be used now, or "" when it may (clinic setup)."""
    switched_off = dict(
        InstrumentSetting.objects.filter(instrument_key=key, enabled=False).values_list(
            "instrument_key", "reason"
        )
    )
    return _switched_off_reason(key, switched_off)


def _switched_off_reason(key: str, switched_off: dict[str, str]) -> str:
    """instrument_unavailable_reason from instruments_switched_off() read once, for a list."""
    if key not in switched_off:
        return ""
    try:
        name = instrument_for(key).abbreviation
    except UnknownInstrumentError:
        name = key
    reason = switched_off[key]
    because = f": {reason}" if reason else ""
    return f"{name} is switched off in this clinic{because}. Its past scores stay on the chart."


# Instruments a program may keep to in-session use (Program.asq_in_session_only).
IN_SESSION_ONLY_SETTING = {"asq": "asq_in_session_only"}


def remote_refusal_for_program(key: str, program) -> str:
    """Why this questionnaire may not be answered by link or portal for ``program``."""
    setting = IN_SESSION_ONLY_SETTING.get(key)
    if setting is None:
        return ""
    if program is not None and not getattr(program, setting):
        return ""
    where = program.name if program is not None else "this clinic"
    return (
        f"The ASQ suicide screen is asked in session only at {where}, so it cannot be "
        "sent by link or answered in the portal. Ask it in session; a clinic administrator "
        "can change this in clinic setup."
    )


def program_for(administration: Administration):
    """The program an administration belongs to: its episode's, else the patient's open one."""
    if administration.episode_id is not None:
        return administration.episode.program
    episode = open_episode_for(administration.patient)
    return episode.program if episode is not None else None


def link_failure_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "STEPWELL_QUESTIONNAIRE_LINK_FAILURE_MINUTES", 15))


def link_lookups_throttled(client_address: str) -> bool:
    """True once an address has had too many tokens that opened nothing in the window
    (STEPWELL_QUESTIONNAIRE_LINK_FAILURES per STEPWELL_QUESTIONNAIRE_LINK_FAILURE_MINUTES)."""
    limit = getattr(settings, "STEPWELL_QUESTIONNAIRE_LINK_FAILURES", 10)
    since = timezone.now() - link_failure_window()
    failures = LinkLookupFailure.objects.filter(
        client_address=client_address[:64], occurred_at__gte=since
    )
    return failures.count() >= limit


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
    return load_definition(row.definition, stored=True)


def instruments_available() -> list[Instrument]:
    """Shipped instruments first, then the newest version of each stored one."""
    result = list(instrument_registry().values())
    seen: set[str] = set()
    for key, definition in _STORED_NOT_SHIPPED.rows():
        if key not in seen:
            seen.add(key)
            result.append(load_definition(definition, stored=True))
    return result


# The stored definitions of instruments the program does not ship, newest first: asked on
# every chart, so kept compiled.
_STORED_NOT_SHIPPED = KeptRows(
    InstrumentDefinition,
    lambda: (
        InstrumentDefinition.objects.exclude(key__in=sorted(instrument_registry()))
        .order_by("key", "-loaded_at", "-pk")
        .values_list("key", "definition")
    ),
)


def instrument_bands(instrument: Instrument, sex: str | None = None):
    classification = instrument.classification
    if isinstance(classification, SeverityBands):
        return classification.bands
    if isinstance(classification, SexSpecificBands):
        return classification.bands_for(engine_sex(sex))
    return ()


def engine_sex(sex_assigned_at_birth: str | None) -> Sex:
    return {"female": Sex.FEMALE, "male": Sex.MALE}.get(sex_assigned_at_birth or "", Sex.UNKNOWN)


def is_overdue(administration: Administration, today: date) -> bool:
    return (
        administration.status == AdministrationStatus.DUE
        and administration.due_on is not None
        and today > administration.due_on + timedelta(days=OVERDUE_AFTER_DAYS)
    )


def administrations_for_patient(
    *,
    user,
    patient_id,
    status: str | None = None,
    action: str = AuditAction.LIST,
    object_type: str = "administration",
) -> QuerySet[Administration]:
    """A patient's administrations, newest first; refused unless the user may read the
    patient's scores."""
    patient = access.access_patient_measures_by_id(
        user, patient_id, action=action, object_type=object_type
    )
    administrations = Administration.objects.filter(patient=patient).select_related(
        "episode__program"
    )
    if status:
        administrations = administrations.filter(status=status)
    return administrations


def administrations_listed(
    *, user, patient_id, status: str | None = None, limit: int, offset: int
) -> list[Administration]:
    """A page of a patient's administrations (the API's list), newest first: those not
    completed yet (latest due first), then by completion time. The status filter and the
    page are done in SQL; NULLs are placed explicitly so both databases agree."""
    administrations = administrations_for_patient(user=user, patient_id=patient_id, status=status)
    ordered = administrations.order_by(
        F("completed_at").desc(nulls_first=True), F("due_on").desc(nulls_last=True), "-pk"
    )
    return list(window(ordered, limit=limit, offset=offset))


def alerts_for_user(*, user, status: str | None = AlertStatus.OPEN) -> QuerySet[Alert]:
    """Alerts of the patients the user may act on: those needing an immediate response
    first, then the user's care-team patients."""
    alerts = Alert.objects.filter(patient__in=access.alert_patients_visible_to(user))
    if status:
        alerts = alerts.filter(status=status)
    on_team = CareTeamMember.objects.filter(patient=OuterRef("patient"), user=user)
    return (
        alerts.select_related("patient", "administration", "acknowledged_by")
        .annotate(on_my_team=Exists(on_team))
        .annotate(
            team_order=Case(
                When(on_my_team=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("-immediate", "team_order", "-created_at", "-pk")
    )


def alert_worklist(*, user, status: str | None = AlertStatus.OPEN, page_number=None) -> Page:
    """A page of the alert worklist (50 alerts, in alerts_for_user's order): refused to
    anyone who holds no alert role in any program."""
    if not access.access_alert_worklist(user):
        raise refuse(actor=user, action=AuditAction.LIST, object_type="alert_worklist")
    return page_of(alerts_for_user(user=user, status=status), page_number)


def alerts_listed(
    *, user, status: str | None = AlertStatus.OPEN, patient_id=None, limit: int, offset: int
) -> list[Alert]:
    """A page of the API's alert list: the worklist's refusal (audited 403) for anyone who
    holds no alert role in any program; an empty list is for one who may and has no
    alert. The filters and the page are done in SQL."""
    if not access.access_alert_worklist(user):
        raise refuse(actor=user, action=AuditAction.LIST, object_type="alert")
    alerts = alerts_for_user(user=user, status=status)
    if patient_id is not None:
        alerts = alerts.filter(patient_id=patient_id)
    return list(window(alerts, limit=limit, offset=offset))


def alert_to_acknowledge(*, user, alert_id) -> Alert:
    """An alert the user may acknowledge (open or not: the service says it is closed)."""
    return access.access_alert_by_id(user, alert_id, action="acknowledge")


def patient_for_recording(*, user, patient_id, action: str = AuditAction.VIEW) -> Patient:
    """The patient whose answers the user records in session, or a refusal."""
    return access.access_patient_for_recording_by_id(user, patient_id, action=action)


@dataclass(frozen=True)
class OwnQuestionnaires:
    """A page of a patient's due questionnaires in the portal: those to answer there, and
    those kept for a session with the care team."""

    patient: Patient
    to_answer: tuple[tuple[Administration, Instrument], ...]
    in_session: tuple[tuple[Administration, Instrument], ...]
    page: Page | None = None

    @property
    def administration_ids(self) -> list[int]:
        return [a.pk for a, _ in (*self.to_answer, *self.in_session)]


def own_due_questionnaires(*, user, page_number=None) -> OwnQuestionnaires:
    """A page of the signed-in patient's due questionnaires, soonest due first. The rows
    are read a page at a time; the switched-off instruments and the patient's open
    episode (the program of a questionnaire sent outside an episode) once for the page."""
    patient = access.access_own_patient(user)
    due = (
        Administration.objects.filter(patient=patient, status=AdministrationStatus.DUE)
        .select_related("episode__program", "patient")
        .order_by("due_on", "pk")
    )
    page = page_of(due, page_number)
    rows = list(page.object_list)
    switched_off = instruments_switched_off()
    open_program = None
    if any(a.episode_id is None for a in rows):
        episode = open_episode_for(patient)
        open_program = episode.program if episode else None
    instruments: dict[tuple[str, str], Instrument | None] = {}
    to_answer, in_session = [], []
    for administration in rows:
        key = (administration.instrument_key, administration.instrument_version)
        if key not in instruments:
            instruments[key] = _instrument_or_none(*key)
        if instruments[key] is None:
            continue
        program = administration.episode.program if administration.episode_id else open_program
        refusal = _switched_off_reason(
            administration.instrument_key, switched_off
        ) or remote_refusal_for_program(administration.instrument_key, program)
        (in_session if refusal else to_answer).append((administration, instruments[key]))
    return OwnQuestionnaires(
        patient=patient, to_answer=tuple(to_answer), in_session=tuple(in_session), page=page
    )


def _instrument_or_none(key: str, version: str) -> Instrument | None:
    try:
        return instrument_for(key, version)
    except UnknownInstrumentError:
        return None


def own_questionnaire(*, user, administration_id) -> Administration:
    """One of the signed-in patient's own questionnaires, or a refusal."""
    return access.access_own_administration_by_id(user, administration_id)


def remote_refusal(instrument_key: str, program) -> str:
    """Why this questionnaire may not be answered away from the clinic ("" when it may)."""
    reason = instrument_unavailable_reason(instrument_key)
    if reason:
        return reason
    return remote_refusal_for_program(instrument_key, program)


def open_episode_for(patient: Patient) -> Episode | None:
    """The episode a new administration belongs to: the newest open one, else the newest
    (open_episode_among, of the patient's episodes read with their programs)."""
    return open_episode_among(patient.episodes.select_related("program"))


def open_episode_among(episodes) -> Episode | None:
    """open_episode_for's episode among episodes already read (the chart's, with their
    programs): the newest open one, else the newest."""
    newest_first = sorted(episodes, key=lambda e: (e.created_at, e.pk), reverse=True)
    open_ones = (e for e in newest_first if e.state != "discharged")
    return next(open_ones, newest_first[0] if newest_first else None)


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
