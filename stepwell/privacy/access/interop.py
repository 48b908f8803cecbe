"""Who may take a patient's record out of Stepwell as FHIR, and who may send one in.

Part 2 records leave the program only under a consent that covers them
(docs/clinical-sources.md §5). Until consents exist, an export is limited to the people
who treat the patient:
- staff on the patient's care team export the whole record;
- a program director exports the episodes of the programs they direct;
- nobody else: not other clinicians of the program, billing, administrators or the
  patient (the patient's own access comes with the portal, not this API).
- A program's bulk export is asked for by its directors; its files go only to the
  director who asked, while they still direct the program.
- The operator's export from the server's shell (`stepwell fhir export`) is a named
  system job; no other system job exports.
- A referral received as FHIR: whoever may take referrals for the program.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.accounts.models import Role
from stepwell.clinic.models import Program
from stepwell.interop.models import BulkExport
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .patients import access_patient_register, as_record_id, patients_visible_to
from .predicates import holds_role_in, is_staff_member, is_system_actor

BUNDLE_OBJECT = "fhir_bundle"
JOB_OBJECT = "fhir_bulk_export"
REFERRAL_IMPORT_OBJECT = "fhir_referral_import"


@dataclass(frozen=True)
class ExportScope:
    """The episodes an export covers. `whole_record` also takes what belongs to no
    episode (a questionnaire given outside any episode)."""

    episodes: tuple[Episode, ...]
    whole_record: bool


def _on_care_team(user, patient: Patient) -> bool:
    return patient.care_team.filter(user=user).exists()


def _directs(user, program_id: int) -> bool:
    return holds_role_in(user, program_id, Role.PROGRAM_DIRECTOR)


def fhir_export_scope(
    user, patient: Patient, *, episode: Episode | None = None
) -> ExportScope | None:
    """What the user may export of the patient; None when nothing."""
    if not is_staff_member(user):
        return None
    if episode is not None and episode.patient_id != patient.pk:
        return None
    episodes = tuple(patient.episodes.select_related("program").order_by("referred_on", "pk"))
    if _on_care_team(user, patient):
        if episode is not None:
            return ExportScope(episodes=(episode,), whole_record=False)
        return ExportScope(episodes=episodes, whole_record=True)
    directed = tuple(e for e in episodes if _directs(user, e.program_id))
    if episode is not None:
        allowed = any(e.pk == episode.pk for e in directed)
        return ExportScope(episodes=(episode,), whole_record=False) if allowed else None
    if not directed:
        return None
    return ExportScope(episodes=directed, whole_record=False)


def access_fhir_export(user, patient: Patient, *, episode: Episode | None = None) -> bool:
    """May the user export this patient's record (or this one episode of it)?"""
    return fhir_export_scope(user, patient, episode=episode) is not None


def access_fhir_export_by_id(user, patient_id, *, episode_id=None) -> tuple[Patient, ExportScope]:
    """The patient and what the user may export of them, or an audited refusal.

    An unknown patient or episode and one the user may not export get the same refusal.
    """
    patient = Patient.objects.filter(pk=as_record_id(patient_id)).first()
    episode = None
    if patient is not None and episode_id is not None:
        episode = (
            patient.episodes.select_related("program").filter(pk=as_record_id(episode_id)).first()
        )
    scope = None
    if patient is not None and (episode_id is None or episode is not None):
        scope = fhir_export_scope(user, patient, episode=episode)
    if scope is None:
        raise refuse(
            actor=user,
            action=AuditAction.EXPORT,
            object_type=BUNDLE_OBJECT,
            patient_id=patient.pk if patient else None,
            detail={"requested_patient": patient_id, "episode": episode_id},
        )
    return patient, scope


def access_fhir_bulk_export(user, program: Program) -> bool:
    """A program's bulk export: its program directors only."""
    if not is_staff_member(user):
        return False
    return _directs(user, program.pk)


def access_fhir_bulk_export_program_by_id(user, program_id) -> Program:
    """The program whose bulk export the user asks for, or an audited refusal."""
    program = Program.objects.filter(pk=as_record_id(program_id)).first()
    if program is None or not access_fhir_bulk_export(user, program):
        raise refuse(
            actor=user,
            action=AuditAction.EXPORT,
            object_type=JOB_OBJECT,
            object_id="new",
            detail={"program": program_id},
        )
    return program


def access_fhir_bulk_files(user, *, requested_by_id: int | None, program: Program) -> bool:
    """The files of a bulk export: only the director who asked, while still its director."""
    if not is_staff_member(user):
        return False
    if requested_by_id != user.pk:
        return False
    return _directs(user, program.pk)


def access_fhir_bulk_export_by_id(user, job_id) -> BulkExport:
    """A bulk export job, for the director who asked for it, or an audited refusal."""
    job = BulkExport.objects.select_related("program").filter(pk=as_record_id(job_id)).first()
    if job is None or not access_fhir_bulk_files(
        user, requested_by_id=job.requested_by_id, program=job.program
    ):
        raise refuse(
            actor=user, action=AuditAction.EXPORT, object_type=JOB_OBJECT, object_id=job_id
        )
    return job


def access_fhir_system_export(actor) -> bool:
    """The export from the server's shell: a named system job (the operator)."""
    return is_system_actor(actor)


def access_fhir_referral_import(user, program: Program) -> bool:
    """A referral received as FHIR: whoever may take referrals for the program."""
    if not is_staff_member(user):
        return False
    return access_patient_register(user, program.pk)


def access_fhir_referral_import_program_by_id(user, program_id) -> Program:
    """The program a FHIR referral is sent to, if the user takes its referrals."""
    program = Program.objects.filter(pk=as_record_id(program_id)).first()
    if program is None or not access_fhir_referral_import(user, program):
        raise refuse(
            actor=user,
            action=AuditAction.CREATE,
            object_type=REFERRAL_IMPORT_OBJECT,
            detail={"program_id": program_id},
            message="You cannot take referrals for this program.",
        )
    return program


def fhir_referral_patient_by_record_number(user, mrn: str) -> Patient | None:
    """The registered patient a FHIR referral names by record number, if the user may
    see them; None otherwise. A hidden patient's attempt is audited as denied, and the
    caller answers exactly as for an unknown number, so the answer never says whether
    someone is a patient elsewhere."""
    patient = patients_visible_to(user).filter(mrn=mrn).first()
    if patient is not None:
        return patient
    hidden = Patient.objects.filter(mrn=mrn).values_list("pk", flat=True).first()
    if hidden is not None:
        refuse(
            actor=user,
            action=AuditAction.CREATE,
            object_type=REFERRAL_IMPORT_OBJECT,
            patient_id=hidden,
            detail={"matched_by_record_number": True},
        )
    return None
