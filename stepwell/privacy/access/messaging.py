"""Messages and how patients want to be reached: who may do what.

- The outbox: staff holding a clinical, intake or director role read the messages to the
  patients whose charts they see, and the messages to themselves (safety pages). Billing,
  administrators and patients read none.
- A patient's contact preferences (email, text or neither; reminders): the patient on the
  portal, and clinicians, prescribers, nurses, intake coordinators and directors acting for
  the patient (consent.acts_for).
- Sending a portal invitation or a questionnaire link is decided by those use cases
  (accounts, measures): whoever may make the link may send it.
- A follow-up or alumni event link: staff acting for the patient, or the named jobs that
  send them.
- Appointment reminders and alumni event reminders: their daily jobs only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from stepwell.messaging.models import Message
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .consent import acts_for
from .patients import access_patient_by_id, patients_visible_to
from .predicates import PROGRAM_WIDE_ROLES, is_patient_user, is_system_actor, programs_with

REMINDER_JOB = "appointment-reminders"
ALUMNI_REMINDER_JOB = "alumni-event-reminders"
LINK_JOBS = frozenset({"follow-ups", ALUMNI_REMINDER_JOB, "seed-demo"})


def access_outbox(user) -> QuerySet[Message]:
    """The messages the user may read, or an audited refusal for anyone without a
    clinical, intake or director role."""
    if not programs_with(user, *PROGRAM_WIDE_ROLES):
        raise refuse(actor=user, object_type="outbox")
    return Message.objects.filter(
        Q(patient__in=patients_visible_to(user)) | Q(staff_id=user.pk)
    ).select_related("patient", "staff")


def access_contact_preference_patient_by_id(user, patient_id) -> Patient:
    """The patient whose contact preferences the user may set or read."""
    patient = access_patient_by_id(
        user, patient_id, action=AuditAction.UPDATE, object_type="contact_preference"
    )
    if is_patient_user(user) or acts_for(user, patient, PROGRAM_WIDE_ROLES):
        return patient
    raise refuse(
        actor=user,
        action=AuditAction.UPDATE,
        object_type="contact_preference",
        object_id=patient.pk,
        patient_id=patient.pk,
    )


def access_patient_link_by_id(user, patient_id) -> Patient:
    """A patient to whom the user (or a named job) sends a follow-up or event link."""
    if is_system_actor(user):
        patient = Patient.objects.filter(pk=patient_id).first() if user.job in LINK_JOBS else None
        if patient is None:
            raise refuse(actor=user, action="send", object_type="message", patient_id=patient_id)
        return patient
    patient = access_patient_by_id(user, patient_id, action="send", object_type="message")
    if not acts_for(user, patient, PROGRAM_WIDE_ROLES):
        raise refuse(
            actor=user,
            action="send",
            object_type="message",
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    return patient


def access_reminder_job(actor) -> None:
    """Appointment reminders are sent by the daily job alone."""
    if not (is_system_actor(actor) and actor.job == REMINDER_JOB):
        raise refuse(actor=actor, action="send", object_type="appointment_reminders")


def access_alumni_reminder_job(actor) -> None:
    """Alumni event reminders are sent by their daily job alone."""
    if not (is_system_actor(actor) and actor.job == ALUMNI_REMINDER_JOB):
        raise refuse(actor=actor, action="send", object_type="alumni_event_reminders")
