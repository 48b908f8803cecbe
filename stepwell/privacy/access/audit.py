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
from stepwell.patients.models import Patient
from stepwell.privacy.models import AuditEvent, AuditEventPatient, AuditEventProgram

from .predicates import is_administrator, is_system_actor, programs_with


def access_audit_trail(user) -> bool:
    if is_administrator(user):
        return True
    return bool(programs_with(user, Role.PROGRAM_DIRECTOR))


def access_audit_maintenance(actor) -> bool:
    """Signing a checkpoint or rotating the audit key."""
    return is_system_actor(actor)


def _names_any_patient() -> Exists:
    return Exists(AuditEventPatient.objects.filter(event_seq=OuterRef("seq")))


def audit_reviewable_patients(user) -> QuerySet[Patient]:
    """Patients whose audit events the user reviews: a director's programs' patients."""
    program_ids = programs_with(user, Role.PROGRAM_DIRECTOR)
    if not program_ids:
        return Patient.objects.none()
    return Patient.objects.filter(episodes__program_id__in=program_ids)


def audit_scope_ways(user) -> list[Q]:
    """The audit events the user may list, as the ways they come in, each a walk of one
    index newest first, so a page merges the ways' newest events and stops after its rows
    however old they are (privacy.selectors.audit_events_for):

    - A director, for each program they direct: the events linked to it
      (privacy.models.AuditEventProgram): events about a patient who has an episode in the
      program, events about no one patient that name one (a list page), and events about
      and naming no patient by the program's staff at the time.
    - An administrator: events that concern and name no patient (logins, privileges).
    Patients of other programs named in a listed event's detail are left out when it is
    shown (privacy.selectors.audit_detail_shown).

    See audit_scope_as_set for a list that must look at every event."""
    ways = []
    if is_administrator(user):
        ways.append(Q(patient_id__isnull=True) & ~_names_any_patient())
    for program_id in sorted(programs_with(user, Role.PROGRAM_DIRECTOR)):
        ways.append(Q(program_links__program_id=program_id))
    return ways


def audit_scope_as_set(user) -> Q:
    """audit_scope_ways' events, as the sequence numbers of each way gathered once (a UNION
    ALL, each part read from its own index), for a list sorted other than by time or an
    export, which looks at every event. The tests compare the two for every kind of
    reviewer."""
    events = AuditEvent.objects.order_by()
    ways = []
    if is_administrator(user):
        ways.append(
            events.filter(patient_id__isnull=True).exclude(_names_any_patient()).values("seq")
        )
    director_programs = programs_with(user, Role.PROGRAM_DIRECTOR)
    if director_programs:
        ways.append(
            AuditEventProgram.objects.order_by()
            .filter(program_id__in=director_programs)
            .values("event_id")
        )
    if not ways:
        return Q(pk__in=[])
    first, *others = ways
    return Q(seq__in=first.union(*others, all=True) if others else first)
