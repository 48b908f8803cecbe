"""The daily jobs: reminders the day before to patients who opted in, once per day; the
sweep retries what is due."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from stepwell.messaging import jobs
from stepwell.messaging.models import Message
from stepwell.messaging.services import contact_preference_set
from stepwell.schedule.models import Appointment, AppointmentKind


def _tomorrow_appointment(clinic, patient, *, reminders: bool):
    patient.email = f"{patient.legal_first_name.lower()}@example.org"
    patient.save()
    contact_preference_set(
        actor=clinic.clinician_a, patient_id=patient.pk, channel="email", reminders=reminders
    )
    start = timezone.now() + timedelta(days=1)
    Appointment.objects.create(
        program=clinic.program_a,
        patient=patient,
        staff=clinic.clinician_a,
        kind=AppointmentKind.INDIVIDUAL,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )


def test_reminders_go_once_to_the_patients_who_asked(clinic):
    _tomorrow_appointment(clinic, clinic.patient_a, reminders=True)
    out = StringIO()
    call_command("messages", "reminders", stdout=out)
    assert "1 reminders queued" in out.getvalue()
    assert jobs.appointment_reminders(timezone.localdate()) == 0  # not twice
    message = Message.objects.get()
    assert message.purpose == "appointment_reminder" and message.patient == clinic.patient_a
    assert "Adult MH" not in message.body


def test_no_reminder_without_opting_in(clinic):
    _tomorrow_appointment(clinic, clinic.patient_a, reminders=False)
    assert jobs.appointment_reminders(timezone.localdate()) == 0


def test_stepwell_daily_queues_the_reminders_once_a_day(clinic):
    """The reminders are a registered `stepwell daily` job: the runner queues them, and a
    second pass of the same day runs nothing."""
    from stepwell.daily.registry import registered_jobs
    from stepwell.daily.runs import daily_jobs_run

    reminders = [job for job in registered_jobs() if job.name == "appointment-reminders"]
    assert len(reminders) == 1 and not reminders[0].per_program
    _tomorrow_appointment(clinic, clinic.patient_a, reminders=True)
    now = timezone.now()
    daily_jobs_run(now=now, jobs=reminders)
    assert Message.objects.filter(purpose="appointment_reminder").count() == 1
    assert daily_jobs_run(now=now, jobs=reminders) == []
    assert Message.objects.filter(purpose="appointment_reminder").count() == 1


def test_reminders_have_one_scheduler_the_daily_runner(db):
    """`messages reminders --every` no longer starts a second, self-rescheduling job."""
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="stepwell daily"):
        call_command("messages", "reminders", "--every")
