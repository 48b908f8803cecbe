"""Queue messages in the outbox, and set how a patient wants to be reached.

A message is queued in the transaction of the use case that sends it and delivered by a
background job after the commit (tasks.message_deliver). What a message says is fixed
(wording.py): "Stepwell", what to do, and a link; never a program, diagnosis or substance.

The patient chooses email, text or neither (ContactPreference). Without a choice yet,
Stepwell uses email when there is an address, else text when there is a phone number;
reminders are sent only to patients who asked for them.

Functions for other areas:
- `portal_invite_send`, `questionnaire_link_send`: the "Send" buttons next to the links
  staff can also copy;
- `follow_up_link_send`, `alumni_event_reminder_send`: for aftercare (follow-up check-ins
  at 30/60/90 days, alumni events) to call;
- `on_call_page_queue` (measures: the safety-alert page), `follow_up_safety_page_queue`
  (followups: a positive safety answer in a check-in) and `record_notice_queue` (consent:
  the notice of an emergency disclosure), called inside those use cases after their own
  access check. A safety page goes to the program's on-call clinician, or to the program's
  directors when none is set (`on_call_recipients`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access import messaging as access
from stepwell.privacy.access.accounts import access_portal_invite_patient_by_id
from stepwell.privacy.access.measures import access_patient_for_recording_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from .models import Channel, ContactPreference, Message, MessagePurpose, MessageState, Preference
from .wording import Purpose, message_text

NO_WAY = (
    "Not sent: the patient chose to get no messages, or has no email address or mobile "
    "number. Make the link instead and give it to them yourself."
)
NO_WAY_FIELD = "The patient chose neither email nor text, or there is no address to use."


@dataclass(frozen=True)
class Route:
    channel: str
    address: str


def route_for(patient) -> Route | None:
    """How to reach the patient now, or None (they chose neither, or no address)."""
    preference = ContactPreference.objects.filter(patient=patient).first()
    choice = preference.channel if preference else None
    if choice == Preference.NONE:
        return None
    if choice in (None, Preference.EMAIL) and patient.email:
        return Route(Channel.EMAIL, patient.email)
    if choice in (None, Preference.TEXT) and patient.phone:
        return Route(Channel.TEXT, patient.phone)
    return None


def actor_name(actor) -> str:
    return actor.get_username()[:150]


def base_url() -> str:
    return settings.STEPWELL_BASE_URL.rstrip("/")


def _queue(
    *,
    purpose,
    route: Route,
    link: str,
    when: str = "",
    actor,
    patient=None,
    staff=None,
    related: str = "",
    dedupe_key: str | None = None,
) -> Message:
    from .tasks import message_deliver

    subject, body = message_text(Purpose(purpose), link=link, when=when)
    now = timezone.now()
    message = Message.objects.create(
        patient=patient,
        staff=staff,
        purpose=purpose,
        channel=route.channel,
        address=route.address,
        subject=subject,
        body=body,
        state=MessageState.QUEUED,
        next_attempt_at=now,
        created_at=now,
        created_by=actor_name(actor),
        related=related,
        dedupe_key=dedupe_key,
    )
    audit_record(
        user=actor,
        action="message_queue",
        patient_id=patient.pk if patient else None,
        object_type="message",
        object_id=message.pk,
        detail={"purpose": purpose, "channel": route.channel, "related": related},
    )
    transaction.on_commit(lambda: message_deliver.enqueue(message.pk))
    return message


@dataclass(frozen=True)
class SentLink:
    link: str
    message: Message
    expires_at: object = None
    sent: object = None  # what the use case made (measures: the questionnaire sent)


def portal_invite_send(*, actor, patient_id: int, site_url: str) -> SentLink:
    """Make a portal invitation and send its link to the patient (the chart's "Send")."""
    from stepwell.accounts.portal_invites import portal_invite_create

    patient = access_portal_invite_patient_by_id(actor, patient_id)
    route = route_for(patient)
    if route is None:
        raise ApplicationError(NO_WAY, field_errors={"channel": NO_WAY_FIELD})
    with transaction.atomic():
        invite = portal_invite_create(actor=actor, patient_id=patient.pk)
        link = site_url.rstrip("/") + invite.path
        message = _queue(
            purpose=MessagePurpose.PORTAL_INVITE,
            route=route,
            link=link,
            actor=actor,
            patient=patient,
            related=f"portal_invite:{invite.user.pk}",
        )
    return SentLink(link=link, message=message)


def questionnaire_link_send(
    *,
    actor,
    patient_id: int,
    site_url: str,
    instrument_key: str = "",
    administration_id: int | None = None,
) -> SentLink:
    """Make a one-time questionnaire link and send it to the patient."""
    from stepwell.measures.services import questionnaire_send

    patient = access_patient_for_recording_by_id(
        actor, patient_id, object_type="questionnaire_link", object_id=""
    )
    route = route_for(patient)
    if route is None:
        raise ApplicationError(NO_WAY, field_errors={"channel": NO_WAY_FIELD})
    with transaction.atomic():
        sent = questionnaire_send(
            actor=actor,
            patient_id=patient.pk,
            instrument_key=instrument_key,
            administration_id=administration_id,
        )
        link = site_url.rstrip("/") + reverse("measures:questionnaire", args=[sent.token])
        message = _queue(
            purpose=MessagePurpose.QUESTIONNAIRE,
            route=route,
            link=link,
            actor=actor,
            patient=patient,
            related=f"administration:{sent.administration.pk}",
        )
    return SentLink(link=link, message=message, expires_at=sent.expires_at, sent=sent)


def _patient_link_send(
    *, actor, patient_id: int, purpose, link: str, when: str = "", dedupe_key: str | None = None
) -> Message | None:
    patient = access.access_patient_link_by_id(actor, patient_id)
    route = route_for(patient)
    if route is None:
        return None
    with transaction.atomic():
        return _queue(
            purpose=purpose,
            route=route,
            link=link,
            when=when,
            actor=actor,
            patient=patient,
            dedupe_key=dedupe_key,
        )


def follow_up_link_send(*, actor, patient_id: int, link: str) -> Message | None:
    """Send a follow-up check-in link (aftercare). None when the patient gets no messages."""
    return _patient_link_send(
        actor=actor, patient_id=patient_id, purpose=MessagePurpose.FOLLOW_UP, link=link
    )


def alumni_event_reminder_send(
    *, actor, patient_id: int, link: str, when: str, dedupe_key: str | None = None
) -> Message | None:
    """Remind an alumnus of an event ("Saturday 12 December at 10:00 AM")."""
    return _patient_link_send(
        actor=actor,
        patient_id=patient_id,
        purpose=MessagePurpose.ALUMNI_EVENT,
        link=link,
        when=when,
        dedupe_key=dedupe_key,
    )


def on_call_recipients(program) -> list:
    """Who gets a program's safety-alert page: its on-call clinician (clinic setup); when
    none is set, or they cannot be reached by email, the program's active directors."""
    from stepwell.accounts.models import Role, User

    if program is None:
        return []
    clinician = program.on_call_clinician
    if clinician is not None and clinician.is_active and clinician.email:
        return [clinician]
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.PROGRAM_DIRECTOR,
            role_assignments__program=program,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _safety_page(*, program, actor, link: str, related: str) -> list[Message]:
    return [
        _queue(
            purpose=MessagePurpose.SAFETY_PAGE,
            route=Route(Channel.EMAIL, recipient.email),
            link=link,
            actor=actor,
            staff=recipient,
            related=related,
            dedupe_key=f"{related}:{recipient.pk}",
        )
        for recipient in on_call_recipients(program)
    ]


def on_call_page_queue(*, page, actor) -> list[Message]:
    """Page the program's on-call clinician (or, with none set, its directors) by email
    through the outbox; the OnCallPage's delivered_at is filled when one is sent. Called
    inside the use case that raised the alert (measures), after its access check. The
    message names no patient: only that an alert needs a response, and a link to sign in."""
    return _safety_page(
        program=page.program,
        actor=actor,
        link=base_url() + "/measures/alerts/",
        related=f"on_call_page:{page.pk}",
    )


def follow_up_safety_page_queue(*, follow_up, actor) -> list[Message]:
    """A follow-up check-in with a positive safety answer pages the on-call clinician of
    the follow-up's program (or its directors) the same way. Called inside the recording
    use case of aftercare, after its access check (the patient by link, or staff)."""
    from stepwell.followups.models import FollowUp

    program = (
        FollowUp.objects.select_related("program__on_call_clinician").get(pk=follow_up.pk).program
    )
    return _safety_page(
        program=program,
        actor=actor,
        link=base_url() + reverse("followups:worklist"),
        related=f"follow_up_safety:{follow_up.pk}",
    )


def record_notice_queue(*, patient, actor, related: str) -> Message | None:
    """Tell the patient there is a notice about their record (portal)."""
    route = route_for(patient)
    if route is None:
        return None
    return _queue(
        purpose=MessagePurpose.RECORD_NOTICE,
        route=route,
        link=base_url() + "/consent/mine/",
        actor=actor,
        patient=patient,
        related=related,
    )


def contact_preference_set(
    *, actor, patient_id: int, channel: str, reminders: bool
) -> ContactPreference:
    """Email, text or neither, and whether to get reminders the day before."""
    patient = access.access_contact_preference_patient_by_id(actor, patient_id)
    errors = {}
    if channel not in Preference.values:
        errors["channel"] = "Choose email, text message or neither."
    elif channel == Preference.EMAIL and not patient.email:
        errors["channel"] = "There is no email address on the record; add one first."
    elif channel == Preference.TEXT and not patient.phone:
        errors["channel"] = "There is no phone number on the record; add one first."
    if reminders and channel == Preference.NONE:
        errors["reminders"] = "Reminders need email or text."
    if errors:
        raise ApplicationError("The preferences were not saved.", field_errors=errors)
    with transaction.atomic():
        preference, _ = ContactPreference.objects.update_or_create(
            patient=patient,
            defaults={
                "channel": channel,
                "reminders": bool(reminders),
                "updated_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=patient.pk,
            object_type="contact_preference",
            object_id=preference.pk,
            detail={"channel": channel, "reminders": bool(reminders)},
        )
    return preference
