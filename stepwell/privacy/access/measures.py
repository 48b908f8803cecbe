"""Access to measures: scores, questionnaires, safety alerts and measurement schedules.

Roles are held per program. "A program of the patient" is the program of any of the
patient's episodes, as for the chart (privacy.access.patients).

- Reading scores: clinicians, prescribers, nurses, intake coordinators and directors of a
  program of the patient, and clinical staff on the patient's care team (the chart's
  readers); a patient reads their own. Billing staff and administrators read none.
- Recording answers in session and sending a questionnaire: clinicians, prescribers,
  nurses and intake coordinators of a program of the patient, and clinical staff on the
  care team. A director records nothing.
- Seeing and acknowledging safety alerts: clinicians, prescribers, nurses and directors
  of a program of the patient, and clinical staff on the care team. The alert worklist
  opens for anyone who holds one of those roles in some program; it lists only the
  alerts they may see.
- The urgent banner (open alerts needing an immediate response): to the chart's readers
  of the patient, to readers of the program the on-call clinician was paged for, and to
  the paged clinician. It never names the patient (measures.banner says why).
- Completing a questionnaire as the patient: only their own, while it is due. By
  one-time link: whoever holds a valid link (unused, unrevoked, unexpired, to a
  questionnaire still due); the token is the credential.
- Measurement schedules: the program's director, or an administrator (clinic setup).
- Switching an instrument off for the clinic: administrators.
- Loading a licensed instrument definition: administrators, and the
  `stepwell instruments load` command (system actor `instruments-load`).
- Creating the due questionnaires the schedules call for: only the jobs named in
  DUE_QUESTIONNAIRE_JOBS (the daily job and `stepwell measures-due`, and the demo
  builder). No person does it: it follows the schedules and shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.measures.models import (
    Administration,
    AdministrationStatus,
    Alert,
    AlertStatus,
    OnCallPage,
    QuestionnaireLink,
    token_hash,
)
from stepwell.patients.models import Patient
from stepwell.privacy.actors import require_actor
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .alumni import refuse_alumnus
from .conditions import NOBODY, OnCareTeam, PatientCondition, in_any_of, patients_where
from .patients import (
    patient_condition,
    patient_meeting_or_refuse,
    patient_meets,
    patients_visible_to,
)
from .predicates import (
    CLINICAL_ROLES,
    PROGRAM_WIDE_ROLES,
    as_record_id,
    holds_role_in,
    is_administrator,
    is_patient_user,
    is_staff_member,
    is_system_actor,
    programs_with,
)

RECORDING_ROLES = (*CLINICAL_ROLES, Role.INTAKE_COORDINATOR)
ALERT_ROLES = (*CLINICAL_ROLES, Role.PROGRAM_DIRECTOR)
READING_ROLES = PROGRAM_WIDE_ROLES
# The system actors that create due questionnaires: the daily job and its command, and the
# demo builder (stepwell.demo).
DUE_QUESTIONNAIRE_JOBS = frozenset({"measures-due", "seed-demo"})
INSTRUMENT_LOAD_JOB = "instruments-load"
LONGEST_TOKEN = 100


def _condition_where(user, roles: tuple[str, ...]) -> PatientCondition:
    """Patients of the programs where the user holds one of ``roles``, and, when a role
    of clinical staff is among them and the user holds it somewhere, the patients whose
    care team the user is on."""
    if not is_staff_member(user):
        return NOBODY
    scope = in_any_of(programs_with(user, *roles))
    clinical = tuple(role for role in roles if role in CLINICAL_ROLES)
    if clinical and programs_with(user, *clinical):
        scope |= OnCareTeam(user)
    return scope


def _patients_where(user, roles: tuple[str, ...]) -> QuerySet[Patient]:
    return patients_where(_condition_where(user, roles))


def measures_condition(user) -> PatientCondition:
    """Who is in measures_patients_visible_to, as a condition: the chart's readers."""
    return patient_condition(user)


def recording_condition(user) -> PatientCondition:
    return _condition_where(user, RECORDING_ROLES)


def alert_condition(user) -> PatientCondition:
    return _condition_where(user, ALERT_ROLES)


# --- who is in scope (querysets) --------------------------------------------------------


def measures_patients_visible_to(user) -> QuerySet[Patient]:
    """The patients whose scores the user may read: the chart's readers, or oneself."""
    return patients_visible_to(user)


def recording_patients_visible_to(user) -> QuerySet[Patient]:
    """The patients for whom the user may record answers or send a questionnaire."""
    return _patients_where(user, RECORDING_ROLES)


def alert_patients_visible_to(user) -> QuerySet[Patient]:
    """The patients whose safety alerts the user may see and acknowledge."""
    return _patients_where(user, ALERT_ROLES)


def banner_alerts_visible_to(user) -> QuerySet[Alert]:
    """Open alerts needing an immediate response that the urgent banner shows the user."""
    if not is_staff_member(user):
        return Alert.objects.none()
    # Subqueries, not joins through the pages: no DISTINCT over every alert's pages.
    paged = Q(clinician=user)
    reading_programs = programs_with(user, *READING_ROLES)
    if reading_programs:
        paged |= Q(program_id__in=reading_programs)
    scope = Q(patient__in=patients_visible_to(user).values("pk")) | Q(
        pk__in=OnCallPage.objects.filter(paged).values("alert_id")
    )
    return Alert.objects.filter(scope, status=AlertStatus.OPEN, immediate=True)


# --- boolean rules (what a page offers) --------------------------------------------------


def access_measures_read(user, patient: Patient) -> bool:
    return measures_condition(user).holds_for(patient)


def access_administration_record(user, patient: Patient) -> bool:
    """Record answers in session, or send the patient a questionnaire."""
    return recording_condition(user).holds_for(patient)


def access_alerts_see(user, patient: Patient) -> bool:
    return alert_condition(user).holds_for(patient)


@dataclass(frozen=True)
class MeasuresRights:
    """What the chart's Measures section offers the user for one patient."""

    read: bool  # access_measures_read
    see_alerts: bool  # access_alerts_see
    record: bool  # access_administration_record


def measures_rights(user, patient: Patient) -> MeasuresRights:
    """The three rules above for one patient, from its facts (the chart asks all three)."""
    found = patient_meets(
        patient,
        {
            "read": measures_condition(user),
            "see_alerts": alert_condition(user),
            "record": recording_condition(user),
        },
    )
    return MeasuresRights(**found)


def access_alert_acknowledge(user, patient: Patient) -> bool:
    return access_alerts_see(user, patient)


def access_alert_worklist(user) -> bool:
    return bool(programs_with(user, *ALERT_ROLES))


def access_questionnaire_complete_own(user, patient: Patient) -> bool:
    if not is_patient_user(user):
        return False
    return patient.user_id == user.pk


def access_schedule_manage(user, program_id: int | None) -> bool:
    if is_administrator(user):
        return True
    return holds_role_in(user, program_id, Role.PROGRAM_DIRECTOR)


def access_instrument_settings(user) -> bool:
    """Switching instruments on or off is clinic setup: administrators."""
    return is_administrator(user)


def access_instrument_definition_load(actor) -> bool:
    if is_system_actor(actor):
        return actor.job == INSTRUMENT_LOAD_JOB
    return is_administrator(actor)


def access_due_questionnaires_generate(actor) -> bool:
    if not is_system_actor(actor):
        return False
    return actor.job in DUE_QUESTIONNAIRE_JOBS


# --- fetch and check in one call ---------------------------------------------------------


def access_patient_measures_by_id(
    user, patient_id, *, action: str = AuditAction.VIEW, object_type: str = "administration"
) -> Patient:
    """A patient whose scores the user may read, or an audited refusal."""
    return patient_meeting_or_refuse(
        user, patient_id, measures_condition(user), action=action, object_type=object_type
    )


def access_patient_for_recording_by_id(
    user,
    patient_id,
    *,
    action: str = AuditAction.CREATE,
    object_type: str = "administration",
    object_id: object = "new",
) -> Patient:
    """A patient for whom the user may record or send a questionnaire, or an audited
    refusal (a missing patient and a forbidden one alike)."""
    return patient_meeting_or_refuse(
        user,
        patient_id,
        recording_condition(user),
        action=action,
        object_type=object_type,
        object_id=object_id,
    )


def access_alert_by_id(user, alert_id, *, action: str = "acknowledge") -> Alert:
    """An alert of a patient whose alerts the user may act on, or an audited refusal
    naming the alert's patient when the alert exists."""
    alert = (
        Alert.objects.select_related("patient", "administration", "acknowledged_by")
        .filter(pk=as_record_id(alert_id), patient__in=alert_patients_visible_to(user))
        .first()
    )
    if alert is None:
        stored = Alert.objects.filter(pk=as_record_id(alert_id)).values_list(
            "patient_id", flat=True
        )
        raise refuse(
            actor=user,
            action=action,
            object_type="alert",
            object_id=alert_id,
            patient_id=stored.first(),
        )
    return alert


def access_own_patient(user, *, object_type: str = "portal_questionnaires") -> Patient:
    """The patient record of a signed-in patient, or an audited refusal."""
    patient = Patient.objects.filter(user=user).first() if is_patient_user(user) else None
    if patient is None:
        raise refuse(actor=user, action=AuditAction.LIST, object_type=object_type)
    refuse_alumnus(user, object_type=object_type, action=AuditAction.LIST)  # care has ended
    return patient


def access_own_administration_by_id(
    user, administration_id, *, action: str = AuditAction.VIEW
) -> Administration:
    """One of the signed-in patient's own questionnaires, or an audited refusal."""
    administration = None
    refuse_alumnus(user, object_type="administration", action=action)  # care has ended
    if is_patient_user(user):
        administration = (
            Administration.objects.select_related("patient", "episode__program")
            .filter(pk=as_record_id(administration_id), patient__user=user)
            .first()
        )
    if administration is None:
        stored = Administration.objects.filter(pk=as_record_id(administration_id))
        raise refuse(
            actor=user,
            action=action,
            object_type="administration",
            object_id=administration_id,
            patient_id=stored.values_list("patient_id", flat=True).first(),
        )
    return administration


def questionnaire_link_for_token(token: str) -> QuestionnaireLink | None:
    """The link a token opens: unused, unrevoked, unexpired, to a questionnaire still due.
    None otherwise (the token is the credential: nothing else is checked)."""
    if not isinstance(token, str) or not token or len(token) > LONGEST_TOKEN:
        return None
    link = (
        QuestionnaireLink.objects.select_related("administration__episode__program")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or link.used_at or link.revoked_at or link.expires_at <= timezone.now():
        return None
    if link.administration.status != AdministrationStatus.DUE:
        return None
    return link


def access_questionnaire_link_by_token(actor, token: str) -> QuestionnaireLink:
    """The link a valid token opens, or an audited refusal that names no patient."""
    require_actor(actor)  # a link holder may be signed out (anonymous), never nobody
    link = questionnaire_link_for_token(token)
    if link is None:
        raise refuse(actor=actor, action=AuditAction.CREATE, object_type="questionnaire_link")
    return link
