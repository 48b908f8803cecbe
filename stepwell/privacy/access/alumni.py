"""Access to the alumni community: alumni, their events, RSVPs, attendance and mentors.

- An alumnus is a patient login whose record has a discharged episode, no open episode,
  and no opt-out. Alumni see only their own record: the alumni calendar of the programs
  they were discharged from, their own RSVPs, their own peer-mentor offer, their opt-out.
  They have no access to the active program's clinical pages (questionnaires and
  check-ins, the program schedule, the medication questions, the portal's program page):
  those rules ask `is_alumnus_user` and refuse.
- Staff who run a program's alumni community: clinicians, prescribers, nurses and the
  program director holding that role in the program. They create and cancel events, see
  the RSVPs, take attendance, see the program's alumni, approve peer mentors, pair a
  mentor with a current patient of the program whose chart they see, and record an
  alumnus's opt-out (or return) on their behalf. Intake, billing and administrators: none.
- A record the user may not reach and one that does not exist get the same audited refusal.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.alumni.models import (
    AlumniChoice,
    AlumniEvent,
    AlumniMeeting,
    MentorPairing,
    PeerMentor,
)
from stepwell.clinic.models import Program
from stepwell.patients.models import OPEN_STATES, Episode, EpisodeState, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .patients import patients_visible_to
from .predicates import as_record_id, is_patient_user, programs_with, read_and_check

RUNNER_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)


def alumni_patients() -> QuerySet[Patient]:
    """Every alumnus: discharged, no open episode, not opted out."""
    open_episode = Episode.objects.filter(patient=OuterRef("pk"), state__in=OPEN_STATES)
    opted_out = AlumniChoice.objects.filter(patient=OuterRef("pk"), opted_out=True)
    return (
        Patient.objects.filter(episodes__state=EpisodeState.DISCHARGED)
        .filter(~Exists(open_episode), ~Exists(opted_out))
        .distinct()
    )


def alumnus_program_ids(patient: Patient) -> frozenset[int]:
    """The programs an alumnus was discharged from: whose alumni calendar they see."""
    return frozenset(
        patient.episodes.filter(state=EpisodeState.DISCHARGED).values_list("program_id", flat=True)
    )


def own_alumnus(user) -> Patient | None:
    if not is_patient_user(user):
        return None
    return alumni_patients().filter(user=user).first()


def is_alumnus_user(user) -> bool:
    """A patient login whose care has ended: alumni pages yes, the program's clinical
    pages no."""
    return own_alumnus(user) is not None


def access_own_alumnus(user, *, object_type: str = "alumni_portal") -> Patient:
    """The signed-in alumnus's own record, or an audited refusal (staff, current
    patients, anyone who opted out)."""
    patient = own_alumnus(user)
    if patient is None:
        raise refuse(actor=user, object_type=object_type)
    return patient


def refuse_alumnus(user, *, object_type: str, action: str = AuditAction.VIEW) -> None:
    """The hook the active program's portal pages call: an alumnus is refused."""
    if is_alumnus_user(user):
        raise refuse(actor=user, action=action, object_type=object_type)


# --- staff ---------------------------------------------------------------------------------


def _fetch(scoped, record_id, *, user, action: str, object_type: str):
    """A record that names no patient (a program, an event, a meeting) from the user's
    scope, or an audited refusal naming no patient."""
    found = scoped.filter(pk=as_record_id(record_id)).first()
    if found is None:
        raise refuse(actor=user, action=action, object_type=object_type, object_id=record_id)
    return found


def alumni_program_ids(user) -> frozenset[int]:
    return programs_with(user, *RUNNER_ROLES)


def alumni_programs_of(user) -> QuerySet[Program]:
    return Program.objects.filter(pk__in=alumni_program_ids(user)).order_by("name")


def access_alumni_programs(user) -> QuerySet[Program]:
    """The programs whose alumni the user runs; none is an audited refusal."""
    programs = alumni_programs_of(user)
    if not programs.exists():
        raise refuse(actor=user, action=AuditAction.LIST, object_type="alumni_program")
    return programs


def access_alumni_program_by_id(user, program_id, *, action: str = AuditAction.VIEW) -> Program:
    return _fetch(
        Program.objects.filter(pk__in=alumni_program_ids(user)),
        program_id,
        user=user,
        action=action,
        object_type="alumni_program",
    )


def alumni_visible_to(user, program_id: int) -> QuerySet[Patient]:
    """The alumni of a program whose community the user runs."""
    if program_id not in alumni_program_ids(user):
        return Patient.objects.none()
    return alumni_patients().filter(
        episodes__program_id=program_id, episodes__state=EpisodeState.DISCHARGED
    )


def access_alumnus_by_id(user, patient_id, *, action: str = AuditAction.UPDATE) -> Patient:
    """An alumnus (or former alumnus who opted out) of a program the user runs."""
    scope = Patient.objects.filter(
        episodes__program_id__in=alumni_program_ids(user),
        episodes__state=EpisodeState.DISCHARGED,
    ).exclude(episodes__state__in=OPEN_STATES)
    patient = scope.filter(pk=as_record_id(patient_id)).distinct().first()
    if patient is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="alumnus",
            object_id=patient_id,
            patient_id=patient_id,
        )
    return patient


def events_run_by(user) -> QuerySet[AlumniEvent]:
    return AlumniEvent.objects.filter(program_id__in=alumni_program_ids(user))


def access_meeting_by_id(user, meeting_id, *, action: str = AuditAction.VIEW) -> AlumniMeeting:
    return _fetch(
        AlumniMeeting.objects.select_related("event__program").filter(
            event__program_id__in=alumni_program_ids(user)
        ),
        meeting_id,
        user=user,
        action=action,
        object_type="alumni_meeting",
    )


def access_event_by_id(user, event_id, *, action: str = AuditAction.UPDATE) -> AlumniEvent:
    return _fetch(
        events_run_by(user).select_related("program"),
        event_id,
        user=user,
        action=action,
        object_type="alumni_event",
    )


def access_mentor_by_id(user, mentor_id, *, action: str = AuditAction.UPDATE) -> PeerMentor:
    """A peer mentor of a program whose alumni the user runs, or an audited refusal."""
    programs = alumni_program_ids(user)
    return read_and_check(
        PeerMentor.objects.select_related("patient", "program"),
        mentor_id,
        lambda mentor: mentor.program_id in programs,
        user=user,
        action=action,
        object_type="peer_mentor",
    )


def access_pairing_by_id(user, pairing_id, *, action: str = AuditAction.UPDATE) -> MentorPairing:
    """A mentor pairing of a program whose alumni the user runs, or an audited refusal."""
    programs = alumni_program_ids(user)
    return read_and_check(
        MentorPairing.objects.select_related("mentor__patient", "patient"),
        pairing_id,
        lambda pairing: pairing.program_id in programs,
        user=user,
        action=action,
        object_type="mentor_pairing",
    )


def menteeable_patients(user, program_id: int) -> QuerySet[Patient]:
    """Current patients of the program (an open episode there) whose chart the user sees."""
    if program_id not in alumni_program_ids(user):
        return Patient.objects.none()
    return (
        patients_visible_to(user)
        .filter(
            Q(episodes__program_id=program_id)
            & Q(episodes__state__in=[EpisodeState.ADMITTED, EpisodeState.ACTIVE])
        )
        .distinct()
    )


def access_menteeable_patient_by_id(
    user, program_id: int, patient_id, *, action: str = AuditAction.CREATE
) -> Patient:
    """A current patient of the program the user may pair with a mentor, or a refusal."""
    patient = menteeable_patients(user, program_id).filter(pk=as_record_id(patient_id)).first()
    if patient is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="mentor_pairing",
            object_id=patient_id,
            patient_id=patient_id,
        )
    return patient


# --- the alumnus's own meetings ------------------------------------------------------------


def access_own_meeting_by_id(
    user, meeting_id, *, action: str = AuditAction.UPDATE
) -> tuple[Patient, AlumniMeeting]:
    """A meeting on the signed-in alumnus's calendar, or an audited refusal."""
    patient = access_own_alumnus(user, object_type="alumni_meeting")
    meeting = (
        AlumniMeeting.objects.select_related("event")
        .filter(event__program_id__in=alumnus_program_ids(patient))
        .filter(pk=as_record_id(meeting_id))
        .first()
    )
    if meeting is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="alumni_meeting",
            object_id=meeting_id,
            patient_id=patient.pk,
        )
    return patient, meeting
