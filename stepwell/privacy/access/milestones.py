"""Access to milestones and the patient's progress page.

- Reading a patient's milestones (the chart section, the API): whoever reads the
  patient's chart (privacy.access.patients.patients_visible_to), and the patient on the
  portal. Billing staff and administrators read none.
- A days-abstinent milestone is earned from drug tests, which are Part 2 records of the
  program that did them (docs/clinical-sources.md §5): besides the patient, only staff
  who read that program's drug tests see it (the rule of privacy.access.meds).
- Recording a milestone, setting "may be named in group" for the patient, and asking
  for the milestones to be worked out now: clinicians, prescribers, nurses and directors
  in the patient's program, or on the patient's care team (privacy.access.notes).
- The patient sees their own progress page and sets their own "may be named in group".
- The milestones of this week on a group session's roster: the people who take the
  session's attendance (its facilitators and the program's directors;
  privacy.access.attendance), for the participants who said yes only.
- Working out milestones is done by the jobs in COMPUTE_JOBS.

A patient the user may not reach and one that does not exist get the same audited refusal.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.milestones.models import Milestone
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.audit import AuditAction

from .attendance import access_session_attendance_by_id
from .conditions import NOBODY, PatientCondition, patients_where
from .meds import READ_ROLES as DRUG_TEST_READ_ROLES
from .meds import meds_patients_visible_to
from .notes import role_condition
from .patients import (
    access_own_patient,
    patient_condition,
    patient_meeting_or_refuse,
    patients_visible_to,
)
from .predicates import (
    is_patient_user,
    is_staff_member,
    is_system_actor,
    programs_with,
    read_and_check,
)

WRITE_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
COMPUTE_JOBS = frozenset({"milestones-compute", "seed-demo"})
DRUG_TEST_CODES = "days_abstinent"  # the prefix of the codes earned from drug tests


def milestone_patients_visible_to(user) -> QuerySet[Patient]:
    """Patients whose milestones the user reads: the chart's readers."""
    return patients_visible_to(user)


def milestones_written_condition(user) -> PatientCondition:
    """Patients whose milestones the user records: staff in a writing role."""
    if not is_staff_member(user):
        return NOBODY
    return role_condition(user, *WRITE_ROLES)


def milestone_patients_written_by(user) -> QuerySet[Patient]:
    return patients_where(milestones_written_condition(user))


def milestones_visible_to(user) -> QuerySet[Milestone]:
    """The milestones the user reads, without the drug-test ones they may not see."""
    rows = Milestone.objects.filter(patient__in=milestone_patients_visible_to(user).values("pk"))
    if is_patient_user(user):
        return rows
    drug_tests_readable = Q(episode__program_id__in=programs_with(user, *DRUG_TEST_READ_ROLES))
    drug_tests_readable |= Q(
        episode__program__part2_program=False,
        patient__in=meds_patients_visible_to(user).values("pk"),
    )
    return rows.filter(~Q(code__startswith=DRUG_TEST_CODES) | drug_tests_readable)


def access_milestones_write(user, patient: Patient) -> bool:
    """Show the "record a milestone" form and the sharing switch to this user?"""
    return milestones_written_condition(user).holds_for(patient)


def access_milestones_compute(actor) -> bool:
    return is_system_actor(actor) and actor.job in COMPUTE_JOBS


def access_compute_episode_by_id(actor, episode_id) -> Episode:
    """An episode whose milestones the actor may work out: a job of COMPUTE_JOBS, or
    staff who record the patient's milestones. Otherwise an audited refusal."""
    # (a job of COMPUTE_JOBS works them out for every patient)
    writes = None if access_milestones_compute(actor) else milestones_written_condition(actor)
    return read_and_check(
        Episode.objects.select_related("patient", "program"),
        episode_id,
        lambda episode: writes is None or writes.holds_for(episode.patient),
        user=actor,
        action=AuditAction.CREATE,
        object_type="milestone",
    )


# --- fetch and check in one call ---------------------------------------------------------


def access_patient_milestones_by_id(
    user,
    patient_id,
    *,
    write: bool = False,
    action: str = AuditAction.VIEW,
    object_type: str = "milestone",
) -> Patient:
    """A patient whose milestones the user may read (or write), or an audited refusal."""
    condition = milestones_written_condition(user) if write else patient_condition(user)
    return patient_meeting_or_refuse(
        user, patient_id, condition, action=action, object_type=object_type
    )


def access_own_milestones(user, *, object_type: str = "portal_progress") -> Patient:
    """The patient's own record on the portal, or an audited refusal."""
    return access_own_patient(user, object_type=object_type)


def access_session_milestones_by_id(user, occurrence_id):
    """A group session whose roster the user keeps, or an audited refusal."""
    return access_session_attendance_by_id(user, occurrence_id, object_type="session_milestones")
