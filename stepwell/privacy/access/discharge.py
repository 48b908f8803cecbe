"""Access to discharge summaries, aftercare plans, their PDFs, the support-group directory
and the discharge policy.

Roles count in the patient's program: the patient has an episode in a program where the
user holds the role, or the user is on the patient's care team and holds the role in some
program (privacy.access.notes.patients_in_role). Every staff rule also needs the chart.

- Reading an episode's discharge summary and aftercare plan (pages, API, both PDFs):
  clinicians, prescribers, nurses and directors in the patient's program. Intake
  coordinators, billing staff and administrators read none of it.
- Drafting, editing and signing the summary, and adding addenda: clinicians and
  prescribers in the patient's program.
- Writing the aftercare plan (its contacts, groups and appointments) and recording the
  patient's signature on paper: clinicians, prescribers and nurses in the patient's program.
- The patient reads their own aftercare plan (and its PDF) on the portal, also after
  discharge, and signs it there. They read no summary and no other patient's plan.
- The support-group directory of a program: read by anyone who works in it; kept by its
  clinicians and directors. The program's discharge policy: its directors.
A record the user may not reach and one that does not exist get the same audited refusal.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet

from stepwell.accounts.models import Role
from stepwell.clinic.models import Program
from stepwell.discharge.models import AftercarePlan
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .conditions import PatientCondition, patients_where
from .notes import role_condition
from .patients import episode_meeting_or_refuse, patient_from_scope
from .predicates import (
    as_record_id,
    is_patient_user,
    programs_with,
)

READ_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
SUMMARY_ROLES = (Role.CLINICIAN, Role.PRESCRIBER)
PLAN_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE)
DIRECTORY_ROLES = (Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
POLICY_ROLES = (Role.PROGRAM_DIRECTOR,)


class DischargeNeed(StrEnum):
    READ = "read"
    SUMMARY = "summary"  # draft, edit, sign the summary; addenda
    PLAN = "plan"  # write the aftercare plan; record a paper signature


_ROLES = {
    DischargeNeed.READ: READ_ROLES,
    DischargeNeed.SUMMARY: SUMMARY_ROLES,
    DischargeNeed.PLAN: PLAN_ROLES,
}


def discharge_condition(user, need: DischargeNeed = DischargeNeed.READ) -> PatientCondition:
    """Patients whose discharge documents the user reads (or writes, by ``need``): staff
    in one of the need's roles for the patient (role_condition lets in staff only)."""
    return role_condition(user, *_ROLES[need])


def discharge_patients_visible_to(user, need: DischargeNeed = DischargeNeed.READ):
    return patients_where(discharge_condition(user, need))


def access_discharge(user, patient: Patient, need: DischargeNeed = DischargeNeed.READ) -> bool:
    return discharge_condition(user, need).holds_for(patient)


def discharge_episodes_visible_to(
    user, need: DischargeNeed = DischargeNeed.READ
) -> QuerySet[Episode]:
    return Episode.objects.filter(
        patient__in=discharge_patients_visible_to(user, need).values("pk")
    ).select_related("patient", "program")


def access_discharge_episode_by_id(
    user,
    episode_id,
    *,
    need: DischargeNeed = DischargeNeed.READ,
    action: str = AuditAction.VIEW,
    object_type: str = "discharge_summary",
) -> Episode:
    """The episode whose discharge documents the user may read (or write), or a refusal.
    Read with its patient, then allowed from the patient's facts: the condition of
    discharge_patients_visible_to (role_condition lets in staff only)."""
    return episode_meeting_or_refuse(
        user,
        episode_id,
        discharge_condition(user, need),
        action=action,
        object_type=object_type,
    )


def access_discharge_patient_by_id(user, patient_id, *, action: str = AuditAction.VIEW) -> Patient:
    patient = patient_from_scope(patient_id, discharge_patients_visible_to, user)
    if patient is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="discharge",
            object_id=patient_id,
            patient_id=patient_id,
        )
    return patient


def access_own_aftercare_plan(
    user, *, episode_id=None, action: str = AuditAction.VIEW
) -> AftercarePlan:
    """The signed-in patient's own aftercare plan (the latest, or the one of this episode),
    or an audited refusal. Works after discharge: the plan is theirs to keep."""
    plan = None
    if is_patient_user(user):
        plans = AftercarePlan.objects.filter(episode__patient__user=user).select_related(
            "episode__patient", "episode__program"
        )
        if episode_id is not None:
            plans = plans.filter(episode_id=as_record_id(episode_id))
        plan = plans.order_by("-episode__referred_on", "-pk").first()
    if plan is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="aftercare_plan",
            object_id="" if episode_id is None else episode_id,
        )
    return plan


def directory_programs_of(user, *, manage: bool = False) -> frozenset[int]:
    if manage:
        return programs_with(user, *DIRECTORY_ROLES)
    return programs_with(user, *Role.values)


def access_directory_program_by_id(
    user, program_id, *, manage: bool = False, action: str = AuditAction.VIEW
) -> Program:
    return _program_or_refuse(
        user, program_id, directory_programs_of(user, manage=manage), action, "support_group"
    )


def access_policy_program_by_id(user, program_id, *, action: str = AuditAction.UPDATE) -> Program:
    return _program_or_refuse(
        user, program_id, programs_with(user, *POLICY_ROLES), action, "discharge_policy"
    )


def _program_or_refuse(user, program_id, allowed, action, object_type) -> Program:
    program = Program.objects.filter(pk=as_record_id(program_id), pk__in=allowed).first()
    if program is None:
        raise refuse(actor=user, action=action, object_type=object_type, object_id=program_id)
    return program
