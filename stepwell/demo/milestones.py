"""Milestones for the demo: every admitted or active patient's record is checked by the
demo builder (DEMO_ACTOR) as the nightly job would, so the milestones come from the
demo's own attendance, scores, plans and drug tests.

- Each patient with a portal login answers "may my milestones be named in group": the
  first (patient1) says yes on the portal; the others' primary clinicians record a yes for
  every other one, the rest are left at no.
- patient1's primary clinician records a milestone of the week in their own words.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from stepwell.milestones import services
from stepwell.patients.models import CareTeamMember, CareTeamRole, Episode

from .clinic import DEMO_ACTOR, DEMO_ZONE


def seed_milestones(clinic, rng, today: date) -> None:
    now = datetime.combine(today, time(12), tzinfo=zoneinfo.ZoneInfo(DEMO_ZONE))
    episodes = (
        Episode.objects.filter(patient__in=clinic.patients, state__in=["admitted", "active"])
        .exclude(admitted_on=None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for episode_id in episodes:
        services.milestones_compute(actor=DEMO_ACTOR, episode_id=episode_id, today=today, now=now)
    for number in range(1, 6):
        user = clinic.users.get(f"patient{number}")
        if user is None:
            continue
        patient = user.patient_record
        clinician = _primary_clinician(patient)
        if number == 1:
            services.own_milestone_sharing_set(actor=user, named_in_group=True)
            if clinician is not None:
                admitted = patient.episodes.exclude(admitted_on=None).latest("admitted_on")
                services.milestone_record(
                    actor=clinician,
                    patient_id=patient.pk,
                    title="Used a grounding skill at work",
                    text="Felt panic rising in a team meeting, used 5-4-3-2-1 and stayed.",
                    achieved_on=max(today - timedelta(days=1), admitted.admitted_on),
                )
        elif clinician is not None and number % 2 == 1:
            services.milestone_sharing_set(
                actor=clinician, patient_id=patient.pk, named_in_group=True
            )


def _primary_clinician(patient):
    member = (
        CareTeamMember.objects.filter(patient=patient, team_role=CareTeamRole.PRIMARY_CLINICIAN)
        .select_related("user")
        .first()
    )
    return member.user if member else None
