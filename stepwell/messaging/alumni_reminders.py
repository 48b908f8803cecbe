"""Alumni event reminders, the day before, to the alumni who said they will come.

Run once a day for each program by the job `alumni-event-reminders` (tasks.py), on the
program's own date: the meetings of the program's alumni events that start on the
program's tomorrow (not cancelled) give one reminder to each person who answered "I'll be
there", is still an alumnus (discharged, no open episode) and has not opted out of the
alumni community. The reminder goes by the channel the person chose (email or text); one
who chose neither gets nothing. Answering "yes" is the request for the reminder, so no
separate opt-in is asked. A second run of the day sends nothing twice (dedupe key).

What the message says is fixed (wording.py): "Stepwell: a reminder of the event on
Saturday 12 December at 10:00 AM." and a link to the alumni portal; never the event's
title, place or program, which could say what the treatment was for.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.urls import reverse

from stepwell.alumni.models import AlumniMeeting, AlumniRsvp, RsvpAnswer
from stepwell.clinic.models import Program
from stepwell.privacy.access.alumni import alumni_patients
from stepwell.privacy.access.messaging import access_alumni_reminder_job

from .models import Message
from .services import alumni_event_reminder_send, base_url


def when_text(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """ "Saturday 12 December at 10:00 AM", in the program's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B} at {local:%I:%M %p}".replace(" at 0", " at ")


def meetings_on(program: Program, day: date) -> list[AlumniMeeting]:
    zone = zoneinfo.ZoneInfo(program.timezone)
    start = datetime.combine(day, time(0, 0), tzinfo=zone)
    return list(
        AlumniMeeting.objects.filter(
            event__program=program,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
            cancelled=False,
        ).order_by("starts_at", "pk")
    )


def alumni_event_reminders_queue(*, actor, program_id: int, today: date) -> list[Message]:
    """Queue tomorrow's reminders for one program (`today` is the program's date)."""
    access_alumni_reminder_job(actor)
    program = Program.objects.get(pk=program_id)
    zone = zoneinfo.ZoneInfo(program.timezone)
    link = base_url() + reverse("alumni:portal-home")
    alumni = alumni_patients()
    queued = []
    for meeting in meetings_on(program, today + timedelta(days=1)):
        rsvps = (
            AlumniRsvp.objects.filter(meeting=meeting, answer=RsvpAnswer.YES, patient__in=alumni)
            .order_by("patient_id")
            .values_list("patient_id", flat=True)
        )
        for patient_id in rsvps:
            key = f"alumni:{meeting.pk}:{patient_id}"
            if Message.objects.filter(dedupe_key=key).exists():
                continue
            message = alumni_event_reminder_send(
                actor=actor,
                patient_id=patient_id,
                link=link,
                when=when_text(meeting.starts_at, zone),
                dedupe_key=key,
            )
            if message is not None:
                queued.append(message)
    return queued
