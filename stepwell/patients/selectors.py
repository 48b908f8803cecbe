"""Reads about patients and episodes, always starting from the acting user."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from stepwell.accounts.models import User, UserKind
from stepwell.clinic.models import Program
from stepwell.clinic.selectors import programs_of_staff
from stepwell.core import paging
from stepwell.core.kept import KeptRecords, Many, as_prefetched
from stepwell.core.paging import counted_page
from stepwell.privacy import access
from stepwell.privacy.access.chart import chart_links
from stepwell.privacy.access.patients import as_record_id
from stepwell.privacy.access.predicates import is_patient_user, is_staff_member, programs_with
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.models import AuditEvent
from stepwell.privacy.refusals import refuse

from .episodes import allowed_next_states
from .models import (
    OPEN_STATES,
    CareTeamMember,
    Episode,
    EpisodeEvent,
    EpisodeState,
    FamilyContact,
    LevelOfCareChange,
    Patient,
)


def episode_days_in_program(episode: Episode, *, today: date | None = None) -> int | None:
    """Calendar days since admission, counting the admission day; None before admission."""
    if episode.admitted_on is None:
        return None
    end = episode.discharged_on or today or timezone.localdate()
    return (end - episode.admitted_on).days + 1


def _caseload_scope(user) -> Q:
    """The episodes of the clinical scope plus, for billing staff, of the patients whose
    billing fields they see: each way in asked about the episode's patient_id (no pass
    over the patients)."""
    return access.patient_scope_of(access.patient_scope(user)) | access.patient_scope_of(
        access.billing_scope(user)
    )


def caseload_episodes(
    *, user, program_id: int | None = None, state: str | None = None, query: str = ""
) -> QuerySet[Episode]:
    episodes = Episode.objects.filter(_caseload_scope(user)).select_related("patient", "program")
    if program_id:
        episodes = episodes.filter(program_id=program_id)
    if state == "open" or not state:
        episodes = episodes.filter(state__in=OPEN_STATES)
    elif state != "all":
        episodes = episodes.filter(state=state)
    if query:
        q = query.strip()
        episodes = episodes.filter(
            Q(patient__legal_last_name__icontains=q)
            | Q(patient__legal_first_name__icontains=q)
            | Q(patient__preferred_name__icontains=q)
            | Q(patient__mrn__iexact=q)
        )
    return episodes.order_by("program__name", "state", "patient__legal_last_name")


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[tuple[Episode, int | None]]  # this page's episodes with their days in the program
    page: Page  # which page of the filtered episodes the rows are (50 a page)
    census: list[CensusRow]
    programs: QuerySet[Program]  # the filter's choices: the programs the user works in
    show_clinical: bool  # the measures column, for clinical and program-wide roles


CASELOAD_PAGE_SIZE = 50


def caseload_page(
    *,
    user,
    program_id: int | None = None,
    state: str = "open",
    query: str = "",
    page_number: str | int | None = None,
) -> CaseloadPage | None:
    """The caseload page of a staff member; None for anyone else (they have no caseload).
    50 episodes a page, filtered in SQL; a page number that is not a number or is below 1
    gives the first page, one past the end the last page (core.paging.page_number)."""
    if not is_staff_member(user):
        return None
    counts = census(user=user)
    episodes = caseload_episodes(user=user, program_id=program_id, state=state, query=query)
    # The page is chosen on the ids and sort keys alone, then its 50 episodes are read: the
    # database sorts narrow rows instead of every episode in scope with its patient and
    # program (at 20,000 patients, 5,006 wide rows for a director or a large caseload).
    ordered = episodes.order_by(*episodes.query.order_by, "pk").values("pk")
    if query.strip():
        # A search: the page's own query counts what it matches (one scan, not two).
        page = counted_page(ordered, page_number, size=CASELOAD_PAGE_SIZE)
    else:
        # The census has counted the same episodes: no second count of the whole scope.
        paginator = Paginator(ordered, CASELOAD_PAGE_SIZE)
        paginator.count = _counted(counts, program_id=program_id, state=state)
        page = paginator.get_page(paging.page_number(page_number))
    chosen = [row["pk"] for row in page.object_list]
    found = Episode.objects.select_related("patient", "program").in_bulk(chosen)
    return CaseloadPage(
        rows=[
            (found[pk], episode_days_in_program(found[pk]))
            for pk in chosen
            if pk in found  # an episode gone between the two queries is left out
        ],
        page=page,
        census=counts,
        programs=programs_of_staff(user=user),
        show_clinical=bool(programs_with(user, *access.PROGRAM_WIDE_ROLES)),
    )


def _counted(rows: list[CensusRow], *, program_id: int | None, state: str) -> int:
    """How many episodes caseload_episodes gives for these filters (no search), from the
    census's counts by program and state."""
    wanted = OPEN_STATES if state in ("open", "", None) else None if state == "all" else (state,)
    return sum(
        n
        for row in rows
        if not program_id or row.program.pk == program_id
        for value, n in row.by_state.items()
        if wanted is None or value in wanted
    )


def registering_programs(*, user, object_type: str = "patient") -> QuerySet[Program]:
    """The programs a registration (or referral) form offers, or an audited refusal when
    there are none."""
    return access.access_registering_programs(user, object_type=object_type)


def patient_for_portal_invite(*, user, patient_id) -> Patient:
    """The patient a care-team editor invites to the portal, or an audited refusal."""
    return access.access_care_team_patient_by_id(user, patient_id, object_type="portal_invite")


@dataclass(frozen=True)
class CensusRow:
    program: Program
    counts: dict[str, int]  # by state label, the states with episodes only
    total_open: int
    by_state: dict[str, int] = field(default_factory=dict)  # by state value


def census(*, user) -> list[CensusRow]:
    """Episodes by program and state, counted in SQL (one row per program and state)."""
    rows = (
        Episode.objects.filter(_caseload_scope(user))
        .values_list("program_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counter: dict[int, Counter] = {}
    for program_id, state, n in rows:
        counter.setdefault(program_id, Counter())[state] += n
    programs = Program.objects.filter(pk__in=counter).order_by("name")
    return [
        CensusRow(
            program=p,
            counts={
                label: counter[p.pk][value]
                for value, label in EpisodeState.choices
                if counter[p.pk].get(value)
            },
            total_open=sum(counter[p.pk].get(s, 0) for s in OPEN_STATES),
            by_state=dict(counter[p.pk]),
        )
        for p in programs
    ]


class RecordView(StrEnum):
    """Which view of a patient's record the user gets."""

    CHART = "chart"
    BILLING = "billing"  # identity, insurance and episode dates only
    PORTAL = "portal"  # a patient's own record: the portal shows it


@dataclass(frozen=True)
class PatientRecord:
    patient: Patient
    view: RecordView


def patient_record(*, user, patient_id, portal_for_patients: bool = False) -> PatientRecord:
    """The patient's chart, or its billing fields for billing staff, or an audited refusal.

    With `portal_for_patients` (the chart page), a patient asking for their own record is
    sent to the portal instead (RecordView.PORTAL).
    """
    patient = access.patient_meeting(patient_id, access.patient_condition(user), with_chart_rows)
    if patient is not None:
        if portal_for_patients and is_patient_user(user):
            return PatientRecord(patient, RecordView.PORTAL)
        return PatientRecord(patient, RecordView.CHART)
    patient = access.access_patient_by_id(user, patient_id, need=access.PatientNeed.BILLING)
    return PatientRecord(patient, RecordView.BILLING)


def patients_listed(
    *, user, program_id: int | None, state: str, query: str, limit: int, offset: int
) -> list[Patient]:
    """A page of the patients the user may see, with their episodes (the API's list), by
    name. The filter and the page are done in SQL: the patients with a matching episode."""
    episodes = caseload_episodes(user=user, program_id=program_id, state=state, query=query)
    return list(
        Patient.objects.filter(pk__in=episodes.order_by().values("patient_id"))
        .prefetch_related("episodes__program")
        .order_by("legal_last_name", "legal_first_name", "pk")[offset : offset + limit]
    )


# What the chart reads with the patient: the access rules answer from these rows too.
# A patient's episodes with their programs, as the chart reads them (and its sections).
CHART_EPISODES = Prefetch("episodes", queryset=Episode.objects.select_related("program"))
_CHART_ROWS = (
    CHART_EPISODES,
    Prefetch("care_team", queryset=CareTeamMember.objects.select_related("user")),
)

# The chart's lists of its patient's records, read on every chart: kept compiled
# (stepwell/core/kept.py), each by the patient's id. The patient with its episodes and
# care team is what prefetch_related(*_CHART_ROWS) reads, and each episode's history
# (its moves with who made them, its level of care changes) what prefetching "events"
# (with their actors) and "level_of_care_changes" onto the episodes reads, without
# building and compiling those five queries on every chart (a prefetch asks by the
# episodes' ids, a list, which a kept query cannot take).
_PATIENT_KEY = Patient._meta.pk
_CHART_EPISODES = KeptRecords(
    Episode,
    lambda patient: Episode.objects.filter(patient_id=patient).select_related("program"),
    patient=_PATIENT_KEY,
)
_CHART_CARE_TEAM = KeptRecords(
    CareTeamMember,
    lambda patient: CareTeamMember.objects.filter(patient_id=patient).select_related("user"),
    patient=_PATIENT_KEY,
)
_EPISODE_EVENTS = KeptRecords(
    EpisodeEvent,
    lambda patient: EpisodeEvent.objects.filter(episode__patient_id=patient).select_related(
        "actor"
    ),
    patient=_PATIENT_KEY,
)
_LEVEL_OF_CARE_CHANGES = KeptRecords(
    LevelOfCareChange,
    lambda patient: LevelOfCareChange.objects.filter(episode__patient_id=patient),
    patient=_PATIENT_KEY,
)


def with_chart_rows(patient: Patient) -> None:
    """The patient's episodes (and their programs) and care team (and their users) put
    where prefetch_related(*_CHART_ROWS) puts them, in two kept queries."""
    as_prefetched([patient], "episodes", _CHART_EPISODES.records(patient=patient.pk))
    as_prefetched([patient], "care_team", _CHART_CARE_TEAM.records(patient=patient.pk))


_FAMILY_CONTACTS = KeptRecords(
    FamilyContact,
    lambda patient: FamilyContact.objects.filter(patient_id=patient),
    patient=_PATIENT_KEY,
)
RECENT_VIEWERS = 10
_RECENT_VIEWERS = KeptRecords(
    AuditEvent,
    lambda patient: (
        AuditEvent.objects.filter(patient_id=patient, action="view", outcome="allowed")
        .exclude(username="")
        .order_by("-seq")[:RECENT_VIEWERS]
    ),
    patient=_PATIENT_KEY,
)


@dataclass(frozen=True)
class Chart:
    """What the chart page shows besides the patient's fields."""

    episodes: list[tuple[Episode, tuple[str, ...], int | None]]  # with next states, days
    care_team: list[CareTeamMember]
    can_edit_care_team: bool
    care_team_candidates: list[User]
    viewers: list[AuditEvent]
    can_edit_details: bool = False
    family_contacts: list[FamilyContact] | None = None
    links: frozenset[str] = frozenset()  # the chart's pages this user may open


def patient_chart(*, user, patient: Patient) -> Chart:
    """The chart of a patient the caller fetched with patient_record."""
    # Episodes and care team are read once, onto the patient (patient_record loads them
    # with it): the rules below read them from there instead of asking the database again.
    prefetch_related_objects([patient], *_CHART_ROWS)
    episodes = list(patient.episodes.all())
    as_prefetched(episodes, "events", _EPISODE_EVENTS.records(patient=patient.pk))
    as_prefetched(
        episodes, "level_of_care_changes", _LEVEL_OF_CARE_CHANGES.records(patient=patient.pk)
    )
    can_edit = access.access_care_team_edit(user, patient)
    return Chart(
        episodes=[
            (
                e,
                tuple(
                    s
                    for s in allowed_next_states(e.state)
                    if access.access_episode_transition(user, e, s)
                ),
                episode_days_in_program(e),
            )
            for e in episodes
        ],
        care_team=list(patient.care_team.all()),
        can_edit_care_team=can_edit,
        care_team_candidates=care_team_candidates(episodes=episodes) if can_edit else [],
        viewers=patient_recent_viewers(patient=patient),
        can_edit_details=access.access_patient_details_edit(user, patient),
        family_contacts=_FAMILY_CONTACTS.records(patient=patient.pk),
        links=chart_links(user, patient),
    )


def patient_details_for_edit(*, user, patient_id) -> tuple[Patient, list]:
    """The patient whose details the user may change, with the latest field changes."""
    patient = access.access_patient_details_by_id(user, patient_id)
    return patient, list(patient.detail_changes.select_related("changed_by")[:30])


def family_contacts_for_edit(*, user, patient_id) -> tuple[Patient, list[FamilyContact]]:
    """The patient whose details (and family contacts) the user keeps, with the contacts."""
    patient = access.access_patient_details_by_id(user, patient_id)
    return patient, list(patient.family_contacts.all())


def family_contact_for_edit(*, user, contact_id) -> FamilyContact:
    """A family contact the user may change, or an audited refusal."""
    return access.access_family_contact_by_id(user, contact_id)


def patient_billing_episodes(*, patient: Patient) -> list[Episode]:
    return list(patient.episodes.select_related("program"))


def care_team_candidates(*, episodes: list[Episode]) -> list[User]:
    """Active staff of the programs of the patient's ``episodes``: whom the chart offers
    for the care team, by name (read by a query kept compiled: the chart's)."""
    programs = sorted({episode.program_id for episode in episodes})
    return _CARE_TEAM_CANDIDATES.records(programs=programs)


def _staff_of(programs) -> QuerySet[User]:
    """care_team_candidates' query, for these program ids."""
    return (
        User.objects.filter(
            kind=UserKind.STAFF, is_active=True, program_memberships__program_id__any_of=programs
        )
        .distinct()
        .order_by("last_name", "first_name", "username", "pk")
    )


_CARE_TEAM_CANDIDATES = KeptRecords(
    User, _staff_of, programs=Many(Episode._meta.get_field("program"))
)


def active_staff() -> QuerySet[User]:
    return User.objects.filter(kind=UserKind.STAFF, is_active=True)


def episode_record(*, user, episode_id) -> Episode:
    """An episode of a patient the user may see, or an audited refusal."""
    return access.access_episode_by_id(user, episode_id)


def episode_for_transition(*, user, episode_id) -> Episode:
    """The episode the transition page is about, for staff who may make at least one of
    the moves it offers (clinicians and directors of its program, a clinician on the care
    team, intake coordinators before admission); anyone else, a patient included, gets the
    audited refusal. Which move this user may make is the service's to decide."""
    episode = access.access_episode_by_id(user, episode_id, action=AuditAction.TRANSITION)
    moves = allowed_next_states(episode.state) or (EpisodeState.DISCHARGED,)
    if not any(access.access_episode_transition(user, episode, move) for move in moves):
        raise refuse(
            actor=user,
            action=AuditAction.TRANSITION,
            object_type="episode",
            object_id=episode.pk,
            patient_id=episode.patient_id,
            message="Your role cannot move this episode.",
        )
    return episode


def episode_for_user(*, user, episode_id: int) -> Episode | None:
    """The episode if the user sees its patient, else None (no refusal is written: the
    caller refuses). Prefer privacy.access.access_episode_by_id, which refuses."""
    visible = access.patients_visible_to(user)
    return (
        Episode.objects.select_related("patient", "program")
        .filter(pk=as_record_id(episode_id), patient__in=visible)
        .first()
    )


def patient_recent_viewers(*, patient: Patient) -> list[AuditEvent]:
    """The last ten who opened the patient's chart (the chart shows them)."""
    return _RECENT_VIEWERS.records(patient=patient.pk)
