"""Access to follow-ups after discharge.

Roles are held per program; "a program of the patient" is the program of any of the
patient's episodes, as for the chart (privacy.access.patients).

- The follow-up worklist and a follow-up's results: clinicians, prescribers, nurses,
  intake coordinators and directors of the follow-up's program, and clinical staff on the
  patient's care team (the chart's staff readers). Billing staff, administrators and
  patients see none (a patient answers their own through the link).
- Recording a phone follow-up and sending a link: clinicians, prescribers, nurses and
  intake coordinators of the follow-up's program, and clinical staff on the care team.
  A director reads but records nothing, as for questionnaires.
- A program's follow-up settings (days, questionnaires, attempts): the program's
  director, or an administrator.
- Creating due follow-ups, sending their links, marking them unreachable and detecting
  readmissions: only the jobs named in FOLLOW_UP_JOBS (the daily job `follow-ups` and the
  demo builder). No person does it.
- Answering by one-time link: whoever holds a valid link (unused, unrevoked, unexpired,
  to a follow-up not yet completed); the token is the credential.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.clinic.models import Program
from stepwell.core.kept import RecordRead
from stepwell.followups.models import FollowUp, FollowUpLink, FollowUpStatus
from stepwell.measures.models import token_hash
from stepwell.patients.models import Episode
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .conditions import OnCareTeam
from .patients import access_episode_by_id, access_patient_by_id
from .predicates import (
    CLINICAL_ROLES,
    PROGRAM_WIDE_ROLES,
    holds_role_in,
    is_administrator,
    is_staff_member,
    is_system_actor,
    programs_with,
    read_and_check,
)

_FOLLOW_UP = RecordRead(FollowUp, "patient", "program", "episode")


RECORDING_ROLES = (*CLINICAL_ROLES, Role.INTAKE_COORDINATOR)
FOLLOW_UP_JOBS = frozenset({"follow-ups", "seed-demo"})
LONGEST_TOKEN = 100


def _follow_ups_where(user, roles: tuple[str, ...]) -> QuerySet[FollowUp]:
    if not is_staff_member(user):
        return FollowUp.objects.none()
    scope = Q(pk__in=[])
    program_ids = programs_with(user, *roles)
    if program_ids:
        scope |= Q(program_id__in=program_ids)
    clinical = tuple(role for role in roles if role in CLINICAL_ROLES)
    if clinical and programs_with(user, *clinical):
        scope |= Q(patient__care_team__user=user)
    return FollowUp.objects.filter(scope).distinct()


def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    """The follow-ups the user may see on the worklist and read the results of."""
    return _follow_ups_where(user, PROGRAM_WIDE_ROLES)


def follow_ups_recordable_by(user) -> QuerySet[FollowUp]:
    """The follow-ups the user may record a phone call for or send a link for."""
    return _follow_ups_where(user, RECORDING_ROLES)


def access_follow_up_worklist(user) -> None:
    """The worklist opens for staff holding a reading role in some program."""
    if not programs_with(user, *PROGRAM_WIDE_ROLES):
        raise refuse(actor=user, action=AuditAction.LIST, object_type="follow_up_worklist")


def _follow_up_meets(user, roles: tuple[str, ...], follow_up: FollowUp) -> bool:
    """_follow_ups_where for one follow-up read with its patient: a role in its program,
    or a clinical role held somewhere and a place on the patient's care team (from the
    patient's facts)."""
    if not is_staff_member(user):
        return False
    if follow_up.program_id in programs_with(user, *roles):
        return True
    clinical = tuple(role for role in roles if role in CLINICAL_ROLES)
    return bool(clinical and programs_with(user, *clinical)) and OnCareTeam(user).holds_for(
        follow_up.patient
    )


def _follow_up_by_id(user, follow_up_id, roles: tuple[str, ...], action: str) -> FollowUp:
    return read_and_check(
        _FOLLOW_UP,
        follow_up_id,
        lambda follow_up: _follow_up_meets(user, roles, follow_up),
        user=user,
        action=action,
        object_type="follow_up",
    )


def access_follow_up_by_id(user, follow_up_id, *, action: str = AuditAction.VIEW) -> FollowUp:
    """A follow-up the user may see (follow_ups_visible_to), or an audited refusal."""
    return _follow_up_by_id(user, follow_up_id, PROGRAM_WIDE_ROLES, action)


def access_follow_up_for_recording_by_id(
    user, follow_up_id, *, action: str = AuditAction.UPDATE
) -> FollowUp:
    """A follow-up the user may record (follow_ups_recordable_by), or an audited refusal."""
    return _follow_up_by_id(user, follow_up_id, RECORDING_ROLES, action)


def access_episode_follow_ups_by_id(user, episode_id) -> Episode:
    """The episode whose follow-ups the user may read: a staff reader of its chart."""
    episode = access_episode_by_id(user, episode_id, object_type="follow_up")
    if not programs_with(user, *PROGRAM_WIDE_ROLES):
        raise refuse(
            actor=user,
            object_type="follow_up",
            object_id=episode.pk,
            patient_id=episode.patient_id,
        )
    return episode


def access_patient_follow_ups_by_id(user, patient_id):
    """The patient whose follow-ups (the chart's section) the user may read as staff."""
    patient = access_patient_by_id(user, patient_id, object_type="follow_up")
    if not programs_with(user, *PROGRAM_WIDE_ROLES):
        raise refuse(
            actor=user, object_type="follow_up", object_id=patient.pk, patient_id=patient.pk
        )
    return patient


def access_follow_up_policy_by_program_id(user, program_id) -> Program:
    program = Program.objects.filter(pk=program_id).first()
    if program is not None and (
        is_administrator(user) or holds_role_in(user, program.pk, Role.PROGRAM_DIRECTOR)
    ):
        return program
    raise refuse(
        actor=user, action=AuditAction.UPDATE, object_type="follow_up_policy", object_id=program_id
    )


def access_follow_up_job(actor, *, program_id, what: str) -> None:
    """The due follow-ups, their links and readmissions are the named jobs' work alone."""
    if is_system_actor(actor) and actor.job in FOLLOW_UP_JOBS:
        return
    raise refuse(actor=actor, action=AuditAction.CREATE, object_type=what, object_id=program_id)


def follow_up_link_for_token(token) -> FollowUpLink | None:
    """The usable link the token opens, or None."""
    if not isinstance(token, str) or not token or len(token) > LONGEST_TOKEN:
        return None
    return (
        FollowUpLink.objects.select_related("follow_up", "follow_up__program")
        .filter(
            token_hash=token_hash(token),
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .exclude(follow_up__status=FollowUpStatus.COMPLETED)
        .first()
    )


def access_follow_up_link_by_token(actor, token, *, action: str = AuditAction.CREATE):
    link = follow_up_link_for_token(token)
    if link is None:
        raise refuse(actor=actor, action=action, object_type="follow_up_link")
    return link
