"""Who may take a patient's record out of Stepwell as FHIR, and who may send one in.

Deny by default, one condition per line (tests: interop/tests/test_access.py). Part 2
records leave the program only under a consent that covers them (docs/clinical-sources.md
§5). Until consents exist, an export is limited to the people who treat the patient:
- staff on the patient's care team export the whole record;
- a program director exports the episodes of the programs they direct;
- nobody else: not other clinicians of the program, billing, administrators or the
  patient (the patient's own access comes with the portal, not this API).
"""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.accounts.models import Role, UserKind
from stepwell.clinic.models import Program
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access import access_patient_register


def _staff(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.kind == UserKind.STAFF
    )


def _on_care_team(user, patient: Patient) -> bool:
    return patient.care_team.filter(user=user).exists()


def _directs(user, program_id: int) -> bool:
    if not user.has_role(Role.PROGRAM_DIRECTOR):
        return False
    return user.program_memberships.filter(program_id=program_id).exists()


@dataclass(frozen=True)
class ExportScope:
    """The episodes an export covers. `whole_record` also takes what belongs to no
    episode (a questionnaire given outside any episode)."""

    episodes: tuple[Episode, ...]
    whole_record: bool


def access_fhir_export(user, patient: Patient, *, episode: Episode | None = None) -> bool:
    """May the user export this patient's record (or this one episode of it)?"""
    return fhir_export_scope(user, patient, episode=episode) is not None


def fhir_export_scope(
    user, patient: Patient, *, episode: Episode | None = None
) -> ExportScope | None:
    """What the user may export of the patient; None when nothing."""
    if not _staff(user):
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


def access_fhir_bulk_export(user, program: Program) -> bool:
    """A program's bulk export: its program directors only."""
    if not _staff(user):
        return False
    return _directs(user, program.pk)


def access_fhir_bulk_files(user, *, requested_by_id: int | None, program: Program) -> bool:
    """The files of a bulk export: only the director who asked, while still its director."""
    if not _staff(user):
        return False
    if requested_by_id != user.pk:
        return False
    return _directs(user, program.pk)


def access_fhir_referral_import(user, program: Program) -> bool:
    """A referral received as FHIR: whoever may take referrals for the program."""
    if not _staff(user):
        return False
    return access_patient_register(user, program.pk)
