"""Who may act on accounts: API tokens, portal invitations, staff credentials and roles.

- A staff member makes and revokes their own API tokens; patients have none. Someone
  else's token, or one that does not exist, is refused alike (audited).
- A patient is invited to the portal by a clinician or director of one of the patient's
  open episodes' programs (the same people who edit the care team).
- An administrator sends a staff member a password link, removes their authenticator,
  creates an enrolment code, changes their account and grants roles. They never set or
  see a password or an authenticator.
- The operator at the server, a named system job, also creates enrolment codes
  (`stepwell enrolment-code`) and grants roles (`stepwell administrator-create`, the
  first administrator); the demo builder grants the demo staff their roles.
"""

from __future__ import annotations

from stepwell.accounts.models import PersonalAccessToken
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .patients import access_care_team_edit, as_record_id, patient_from_scope, patients_visible_to
from .predicates import is_administrator, is_staff_member, is_system_actor


def access_api_tokens(user) -> bool:
    return is_staff_member(user)


def access_api_token_by_id(user, token_id, *, action=AuditAction.TOKEN_REVOKE):
    """One of the user's own API tokens, or an audited refusal (another person's token
    and an unknown one get the same refusal)."""
    token = None
    if access_api_tokens(user):
        token = PersonalAccessToken.objects.filter(pk=as_record_id(token_id), user=user).first()
    if token is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="access_token",
            object_id=token_id,
            message="This is not one of your API tokens.",
        )
    return token


def access_staff_account_manage(user) -> bool:
    return is_administrator(user)


def access_enrolment_code_create(actor) -> bool:
    if is_system_actor(actor):
        return True
    return is_administrator(actor)


def access_privileges_grant(actor) -> bool:
    if is_system_actor(actor):
        return True
    return is_administrator(actor)


def access_portal_invite_patient_by_id(user, patient_id) -> Patient:
    """The patient to invite to the portal, or an audited refusal (an unknown patient
    gets the same one)."""
    patient = patient_from_scope(patient_id, patients_visible_to, user)
    if patient is None or not access_care_team_edit(user, patient):
        raise refuse(
            actor=user,
            action=AuditAction.UPDATE,
            object_type="portal_invite",
            object_id=patient_id,
            patient_id=patient_id,
            message="You cannot invite this patient to the portal.",
        )
    return patient
