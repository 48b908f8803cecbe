"""Who may see and do what: the one place access to a patient's record is decided.

Deny by default. Each function starts from the acting user and reads one condition per
line, so every branch has its own test (privacy/tests/test_access.py).

- A clinician, prescriber or nurse sees the patients of their programs and the patients
  whose care team they are on.
- An intake coordinator sees the patients of their programs.
- A program director sees the patients of their programs.
- Billing staff see only the billing fields of the patients of their programs.
- An administrator configures the clinic and reads no clinical content.
- A patient sees only themselves.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from stepwell.accounts.models import Role, UserKind
from stepwell.clinic.models import ProgramStaff
from stepwell.patients.models import OPEN_STATES, Episode, EpisodeState, Patient

from .models import AuditEventPatient

CLINICAL_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE)
PROGRAM_WIDE_ROLES = (
    Role.CLINICIAN,
    Role.PRESCRIBER,
    Role.NURSE,
    Role.INTAKE_COORDINATOR,
    Role.PROGRAM_DIRECTOR,
)
REGISTERING_ROLES = (Role.INTAKE_COORDINATOR, Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
PRE_ADMISSION_STATES = (EpisodeState.REFERRED, EpisodeState.SCREENING, EpisodeState.ASSESSED)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _is_staff(user) -> bool:
    return _active(user) and user.kind == UserKind.STAFF


def _program_ids(user) -> list[int]:
    return list(user.program_memberships.values_list("program_id", flat=True))


def patients_visible_to(user) -> QuerySet[Patient]:
    """Patients whose clinical record the user may read."""
    if not _active(user):
        return Patient.objects.none()
    if user.kind == UserKind.PATIENT:
        return Patient.objects.filter(user=user)
    if not _is_staff(user):
        return Patient.objects.none()
    scope = Q(pk__in=[])
    if user.has_role(*PROGRAM_WIDE_ROLES):
        scope |= Q(episodes__program_id__in=_program_ids(user))
    if user.has_role(*CLINICAL_ROLES):
        scope |= Q(care_team__user=user)
    return Patient.objects.filter(scope).distinct()


def patients_billing_visible_to(user) -> QuerySet[Patient]:
    """Patients whose billing fields (identity, insurance, episode dates) the user may read."""
    if not _is_staff(user):
        return Patient.objects.none()
    if not user.has_role(Role.BILLING):
        return Patient.objects.none()
    return Patient.objects.filter(episodes__program_id__in=_program_ids(user)).distinct()


def access_patient_chart(user, patient: Patient) -> bool:
    return patients_visible_to(user).filter(pk=patient.pk).exists()


def access_patient_billing(user, patient: Patient) -> bool:
    return patients_billing_visible_to(user).filter(pk=patient.pk).exists()


def access_patient_register_any(user) -> bool:
    if not _is_staff(user):
        return False
    return user.has_role(*REGISTERING_ROLES)


def access_patient_register(user, program_id: int) -> bool:
    if not _is_staff(user):
        return False
    if not user.has_role(*REGISTERING_ROLES):
        return False
    return program_id in _program_ids(user)


def access_episode_transition(user, episode: Episode, to_state: str) -> bool:
    """Intake coordinators move referrals up to assessment; clinicians and directors all."""
    if not _is_staff(user):
        return False
    if (
        episode.program_id not in _program_ids(user)
        and not episode.patient.care_team.filter(user=user).exists()
    ):
        return False
    if user.has_role(Role.CLINICIAN, Role.PROGRAM_DIRECTOR):
        return True
    if user.has_role(Role.INTAKE_COORDINATOR):
        return episode.state in PRE_ADMISSION_STATES and (
            to_state in PRE_ADMISSION_STATES or to_state == EpisodeState.DISCHARGED
        )
    return False


def access_care_team_edit(user, patient: Patient) -> bool:
    if not _is_staff(user):
        return False
    if not user.has_role(Role.CLINICIAN, Role.PROGRAM_DIRECTOR):
        return False
    return Episode.objects.filter(
        patient=patient, program_id__in=_program_ids(user), state__in=OPEN_STATES
    ).exists()


def access_audit_trail(user) -> bool:
    """Directors review access to their programs' patients; administrators see only
    events that concern no patient (logins, privilege changes)."""
    if not _is_staff(user):
        return False
    return user.has_role(Role.PROGRAM_DIRECTOR, Role.ADMINISTRATOR)


def _named_in(patient_ids) -> Exists:
    return Exists(
        AuditEventPatient.objects.filter(event_seq=OuterRef("seq"), patient_id__in=patient_ids)
    )


def _names_any_patient() -> Exists:
    return Exists(AuditEventPatient.objects.filter(event_seq=OuterRef("seq")))


def audit_reviewable_patients(user) -> QuerySet[Patient]:
    """Patients whose audit events the user reviews: a director's programs' patients."""
    if not access_audit_trail(user) or not user.has_role(Role.PROGRAM_DIRECTOR):
        return Patient.objects.none()
    return Patient.objects.filter(episodes__program_id__in=_program_ids(user))


def audit_patient_scope(user) -> Q:
    """The audit events the user may list.

    - A director: events about their programs' patients, events whose detail names one of
      them (a list page), and events about no patient by staff of their programs.
    - An administrator: events that concern and name no patient (logins, privileges).
    Patients of other programs named in a listed event's detail are left out when it is
    shown (privacy.selectors.audit_detail_shown).
    """
    if not access_audit_trail(user):
        return Q(pk__in=[])
    scope = Q(pk__in=[])
    if user.has_role(Role.ADMINISTRATOR):
        scope |= Q(patient_id__isnull=True) & ~_names_any_patient()
    if user.has_role(Role.PROGRAM_DIRECTOR):
        patient_ids = audit_reviewable_patients(user).values("pk")
        program_staff = ProgramStaff.objects.filter(program_id__in=_program_ids(user)).values(
            "user_id"
        )
        scope |= Q(patient_id__in=patient_ids)
        scope |= Q(patient_id__isnull=True) & _named_in(patient_ids)
        scope |= Q(patient_id__isnull=True) & ~_names_any_patient() & Q(user_id__in=program_staff)
    return scope


def access_clinic_configuration(user) -> bool:
    return _is_staff(user) and user.has_role(Role.ADMINISTRATOR)
