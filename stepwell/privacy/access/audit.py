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
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.models import AuditEvent, AuditEventPatient

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


def _patients_of(program_ids) -> QuerySet:
    """The ids of these programs' patients, read from the episodes alone (the same patients
    as audit_reviewable_patients, without a join to every patient row)."""
    return Episode.objects.filter(program_id__in=program_ids).values("patient_id")


def audit_patient_scope(user) -> Q:
    """The audit events the user may list.

    - A director: events about their programs' patients, events whose detail names one of
      them (a list page), and events about no patient by staff of their programs.
    - An administrator: events that concern and name no patient (logins, privileges).
    Patients of other programs named in a listed event's detail are left out when it is
    shown (privacy.selectors.audit_detail_shown).

    Asked of each event: the newest events first, a page stops after its rows. See
    audit_scope_as_set for a list that must look at every event."""
    scope = Q(pk__in=[])
    if is_administrator(user):
        scope |= Q(patient_id__isnull=True) & ~_names_any_patient()
    director_programs = programs_with(user, Role.PROGRAM_DIRECTOR)
    if director_programs:
        patient_ids = _patients_of(director_programs)
        scope |= Q(patient_id__in=patient_ids)
        scope |= Q(patient_id__isnull=True) & _named_in(patient_ids)
        scope |= (
            Q(patient_id__isnull=True)
            & ~_names_any_patient()
            & Q(user_id__in=_staff_of(director_programs))
        )
    return scope


def _staff_of(program_ids) -> QuerySet:
    return ProgramStaff.objects.filter(program_id__in=program_ids).values("user_id")


def audit_scope_as_set(user) -> Q:
    """audit_patient_scope's events, as the sequence numbers of each way in gathered once
    (a UNION ALL, each part read from its own index), for a list sorted other than by
    time, which looks at every event: asked of each event, a director's scope looks up
    every patient each list event names (about 780,000 lookups, 1.7 s, at 20,000
    patients); gathered, one pass over the events naming the director's patients. The
    tests compare the two for every kind of reviewer."""
    events = AuditEvent.objects.order_by()
    no_patient = events.filter(patient_id__isnull=True).exclude(_names_any_patient())
    ways = []
    if is_administrator(user):
        ways.append(no_patient.values("seq"))
    director_programs = programs_with(user, Role.PROGRAM_DIRECTOR)
    if director_programs:
        patient_ids = _patients_of(director_programs)
        ways += [
            events.filter(patient_id__in=patient_ids).values("seq"),
            AuditEventPatient.objects.order_by()
            .filter(
                patient_id__in=patient_ids,
                event_seq__in=events.filter(patient_id__isnull=True).values("seq"),
            )
            .values("event_seq"),
            no_patient.filter(user_id__in=_staff_of(director_programs)).values("seq"),
        ]
    if not ways:
        return Q(pk__in=[])
    first, *others = ways
    return Q(seq__in=first.union(*others, all=True) if others else first)
