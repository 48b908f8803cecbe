"""Access to referrals, intake assessments, availability, placement and admission.

- The referral board and its referrals: intake coordinators, clinicians and program
  directors, each for the programs where they hold that role.
- A new referral is taken by an intake coordinator, clinician or director of the program
  (privacy.access.patients, registering); for a registered patient, the user also sees
  the patient's chart.
- An intake assessment is read by staff who see the patient's chart.
- It is started, drafted and completed (history, diagnoses) by an intake coordinator or
  clinician of the episode's program, or a clinician on the patient's care team.
- It is signed and addended, and the level of care decided, by a clinician of the
  episode's program or a clinician on the patient's care team.
- A patient is admitted by a clinician or director of the episode's program.
- The weekly availability is kept by the patient, or by an intake coordinator or
  clinician of one of the patient's programs, or a clinician on the care team. Staff who
  see the chart read it.
- The level-of-care engine on its own (a preview) and the diagnosis-code search touch no
  record: any active staff member.

A missing record and one the user may not see get the same audited refusal.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet

from stepwell.accounts.models import Role
from stepwell.core.kept import RecordRead
from stepwell.intake.models import IntakeAssessment, PlacementDecision, Referral
from stepwell.patients.models import CareTeamMember, Episode, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .patients import (
    EPISODE_READ,
    access_patient_chart,
    clinician_on_care_team,
    has_episode_in,
    patient_condition,
    patient_from_scope,
    patients_visible_to,
)
from .predicates import (
    holds_role_in,
    is_patient_user,
    is_staff_member,
    programs_with,
    read_and_check,
)

_REFERRAL = RecordRead(Referral, "patient", "episode", "episode__program")
_ASSESSMENT = RecordRead(IntakeAssessment, "patient", "episode", "episode__program", "signed_by")
_PLACEMENT = RecordRead(
    PlacementDecision, "assessment", "episode", "episode__patient", "episode__program", "decided_by"
)


__all__ = [
    "ADMISSION_ROLES",
    "ASSESSMENT_DRAFT_ROLES",
    "REFERRAL_ROLES",
    "IntakeNeed",
    "access_admission",
    "access_assessment_by_id",
    "access_assessment_draft",
    "access_assessment_read",
    "access_assessment_sign",
    "access_assessment_write",
    "access_availability_edit",
    "access_availability_patient_by_id",
    "access_diagnosis_codes",
    "access_episode_for_assessment_by_id",
    "access_placement_decision_by_id",
    "access_placement_preview",
    "access_referral_board",
    "access_referral_by_id",
    "access_referral_manage",
    "assessments_visible_to",
    "referral_programs",
    "referrals_of",
    "referrals_visible_to",
]

REFERRAL_ROLES = (Role.INTAKE_COORDINATOR, Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
ASSESSMENT_DRAFT_ROLES = (Role.INTAKE_COORDINATOR, Role.CLINICIAN)
ASSESSMENT_SIGN_ROLES = (Role.CLINICIAN,)
ADMISSION_ROLES = (Role.CLINICIAN, Role.PROGRAM_DIRECTOR)


class IntakeNeed(StrEnum):
    """What a caller needs to do with an intake record."""

    READ = "read"
    DRAFT = "draft"  # start, edit, history, diagnoses
    SIGN = "sign"  # sign, addenda, the placement decision
    ADMIT = "admit"


# --- the shared conditions of this area -------------------------------------------------


def _clinician_on_care_team(user, patient_id: int) -> bool:
    if not programs_with(user, Role.CLINICIAN):
        return False
    return CareTeamMember.objects.filter(patient_id=patient_id, user=user).exists()


def _works_on_episode(user, episode: Episode, roles: tuple[str, ...]) -> bool:
    """Holds one of the roles in the episode's program, or (for a clinician's work) is a
    clinician on the patient's care team."""
    if holds_role_in(user, episode.program_id, *roles):
        return True
    return Role.CLINICIAN in roles and _clinician_on_care_team(user, episode.patient_id)


def _works_on_patient(user, patient: Patient, roles: tuple[str, ...]) -> bool:
    """Holds one of the roles in a program where the patient has an episode, or (for a
    clinician's work) is a clinician on the patient's care team."""
    program_ids = programs_with(user, *roles)
    if program_ids and has_episode_in(patient, program_ids):
        return True
    return Role.CLINICIAN in roles and clinician_on_care_team(user, patient)


# --- referrals ---------------------------------------------------------------------------


def access_referral_board(user) -> bool:
    """The board itself; it lists the referrals of the programs where the user holds a
    referral role."""
    return bool(programs_with(user, *REFERRAL_ROLES))


def referrals_visible_to(user) -> QuerySet[Referral]:
    program_ids = referral_programs(user)
    if not program_ids:
        return Referral.objects.none()
    return referrals_of(program_ids)


def referral_programs(user) -> list[int]:
    """The programs whose referrals the user sees (those where they hold a referral
    role), in order."""
    return sorted(programs_with(user, *REFERRAL_ROLES))


def referrals_of(programs) -> QuerySet[Referral]:
    """referrals_visible_to for these programs (a list of ids, or where a kept query puts
    one: stepwell/core/kept.py)."""
    return Referral.objects.filter(episode__program_id__any_of=programs)


def access_referral_by_id(user, referral_id, *, action: str = AuditAction.VIEW) -> Referral:
    """A referral of the user's programs (to read or to work on), or an audited refusal."""
    program_ids = programs_with(user, *REFERRAL_ROLES)
    return read_and_check(
        _REFERRAL,
        referral_id,
        lambda referral: referral.episode.program_id in program_ids,
        user=user,
        action=action,
        object_type="referral",
    )


def access_referral_manage(user, patient: Patient) -> bool:
    """May take a referral for this registered patient: a referral role, and the chart.
    (The program of the referral is checked when it is created.)"""
    if not programs_with(user, *REFERRAL_ROLES):
        return False
    return access_patient_chart(user, patient)


# --- intake assessments ------------------------------------------------------------------


def assessments_visible_to(user) -> QuerySet[IntakeAssessment]:
    if not is_staff_member(user):
        return IntakeAssessment.objects.none()
    return IntakeAssessment.objects.filter(patient__in=patients_visible_to(user))


def access_assessment_read(user, patient: Patient) -> bool:
    if not is_staff_member(user):
        return False
    return access_patient_chart(user, patient)


def access_assessment_write(user, patient: Patient) -> bool:
    """May start or draft an intake assessment of this patient in one of their programs."""
    return _works_on_patient(user, patient, ASSESSMENT_DRAFT_ROLES)


def access_assessment_draft(user, episode: Episode) -> bool:
    return _works_on_episode(user, episode, ASSESSMENT_DRAFT_ROLES)


def access_assessment_sign(user, episode: Episode) -> bool:
    """Signing, addenda and placement decisions are a clinician's."""
    return _works_on_episode(user, episode, ASSESSMENT_SIGN_ROLES)


def access_admission(user, episode: Episode) -> bool:
    return holds_role_in(user, episode.program_id, *ADMISSION_ROLES)


_ASSESSMENT_RULES = {
    IntakeNeed.READ: lambda user, episode: True,  # the scope (the chart) decides
    IntakeNeed.DRAFT: access_assessment_draft,
    IntakeNeed.SIGN: access_assessment_sign,
}


def access_assessment_by_id(
    user,
    assessment_id,
    *,
    need: IntakeNeed = IntakeNeed.READ,
    action: str = AuditAction.VIEW,
    object_type: str = "intake_assessment",
) -> IntakeAssessment:
    """The assessment, if the user may do what `need` says with it, or an audited refusal.
    Read with its patient and episode, then allowed from the patient's facts (the chart's
    condition, as assessments_visible_to) and the need's rule."""
    rule = _ASSESSMENT_RULES[need]
    chart = patient_condition(user)
    return read_and_check(
        _ASSESSMENT,
        assessment_id,
        lambda assessment: (
            is_staff_member(user)
            and chart.holds_for(assessment.patient)
            and rule(user, assessment.episode)
        ),
        user=user,
        action=action,
        object_type=object_type,
    )


def access_episode_for_assessment_by_id(user, episode_id) -> Episode:
    """An episode whose intake assessment the user may start, or an audited refusal."""
    chart = patient_condition(user)
    return read_and_check(
        EPISODE_READ,
        episode_id,
        lambda episode: chart.holds_for(episode.patient) and access_assessment_draft(user, episode),
        user=user,
        action=AuditAction.CREATE,
        object_type="intake_assessment",
        object_id="new",
        detail={"episode_id": episode_id},
    )


# --- placement and admission -------------------------------------------------------------


def access_placement_decision_by_id(
    user,
    decision_id,
    *,
    need: IntakeNeed = IntakeNeed.READ,
    action: str = AuditAction.VIEW,
) -> PlacementDecision:
    """A placement decision to read, or to admit on (`need=ADMIT`), or an audited refusal.
    Read with its episode's patient, then allowed from the patient's facts (the chart)."""
    chart = patient_condition(user)

    def allowed(decision: PlacementDecision) -> bool:
        if not is_staff_member(user) or not chart.holds_for(decision.episode.patient):
            return False
        return need != IntakeNeed.ADMIT or access_admission(user, decision.episode)

    return read_and_check(
        _PLACEMENT,
        decision_id,
        allowed,
        user=user,
        action=action,
        object_type="admission" if need == IntakeNeed.ADMIT else "placement_decision",
        patient_of=lambda decision: decision.episode.patient_id,
    )


def access_placement_preview(user) -> bool:
    """Running the engine on an input, saving nothing: any active staff member."""
    return is_staff_member(user)


def access_diagnosis_codes(user) -> bool:
    """The shipped ICD-10-CM code list (no patient data): any active staff member."""
    return is_staff_member(user)


# --- availability ------------------------------------------------------------------------


def access_availability_edit(user, patient: Patient) -> bool:
    """The patient's own weekly availability: the patient, or intake and clinicians."""
    if is_patient_user(user):
        return patient.user_id == user.pk
    return access_assessment_write(user, patient)


def access_availability_patient_by_id(
    user, patient_id, *, edit: bool = True, action: str = AuditAction.VIEW
) -> Patient:
    """The patient whose availability the user keeps (`edit`) or reads, or an audited
    refusal. Whoever keeps it (the patient among them) also reads it, on the page and
    through the API alike."""
    patient = patient_from_scope(patient_id, patients_visible_to, user)
    if patient is None:
        allowed = False
    elif edit:
        allowed = access_availability_edit(user, patient)
    else:
        allowed = access_availability_edit(user, patient) or access_assessment_read(user, patient)
    if not allowed:
        raise refuse(
            actor=user,
            action=action,
            object_type="availability",
            object_id=patient_id,
            patient_id=patient_id,
        )
    return patient
