"""Access to patients, their episodes and care teams.

- A clinician, prescriber or nurse sees the patients of the programs where they hold that
  role, and the patients whose care team they are on.
- An intake coordinator or a program director sees the patients of the programs where
  they hold that role.
- Billing staff see only the billing fields of the patients of their billing programs.
- An administrator configures the clinic and reads no clinical content.
- A patient sees only themselves.
- A system actor (a job) reads no chart unless a rule names it.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.patients.models import OPEN_STATES, Episode, EpisodeState, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .predicates import (
    CLINICAL_ROLES,
    PROGRAM_WIDE_ROLES,
    holds_role_in,
    is_active_user,
    is_administrator,
    is_patient_user,
    is_staff_member,
    programs_with,
)

__all__ = [
    "CLINICAL_ROLES",
    "PRE_ADMISSION_STATES",
    "PROGRAM_WIDE_ROLES",
    "REGISTERING_ROLES",
    "PatientNeed",
    "access_care_team_edit",
    "access_clinic_configuration",
    "access_episode_by_id",
    "access_episode_transition",
    "access_patient_billing",
    "access_patient_by_id",
    "access_patient_chart",
    "access_patient_register",
    "access_patient_register_any",
    "patients_billing_visible_to",
    "patients_visible_to",
]

REGISTERING_ROLES = (Role.INTAKE_COORDINATOR, Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
PRE_ADMISSION_STATES = (EpisodeState.REFERRED, EpisodeState.SCREENING, EpisodeState.ASSESSED)


class PatientNeed(StrEnum):
    """What a caller needs of a patient's record."""

    CHART = "chart"  # the clinical record
    BILLING = "billing"  # identity, coverage and episode dates only


def patients_visible_to(user) -> QuerySet[Patient]:
    """Patients whose clinical record the user may read."""
    if not is_active_user(user):
        return Patient.objects.none()
    if is_patient_user(user):
        return Patient.objects.filter(user=user)
    if not is_staff_member(user):
        return Patient.objects.none()
    scope = Q(pk__in=[])
    program_ids = programs_with(user, *PROGRAM_WIDE_ROLES)
    if program_ids:
        scope |= Q(episodes__program_id__in=program_ids)
    if programs_with(user, *CLINICAL_ROLES):
        scope |= Q(care_team__user=user)
    return Patient.objects.filter(scope).distinct()


def patients_billing_visible_to(user) -> QuerySet[Patient]:
    """Patients whose billing fields (identity, insurance, episode dates) the user may read."""
    program_ids = programs_with(user, Role.BILLING)
    if not program_ids:
        return Patient.objects.none()
    return Patient.objects.filter(episodes__program_id__in=program_ids).distinct()


def _patients_for(user, need: PatientNeed) -> QuerySet[Patient]:
    if need == PatientNeed.BILLING:
        return patients_billing_visible_to(user)
    return patients_visible_to(user)


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
    patient = _patients_for(user, need).filter(pk=_as_id(patient_id)).first()
    if patient is None:
        raise refuse(
            actor=user,
            action=action,
            object_type=object_type,
            object_id=patient_id if object_id is None else object_id,
            patient_id=patient_id,
        )
    return patient


def access_episode_by_id(
    user,
    episode_id,
    *,
    need: PatientNeed = PatientNeed.CHART,
    action: str = AuditAction.VIEW,
    object_type: str = "episode",
) -> Episode:
    """The episode of a patient the user may see, or an audited refusal."""
    episode = (
        Episode.objects.select_related("patient", "program")
        .filter(pk=_as_id(episode_id), patient__in=_patients_for(user, need))
        .first()
    )
    if episode is None:
        stored = Episode.objects.filter(pk=_as_id(episode_id)).values_list("patient_id", flat=True)
        raise refuse(
            actor=user,
            action=action,
            object_type=object_type,
            object_id=episode_id,
            patient_id=stored.first(),
        )
    return episode


def as_record_id(value) -> int:
    """A record id, or 0 (which matches nothing) for anything that is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


_as_id = as_record_id


def access_patient_chart(user, patient: Patient) -> bool:
    return patients_visible_to(user).filter(pk=patient.pk).exists()


def access_patient_billing(user, patient: Patient) -> bool:
    return patients_billing_visible_to(user).filter(pk=patient.pk).exists()


def access_patient_register_any(user) -> bool:
    return bool(programs_with(user, *REGISTERING_ROLES))


def access_patient_register(user, program_id: int) -> bool:
    return holds_role_in(user, program_id, *REGISTERING_ROLES)


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


def access_care_team_edit(user, patient: Patient) -> bool:
    program_ids = programs_with(user, Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
    if not program_ids:
        return False
    return Episode.objects.filter(
        patient=patient, program_id__in=program_ids, state__in=OPEN_STATES
    ).exists()


def access_clinic_configuration(user) -> bool:
    return is_administrator(user)
