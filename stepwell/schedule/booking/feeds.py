"""iCalendar feeds at a secret, revocable URL (/calendar/<token>.ics, no login).

A patient's feed says "Stepwell session" and nothing else (no title, room or staff: a
calendar is often shared or shown on a lock screen) unless the patient opted in to
details. A staff member's feed shows titles and rooms, and a patient only as first name
and last initial, and only patients the staff member may see now. In a 42 CFR Part 2
program the feed names no patient at all ("Individual therapy"): a calendar leaves the
program. Only the staff member makes their feed; a director may turn it off. Creating,
revoking and each fetch are audited; a staff feed's fetch as the staff member, naming
each patient it shows.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from stepwell.accounts.models import User, UserKind
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.access import patients_visible_to
from stepwell.privacy.access.schedule import access_patient_feed_by_id, access_staff_feed_by_id
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record
from stepwell.schedule.models import (
    Appointment,
    CalendarFeed,
    Enrollment,
    OccurrenceStatus,
    SessionOccurrence,
)

WEEKS_BEHIND = 4
WEEKS_AHEAD = 12
PRIVATE_SUMMARY = "Stepwell session"


@dataclass(frozen=True)
class FeedOwner:
    """Whose feed: a patient's or a staff member's."""

    patient: Patient | None = None
    staff: User | None = None

    @property
    def filter(self) -> dict:
        return {"patient": self.patient} if self.patient is not None else {"user": self.staff}

    @property
    def patient_id(self) -> int | None:
        return self.patient.pk if self.patient is not None else None


def _owner(actor, patient_id, staff_id, *, action, revoke: bool = False) -> FeedOwner:
    """The feed's owner, if the actor may make or change (or, with `revoke`, turn off)
    their feed; an audited refusal otherwise."""
    if (patient_id is None) == (staff_id is None):
        raise TypeError("Name the feed's owner: patient_id or staff_id.")
    if patient_id is not None:
        return FeedOwner(patient=access_patient_feed_by_id(actor, patient_id, action=action))
    return FeedOwner(staff=access_staff_feed_by_id(actor, staff_id, revoke=revoke, action=action))


def feed_owner_check(*, actor, patient_id: int | None = None, staff_id: int | None = None):
    """Refuse (audited) who may not change this owner's feed in any way: the feed box's
    page asks before it reads which button was pressed."""
    _owner(actor, patient_id, staff_id, action=AuditAction.UPDATE, revoke=True)


def feed_create(
    *, actor, patient_id: int | None = None, staff_id: int | None = None
) -> CalendarFeed:
    """A new secret URL; the owner's previous feed stops working."""
    owner = _owner(actor, patient_id, staff_id, action=AuditAction.CREATE)
    with transaction.atomic():
        previous = CalendarFeed.objects.select_for_update().filter(
            revoked_at__isnull=True, **owner.filter
        )
        show_details = previous.filter(show_details=True).exists()
        previous.update(revoked_at=timezone.now())
        feed = CalendarFeed(
            token=secrets.token_urlsafe(32), show_details=show_details, **owner.filter
        )
        feed.full_clean()
        feed.save()
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=owner.patient_id,
            object_type="calendar_feed",
            object_id=feed.pk,
            detail={"owner": "patient" if owner.patient else f"staff:{owner.staff.pk}"},
        )
    return feed


def _live_feed(owner: FeedOwner) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_for_update()
        .filter(revoked_at__isnull=True, **owner.filter)
        .first()
    )


def feed_revoke(*, actor, patient_id: int | None = None, staff_id: int | None = None) -> None:
    """Turn the owner's feed off (nothing to do when it is off): who manages it, or a
    director of a program the staff member works in."""
    owner = _owner(actor, patient_id, staff_id, action=AuditAction.UPDATE, revoke=True)
    with transaction.atomic():
        feed = _live_feed(owner)
        if feed is None:
            return
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=owner.patient_id,
            object_type="calendar_feed",
            object_id=feed.pk,
            detail={"revoked": True},
        )


def feed_details_set(
    *, actor, show_details: bool, patient_id: int | None = None, staff_id: int | None = None
) -> CalendarFeed:
    """The patient's choice to see session titles, times and places in their calendar."""
    owner = _owner(actor, patient_id, staff_id, action=AuditAction.UPDATE)
    with transaction.atomic():
        feed = _live_feed(owner)
        if feed is None:
            raise ApplicationError(
                "There is no calendar feed to change; create one first.",
                field_errors={"action": "No calendar feed."},
            )
        feed.show_details = show_details
        feed.save(update_fields=["show_details"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=owner.patient_id,
            object_type="calendar_feed",
            object_id=feed.pk,
            detail={"show_details": show_details},
        )
    return feed


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed of this token; a staff feed stops with the staff member's account."""
    owner_active = Q(patient__isnull=False) | Q(user__is_active=True, user__kind=UserKind.STAFF)
    return (
        CalendarFeed.objects.select_related("patient", "user")
        .filter(owner_active, token=token[:100], revoked_at__isnull=True)
        .first()
    )


def feed_open(*, actor, token: str) -> CalendarFeed | None:
    """The live feed of this address, or None once the attempt is in the audit trail as
    denied (an unknown or revoked address, as a wrong questionnaire link is; the address
    itself is a secret and is not written down)."""
    feed = feed_for_token(token)
    if feed is None:
        audit_record(
            user=actor,
            action=AuditAction.EXPORT,
            object_type="calendar_feed",
            outcome=AuditOutcome.DENIED,
            detail={"reason": "unknown or revoked address"},
        )
    return feed


def _event(uid: str, summary: str, starts_at, ends_at, stamp, **extra) -> Event:
    event = Event()
    event.add("uid", f"{uid}@stepwell")
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", summary)
    for key, value in extra.items():
        if value:
            event.add(key, value)
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Stepwell//Program calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _location(room, telehealth_url: str, show: bool) -> str:
    if not show:
        return ""
    if room is not None:
        return f"{room.name}, {room.site.name}"
    return telehealth_url


def feed_ics(feed: CalendarFeed) -> bytes:
    """The feed's calendar: bookings from WEEKS_BEHIND weeks ago to WEEKS_AHEAD weeks ahead."""
    now = timezone.now()
    start, end = now - timedelta(weeks=WEEKS_BEHIND), now + timedelta(weeks=WEEKS_AHEAD)
    if feed.patient_id:
        calendar = _patient_calendar(feed, start, end, now)
        audit_record(
            action=AuditAction.EXPORT,
            patient_id=feed.patient_id,
            object_type="calendar_feed",
            object_id=feed.pk,
            detail={"show_details": feed.show_details},
        )
    else:
        calendar, patient_ids = _staff_calendar(feed, start, end, now)
        audit_record(
            user=feed.user,
            action=AuditAction.EXPORT,
            object_type="calendar_feed",
            object_id=feed.pk,
            detail={"staff": feed.user_id, "patients": sorted(patient_ids)},
        )
    return calendar.to_ical()


def _patient_calendar(feed: CalendarFeed, start, end, now) -> Calendar:
    show = feed.show_details
    calendar = _calendar("Stepwell")
    enrollments = Enrollment.objects.filter(
        patient_id=feed.patient_id,
        occurrence__starts_at__gte=start,
        occurrence__starts_at__lt=end,
        occurrence__status=OccurrenceStatus.SCHEDULED,
    ).select_related("occurrence__room__site")
    for enrollment in enrollments:
        occurrence = enrollment.occurrence
        calendar.add_component(
            _event(
                f"enrollment-{enrollment.pk}",
                occurrence.title if show else PRIVATE_SUMMARY,
                occurrence.starts_at,
                occurrence.ends_at,
                now,
                location=_location(occurrence.room, occurrence.telehealth_url, show),
            )
        )
    appointments = Appointment.objects.filter(
        patient_id=feed.patient_id,
        starts_at__gte=start,
        starts_at__lt=end,
        status=OccurrenceStatus.SCHEDULED,
    ).select_related("staff", "room__site")
    for appointment in appointments:
        summary = (
            f"{appointment.get_kind_display()} with {appointment.staff}"
            if show
            else PRIVATE_SUMMARY
        )
        calendar.add_component(
            _event(
                f"appointment-{appointment.pk}",
                summary,
                appointment.starts_at,
                appointment.ends_at,
                now,
                location=_location(appointment.room, "", show),
            )
        )
    return calendar


def short_name(patient: Patient) -> str:
    """First name and last initial: what a staff calendar may show of a patient."""
    first = patient.preferred_name or patient.legal_first_name
    return f"{first} {patient.legal_last_name[:1]}."


def _staff_calendar(feed: CalendarFeed, start, end, now) -> tuple[Calendar, set[int]]:
    calendar = _calendar(f"Stepwell: {feed.user.get_full_name() or feed.user.username}")
    occurrences = SessionOccurrence.objects.filter(
        facilitators=feed.user,
        starts_at__gte=start,
        starts_at__lt=end,
        status=OccurrenceStatus.SCHEDULED,
    ).select_related("room__site")
    for occurrence in occurrences:
        calendar.add_component(
            _event(
                f"occurrence-{occurrence.pk}",
                occurrence.title,
                occurrence.starts_at,
                occurrence.ends_at,
                now,
                location=_location(occurrence.room, occurrence.telehealth_url, True),
                description=f"{occurrence.enrolled_count} of {occurrence.capacity} seats booked",
            )
        )
    patient_ids: set[int] = set()
    appointments = Appointment.objects.filter(
        staff=feed.user,
        patient__in=patients_visible_to(feed.user),
        starts_at__gte=start,
        starts_at__lt=end,
        status=OccurrenceStatus.SCHEDULED,
    ).select_related("patient", "program", "room__site")
    for appointment in appointments:
        patient_ids.add(appointment.patient_id)
        calendar.add_component(
            _event(
                f"appointment-{appointment.pk}",
                _appointment_summary(appointment),
                appointment.starts_at,
                appointment.ends_at,
                now,
                location=_location(appointment.room, "", True),
            )
        )
    return calendar, patient_ids


def _appointment_summary(appointment: Appointment) -> str:
    """What a staff calendar says of an appointment: in a Part 2 program, no patient."""
    if appointment.program.part2_program:
        return appointment.get_kind_display()
    return f"{appointment.get_kind_display()}: {short_name(appointment.patient)}"
