"""Appointment reminders, the day before, to the patients who asked for them.

Run once a day by the job `appointment-reminders` (tasks.py). For each program, the
sessions of the program's tomorrow (individual appointments and booked group sessions,
not cancelled) of patients who opted in give one reminder per patient with the time of
their first session. A second run on the same day sends nothing twice (dedupe key).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.clinic.time import program_today
from stepwell.privacy.access.messaging import access_reminder_job
from stepwell.schedule.models import Appointment, Enrollment, OccurrenceStatus

from .models import Message, MessagePurpose
from .services import _queue, base_url, route_for


def _window(program: Program, now: datetime) -> tuple[datetime, datetime, object]:
    zone = zoneinfo.ZoneInfo(program.timezone)
    tomorrow = program_today(program, now) + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0, 0), tzinfo=zone)
    return start, start + timedelta(days=1), tomorrow


def _first_sessions(program: Program, start: datetime, end: datetime) -> dict:
    first: dict = {}
    appointments = Appointment.objects.filter(
        program=program,
        starts_at__gte=start,
        starts_at__lt=end,
        status=OccurrenceStatus.SCHEDULED,
        patient__contact_preference__reminders=True,
    ).select_related("patient")
    for a in appointments:
        if a.patient_id not in first or a.starts_at < first[a.patient_id][1]:
            first[a.patient_id] = (a.patient, a.starts_at)
    enrollments = Enrollment.objects.filter(
        occurrence__program=program,
        occurrence__starts_at__gte=start,
        occurrence__starts_at__lt=end,
        occurrence__status=OccurrenceStatus.SCHEDULED,
        patient__contact_preference__reminders=True,
    ).select_related("patient", "occurrence")
    for e in enrollments:
        moment = e.occurrence.starts_at
        if e.patient_id not in first or moment < first[e.patient_id][1]:
            first[e.patient_id] = (e.patient, moment)
    return first


def appointment_reminders_queue(*, actor, now: datetime | None = None) -> list[Message]:
    access_reminder_job(actor)
    now = now or timezone.now()
    queued = []
    for program in Program.objects.order_by("pk"):
        start, end, tomorrow = _window(program, now)
        zone = zoneinfo.ZoneInfo(program.timezone)
        for patient_id, (patient, moment) in sorted(_first_sessions(program, start, end).items()):
            key = f"reminder:{patient_id}:{tomorrow.isoformat()}"
            route = route_for(patient)
            if route is None or Message.objects.filter(dedupe_key=key).exists():
                continue
            when = "at " + moment.astimezone(zone).strftime("%I:%M %p").lstrip("0")
            with transaction.atomic():
                queued.append(
                    _queue(
                        purpose=MessagePurpose.APPOINTMENT_REMINDER,
                        route=route,
                        link=base_url() + "/messages/mine/",
                        when=when,
                        actor=actor,
                        patient=patient,
                        dedupe_key=key,
                    )
                )
    return queued
