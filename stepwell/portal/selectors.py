"""Reads for the patient's own pages: a patient sees only themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from stepwell.patients.models import CareTeamMember, Episode, Patient
from stepwell.plans.models import PlanStatus, TreatmentPlan
from stepwell.privacy.access.alumni import refuse_alumnus
from stepwell.privacy.access.patients import access_own_patient
from stepwell.schedule.booking.week_items import WeekItem, patient_week_items, patient_zone
from stepwell.schedule.calendar.weeks import iso_week_of, utc_to_local

SIGNED_PLANS_SHOWN = 3
NEXT_SESSIONS_SHOWN = 5


@dataclass(frozen=True)
class PortalHome:
    patient: Patient
    episodes: list[Episode]
    care_team: list[CareTeamMember]
    plans: list[TreatmentPlan]  # the latest signed versions
    next_sessions: list[WeekItem]  # booked, not yet ended, within the coming week


def next_sessions_of(patient: Patient, *, now: datetime) -> list[WeekItem]:
    """The patient's own bookings that have not ended, over this week and the next (with
    each session's room or video link), soonest first."""
    zone = patient_zone(patient)
    today = utc_to_local(zone, now).date()
    weeks = {iso_week_of(today), iso_week_of(today + timedelta(days=7))}
    items = [
        i for w in sorted(weeks) for i in patient_week_items(patient=patient, week=w, zone=zone)
    ]
    upcoming = [i for i in items if i.ends_at > now and i.starts_at < now + timedelta(days=7)]
    return sorted(upcoming, key=lambda item: item.starts_at)[:NEXT_SESSIONS_SHOWN]


def portal_home(*, user) -> PortalHome:
    """The logged-in patient's own program, care team and signed plans, or an audited
    refusal for anyone who is not a patient with a record."""
    patient = access_own_patient(user)
    refuse_alumnus(user, object_type="portal")  # an alumnus's page is alumni:portal-home
    return PortalHome(
        patient=patient,
        episodes=list(patient.episodes.select_related("program")),
        care_team=list(patient.care_team.select_related("user")),
        plans=list(
            patient.treatment_plans.filter(status=PlanStatus.SIGNED).order_by("-version")[
                :SIGNED_PLANS_SHOWN
            ]
        ),
        next_sessions=next_sessions_of(patient, now=timezone.now()),
    )
