"""Access to the audit trail.

- A program director reviews access to the patients of the programs they direct.
- An administrator sees only events that concern and name no patient (logins,
  privilege changes).
- Checkpoints and key rotations are signed by the operator at the server or the daily
  job: named system actors, never a person through a page.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.clinic.models import ProgramStaff
from stepwell.patients.models import Patient
from stepwell.privacy.models import AuditEventPatient

from .predicates import is_administrator, is_system_actor, programs_with


def access_audit_trail(user) -> bool:
    if is_administrator(user):
        return True
    return bool(programs_with(user, Role.PROGRAM_DIRECTOR))


def access_audit_maintenance(actor) -> bool:
    """Signing a checkpoint or rotating the audit key."""
    return is_system_actor(actor)


def _named_in(patient_ids) -> Exists:
    return Exists(
        AuditEventPatient.objects.filter(event_seq=OuterRef("seq"), patient_id__in=patient_ids)
    )


def _names_any_patient() -> Exists:
    return Exists(AuditEventPatient.objects.filter(event_seq=OuterRef("seq")))


def audit_reviewable_patients(user) -> QuerySet[Patient]:
    """Patients whose audit events the user reviews: a director's programs' patients."""
    program_ids = programs_with(user, Role.PROGRAM_DIRECTOR)
    if not program_ids:
        return Patient.objects.none()
    return Patient.objects.filter(episodes__program_id__in=program_ids)


def audit_patient_scope(user) -> Q:
    """The audit events the user may list.

    - A director: events about their programs' patients, events whose detail names one of
      them (a list page), and events about no patient by staff of their programs.
    - An administrator: events that concern and name no patient (logins, privileges).
    Patients of other programs named in a listed event's detail are left out when it is
    shown (privacy.selectors.audit_detail_shown).
    """
    scope = Q(pk__in=[])
    if is_administrator(user):
        scope |= Q(patient_id__isnull=True) & ~_names_any_patient()
    director_programs = programs_with(user, Role.PROGRAM_DIRECTOR)
    if director_programs:
        patient_ids = audit_reviewable_patients(user).values("pk")
        program_staff = ProgramStaff.objects.filter(program_id__in=director_programs).values(
            "user_id"
        )
        scope |= Q(patient_id__in=patient_ids)
        scope |= Q(patient_id__isnull=True) & _named_in(patient_ids)
        scope |= Q(patient_id__isnull=True) & ~_names_any_patient() & Q(user_id__in=program_staff)
    return scope
