"""Access to the audit trail.

- A program director reviews access to the patients of the programs they direct.
- An administrator sees only events that concern and name no patient (logins,
  privilege changes): the administrators' review (privacy.models.ADMINISTRATORS_REVIEW).
- Checkpoints and key rotations are signed by the operator at the server or the daily
  job: named system actors, never a person through a page.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.patients.models import Patient
from stepwell.privacy.models import ADMINISTRATORS_REVIEW, AuditEventProgram

from .predicates import is_administrator, is_system_actor, programs_with


def access_audit_trail(user) -> bool:
    if is_administrator(user):
        return True
    return bool(programs_with(user, Role.PROGRAM_DIRECTOR))


def access_audit_maintenance(actor) -> bool:
    """Signing a checkpoint or rotating the audit key."""
    return is_system_actor(actor)


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
    - An administrator: events that concern and name no patient (logins, privileges),
      linked to the administrators' review when written (ADMINISTRATORS_REVIEW).
    Patients of other programs named in a listed event's detail are left out when it is
    shown (privacy.selectors.audit_detail_shown).

    See audit_scope_as_set for a list that must look at every event."""
    return audit_ways_of(audit_scope_reviews(user))


def audit_ways_of(reviews: list[int]) -> list[Q]:
    """The ways into the events of these reviews (audit_scope_reviews): each review's
    links."""
    return [Q(program_links__program_id=review) for review in reviews]


def audit_scope_reviews(user) -> list[int]:
    """The reviews (AuditEventProgram's program ids) the user reads: audit_scope_ways'
    ways, one each."""
    reviews = [ADMINISTRATORS_REVIEW] if is_administrator(user) else []
    return reviews + sorted(programs_with(user, Role.PROGRAM_DIRECTOR))


def audit_scope_as_set(user) -> Q:
    """audit_scope_ways' events as one set, the numbers of the reviews' links (read from
    the links' index, each event once however many of the user's reviews it is in), for a
    filtered list, a list sorted other than by time or an export. The tests compare the
    two for every kind of reviewer."""
    reviews = audit_scope_reviews(user)
    if not reviews:
        return Q(pk__in=[])
    return audit_set_of(reviews)


def audit_set_of(reviews) -> Q:
    """audit_scope_as_set for these reviews (a list of them, or where a kept query puts
    its list: stepwell/core/kept.py)."""
    links = AuditEventProgram.objects.order_by().filter(program_id__any_of=reviews)
    return Q(seq__in=links.values("event_id"))
