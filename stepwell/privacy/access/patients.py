"""Access to patients, their episodes and care teams.

- A clinician, prescriber or nurse sees the patients of the programs where they hold that
  role, and the patients whose care team they are on.
- An intake coordinator or a program director sees the patients of the programs where
  they hold that role.
- Billing staff see only the billing fields of the patients of their billing programs.
- An administrator configures the clinic and reads no clinical content.
- A patient sees only themselves.
- Emergency access: a clinical or director staff member who opened a chart with a reason
  (break-glass, stepwell.consent) sees that patient until the grant expires.
- A system actor (a job) reads no chart unless a rule names it.
- A patient is registered, or an episode opened, by an intake coordinator, clinician or
  director of the program.
- An episode is moved by a clinician or director of its program, or a clinician on the
  patient's care team; an intake coordinator of its program moves it up to assessment
  (or discharges it before admission).
- A care team is changed by a clinician or director of a program where the patient has an
  open episode.
- A patient's details (demographics, contact, emergency contact, insurance) are kept up to
  date by an intake coordinator, clinician or director of one of the patient's programs,
  or a clinician on the patient's care team. The same people keep the family contacts
  (and whether the patient consented to each one's involvement).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from operator import attrgetter

from django.db.models import Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.clinic.models import Program
from stepwell.core.kept import RecordRead
from stepwell.core.rows import one_or_none
from stepwell.patients.models import (
    OPEN_STATES,
    Episode,
    EpisodeState,
    FamilyContact,
    Patient,
)
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .conditions import (
    NO_PATIENT,
    NOBODY,
    EmergencyAccess,
    OnCareTeam,
    OwnRecord,
    PatientCondition,
    about_one_patient,
    about_patients,
    facts_for,
    facts_of_patients,
    in_any_of,
    in_programs,
    on_care_team,
)
from .predicates import (
    CLINICAL_ROLES,
    PROGRAM_WIDE_ROLES,
    as_record_id,
    holds_role_in,
    is_active_user,
    is_administrator,
    is_patient_user,
    is_staff_member,
    programs_with,
    read_and_check,
)

_PATIENT = RecordRead(Patient)
# An episode with its patient and program, as the checks of an episode read it.
EPISODE_READ = RecordRead(Episode, "patient", "program")


__all__ = [
    "CLINICAL_ROLES",
    "NO_PATIENT",
    "PRE_ADMISSION_STATES",
    "PROGRAM_WIDE_ROLES",
    "REGISTERING_ROLES",
    "PatientNeed",
    "about_one_patient",
    "about_patients",
    "access_care_team_edit",
    "access_care_team_patient_by_id",
    "access_clinic_configuration",
    "access_episode_by_id",
    "access_episode_transition",
    "access_episode_transition_by_id",
    "access_family_contact_by_id",
    "access_own_patient",
    "access_patient_billing",
    "access_patient_by_id",
    "access_patient_chart",
    "access_patient_details_by_id",
    "access_patient_details_edit",
    "access_patient_register",
    "access_patient_register_any",
    "access_registering_program_by_id",
    "access_registering_programs",
    "billing_condition",
    "billing_scope",
    "clinician_on_care_team",
    "episode_meeting_or_refuse",
    "has_episode_in",
    "in_programs",
    "on_care_team",
    "patient_condition",
    "patient_from_scope",
    "patient_id_meets",
    "patient_in_scope",
    "patient_meeting",
    "patient_meeting_or_refuse",
    "patient_meets",
    "patient_scope",
    "patient_scope_of",
    "patients_billing_visible_to",
    "patients_in_scope",
    "patients_meet",
    "patients_visible_to",
]

REGISTERING_ROLES = (Role.INTAKE_COORDINATOR, Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
PRE_ADMISSION_STATES = (EpisodeState.REFERRED, EpisodeState.SCREENING, EpisodeState.ASSESSED)


class PatientNeed(StrEnum):
    """What a caller needs of a patient's record."""

    CHART = "chart"  # the clinical record
    BILLING = "billing"  # identity, coverage and episode dates only


def patient_in_scope(patient_id: int, scope: Callable[..., QuerySet[Patient]], *args) -> bool:
    """Whether the patient is in ``scope(*args)`` (patients_visible_to and the scopes built
    on it). Each way into the scope is asked about this patient alone, an index lookup:
    asked as ``scope.filter(pk=...)``, the database read every episode of the user's
    programs into a hash first (6,668 rows at 20,000 patients, a few ms, several times a
    chart). Narrowing the subqueries to the patient cannot change the answer."""
    with about_one_patient(patient_id):
        return scope(*args).filter(pk=patient_id).exists()


def patient_meets(patient: Patient, conditions: Mapping[str, PatientCondition]) -> dict[str, bool]:
    """Whether the patient meets each condition (``{"notes": notes_condition(user)}``),
    answered from the patient's facts (facts_of: one query, or none past emergency access
    when the page loaded the patient with its episodes and care team). For a page that
    shows a link or a section per rule: the chart asks seven and builds no query for
    them."""
    facts = facts_for(patient, conditions.values())
    return {name: condition.holds(facts) for name, condition in conditions.items()}


def patients_meet(patient_ids, conditions: Mapping[str, PatientCondition]) -> dict[str, list[int]]:
    """For a page of rows: which of these patients (stored ones, in the order given) meet
    each condition, answered from their facts read in one query (facts_of_patients),
    where patients_in_scope builds a query from each scope."""
    ids = list(dict.fromkeys(pid for pid in map(as_record_id, patient_ids) if pid))
    facts = facts_of_patients(ids) if ids else {}
    return {
        name: [pid for pid in ids if pid in facts and condition.holds(facts[pid])]
        for name, condition in conditions.items()
    }


def patient_id_meets(patient_id, condition: PatientCondition) -> bool:
    """Whether the stored patient with this id meets ``condition``, from its facts (one
    query): a rule asked of a record that names its patient by id (a note, a review)."""
    return bool(patients_meet([patient_id], {"in": condition})["in"])


def patients_in_scope(patient_ids, scope: Callable[..., QuerySet[Patient]], *args) -> QuerySet:
    """The ids among ``patient_ids`` that are in ``scope(*args)``, as a values_list
    queryset (a subquery, or a list when evaluated), asked as patient_in_scope asks: a
    page of 50 rows asks about its 50 patients, not the user's thousands."""
    ids = [pid for pid in patient_ids if pid is not None]
    with about_patients(ids):
        return scope(*args).filter(pk__in=ids).values_list("pk", flat=True)


def patient_from_scope(
    patient_id, scope: Callable[..., QuerySet[Patient]], *args
) -> Patient | None:
    """The patient if in ``scope(*args)``, asked as patient_in_scope asks; None if not (or
    if the id is not a record id)."""
    record_id = as_record_id(patient_id)
    with about_one_patient(record_id):
        return one_or_none(scope(*args).filter(pk=record_id))


def patient_meeting(
    patient_id, condition: PatientCondition, with_rows: Callable[[Patient], None] | None = None
) -> Patient | None:
    """The patient if it meets ``condition`` (answered from its facts, as patient_meets
    answers), else None (or if the id is not a record id). ``with_rows`` may load rows
    onto the patient once read: with its episodes and care team (the chart), the facts
    come from those rows. No query is built from the scope, and nothing is read when the
    condition lets no one in."""
    if condition is NOBODY:
        return None
    patient = _PATIENT.one(as_record_id(patient_id))
    if patient is not None and with_rows is not None:
        with_rows(patient)
    if patient is None or not condition.holds(facts_for(patient, [condition])):
        return None
    return patient


def patients_visible_to(user) -> QuerySet[Patient]:
    """Patients whose clinical record the user may read."""
    return Patient.objects.filter(patient_scope(user)).distinct()


def patient_condition(user) -> PatientCondition:
    """Who is in patients_visible_to, as a condition (privacy.access.conditions)."""
    if not is_active_user(user):
        return NOBODY
    if is_patient_user(user):
        return OwnRecord(user)
    if not is_staff_member(user):
        return NOBODY
    scope = in_any_of(programs_with(user, *PROGRAM_WIDE_ROLES))
    if programs_with(user, *CLINICAL_ROLES):
        scope |= OnCareTeam(user)
    if programs_with(user, *CLINICAL_ROLES, Role.PROGRAM_DIRECTOR):
        scope |= EmergencyAccess(user)
    return scope


def billing_condition(user) -> PatientCondition:
    """Who is in patients_billing_visible_to, as a condition."""
    return in_any_of(programs_with(user, Role.BILLING))


def patient_scope(user) -> Q:
    """The condition patients_visible_to filters patients by (NO_PATIENT for none): each
    way into the scope is a subquery, so the condition can also be put on another
    model's patient (patient_scope_of)."""
    return patient_condition(user).q()


def billing_scope(user) -> Q:
    """The condition patients_billing_visible_to filters patients by."""
    return billing_condition(user).q()


def patient_scope_of(scope: Q, field: str = "patient") -> Q:
    """A patient condition (patient_scope, billing_scope) put on the patient a row points
    to through ``field``: ``Episode.objects.filter(patient_scope_of(patient_scope(user)))``
    asks each way in about the episode's patient_id, with no pass over the patients and
    no DISTINCT (at 20,000 patients the caseload's query spent a third of its time
    there)."""
    rooted = Q()
    rooted.connector, rooted.negated = scope.connector, scope.negated
    rooted.children = [
        patient_scope_of(child, field)
        if isinstance(child, Q)
        else (f"{field}__{child[0]}", child[1])
        for child in scope.children
    ]
    return rooted


def patients_billing_visible_to(user) -> QuerySet[Patient]:
    """Patients whose billing fields (identity, insurance, episode dates) the user may read."""
    scope = billing_scope(user)
    return Patient.objects.none() if scope is NO_PATIENT else Patient.objects.filter(scope)


def _condition_for(user, need: PatientNeed) -> PatientCondition:
    if need == PatientNeed.BILLING:
        return billing_condition(user)
    return patient_condition(user)


def access_patient_by_id(
    user,
    patient_id,
    *,
    need: PatientNeed = PatientNeed.CHART,
    action: str = AuditAction.VIEW,
    object_type: str = "patient",
    object_id: object = None,
) -> Patient:
    """The patient, fetched from what the user may see, or an audited refusal.

    A missing patient and one the user may not see get the same refusal.
    """
    return patient_meeting_or_refuse(
        user,
        patient_id,
        _condition_for(user, need),
        action=action,
        object_type=object_type,
        object_id=object_id,
    )


def patient_meeting_or_refuse(
    user,
    patient_id,
    condition: PatientCondition,
    *,
    action: str,
    object_type: str,
    object_id: object = None,
) -> Patient:
    """The patient if it meets ``condition`` (read once, answered from its facts), or an
    audited refusal naming it when it is stored; object_id defaults to the patient id."""
    return read_and_check(
        _PATIENT,
        patient_id,
        condition.holds_for,
        user=user,
        action=action,
        object_type=object_type,
        object_id=patient_id if object_id is None else object_id,
        patient_of=attrgetter("pk"),
    )


def access_own_patient(user, *, object_type: str = "portal") -> Patient:
    """A patient user's own record, or an audited refusal (staff have no own record)."""
    patient = None
    if is_patient_user(user):
        patient = patients_visible_to(user).filter(user=user).first()
    if patient is None:
        raise refuse(actor=user, object_type=object_type)
    return patient


def access_episode_by_id(
    user,
    episode_id,
    *,
    need: PatientNeed = PatientNeed.CHART,
    action: str = AuditAction.VIEW,
    object_type: str = "episode",
) -> Episode:
    """The episode of a patient the user may see, or an audited refusal.

    The episode is read with its patient, then allowed from the patient's facts (as
    access_patient_by_id does): no query is built from the user's scope."""
    return episode_meeting_or_refuse(
        user, episode_id, _condition_for(user, need), action=action, object_type=object_type
    )


def episode_meeting_or_refuse(
    user,
    episode_id,
    condition: PatientCondition,
    *,
    action: str,
    object_type: str,
    object_id: object = None,
) -> Episode:
    """The episode (with its patient and program) if its patient meets ``condition``
    (answered from the patient's facts), or an audited refusal naming the patient when the
    episode is stored."""
    return read_and_check(
        EPISODE_READ,
        episode_id,
        lambda episode: condition.holds_for(episode.patient),
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
    )


def access_patient_chart(user, patient: Patient) -> bool:
    return patient_condition(user).holds_for(patient)


def access_patient_billing(user, patient: Patient) -> bool:
    return billing_condition(user).holds_for(patient)


def access_patient_register_any(user) -> bool:
    return bool(programs_with(user, *REGISTERING_ROLES))


def access_patient_register(user, program_id: int) -> bool:
    return holds_role_in(user, program_id, *REGISTERING_ROLES)


def access_registering_programs(user, *, object_type: str = "patient") -> QuerySet[Program]:
    """The programs where the user registers patients (a registration or referral form
    offers these), or an audited refusal when there are none."""
    program_ids = programs_with(user, *REGISTERING_ROLES)
    if not program_ids:
        raise refuse(
            actor=user, action=AuditAction.CREATE, object_type=object_type, object_id="new"
        )
    return Program.objects.filter(pk__in=program_ids).order_by("name")


def access_registering_program_by_id(user, program_id, *, object_type: str = "patient") -> Program:
    """A program where the user registers patients (and opens episodes), or an audited
    refusal; an unknown program gets the same refusal."""
    program = Program.objects.filter(
        pk=as_record_id(program_id), pk__in=programs_with(user, *REGISTERING_ROLES)
    ).first()
    if program is None:
        raise refuse(
            actor=user,
            action=AuditAction.CREATE,
            object_type=object_type,
            object_id="new",
            detail={"program_id": program_id},
            message="You cannot register patients in this program.",
        )
    return program


def access_episode_transition_by_id(user, episode_id, to_state: str) -> Episode:
    """The episode, if the user may move it to `to_state`, or an audited refusal."""
    episode = access_episode_by_id(user, episode_id, action=AuditAction.TRANSITION)
    if not access_episode_transition(user, episode, to_state):
        raise refuse(
            actor=user,
            action=AuditAction.TRANSITION,
            object_type="episode",
            object_id=episode.pk,
            patient_id=episode.patient_id,
            detail={"to": str(to_state)[:32]},
            message="Your role cannot make this transition.",
        )
    return episode


def access_care_team_patient_by_id(user, patient_id, *, object_type: str = "care_team") -> Patient:
    """The patient whose care team the user may change (and whom they may invite to the
    portal), or an audited refusal."""
    patient = access_patient_by_id(
        user, patient_id, action=AuditAction.UPDATE, object_type=object_type
    )
    if not access_care_team_edit(user, patient):
        raise refuse(
            actor=user,
            action=AuditAction.UPDATE,
            object_type=object_type,
            object_id=patient.pk,
            patient_id=patient.pk,
            message="You cannot change this care team.",
        )
    return patient


def access_episode_transition(user, episode: Episode, to_state: str) -> bool:
    """Clinicians and directors of the episode's program (or a clinician on the care
    team) make any move; intake coordinators move referrals up to assessment."""
    if not is_staff_member(user):
        return False
    if holds_role_in(user, episode.program_id, Role.PROGRAM_DIRECTOR, Role.CLINICIAN):
        return True
    if programs_with(user, Role.CLINICIAN) and episode.patient.care_team.filter(user=user).exists():
        return True
    if holds_role_in(user, episode.program_id, Role.INTAKE_COORDINATOR):
        return episode.state in PRE_ADMISSION_STATES and (
            to_state in PRE_ADMISSION_STATES or to_state == EpisodeState.DISCHARGED
        )
    return False


def has_episode_in(patient: Patient, program_ids, states=None) -> bool:
    """Whether the patient has an episode in one of the programs (in one of the states),
    read from the episodes as loaded with the patient (the chart prefetches them) or in
    one query: a patient has a handful."""
    return any(
        e.program_id in program_ids and (states is None or e.state in states)
        for e in patient.episodes.all()
    )


def clinician_on_care_team(user, patient: Patient) -> bool:
    """A clinician (in some program) on the patient's care team, read from the team as
    loaded with the patient (the chart prefetches it) or in one query."""
    return bool(programs_with(user, Role.CLINICIAN)) and any(
        member.user_id == user.pk for member in patient.care_team.all()
    )


def access_care_team_edit(user, patient: Patient) -> bool:
    program_ids = programs_with(user, Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
    return bool(program_ids) and has_episode_in(patient, program_ids, OPEN_STATES)


def access_clinic_configuration(user) -> bool:
    return is_administrator(user)


def access_patient_details_edit(user, patient: Patient) -> bool:
    """Intake coordinators, clinicians and directors of one of the patient's programs, or
    a clinician on the patient's care team."""
    if not is_staff_member(user):
        return False
    program_ids = programs_with(user, *REGISTERING_ROLES)
    if program_ids and has_episode_in(patient, program_ids):
        return True
    return clinician_on_care_team(user, patient)


def access_patient_details_by_id(user, patient_id) -> Patient:
    """The patient whose details the user may change, or an audited refusal."""
    patient = access_patient_by_id(
        user, patient_id, action=AuditAction.UPDATE, object_type="patient_details"
    )
    if not access_patient_details_edit(user, patient):
        raise refuse(
            actor=user,
            action=AuditAction.UPDATE,
            object_type="patient_details",
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    return patient


def access_family_contact_by_id(user, contact_id) -> FamilyContact:
    """A family contact whose patient's details the user keeps, or an audited refusal (an
    unknown contact gets the same one)."""
    sees = patient_condition(user)
    return read_and_check(
        FamilyContact.objects.select_related("patient"),
        contact_id,
        lambda contact: (
            sees.holds_for(contact.patient) and access_patient_details_edit(user, contact.patient)
        ),
        user=user,
        action=AuditAction.UPDATE,
        object_type="family_contact",
    )
