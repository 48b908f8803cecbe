"""Follow-ups after discharge for the demo, made the way the clinic would have made them:
the `follow-ups` daily job run for each past day since the first discharge (DEMO_ACTOR,
stamped at 09:00 that day), then phone calls recorded by the primary clinician.

- The substance-use program checks in at 14, 30 and 90 days, with two attempts three days
  apart (its director's settings); the others use the defaults (30, 60, 90; three
  attempts a week apart).
- One discharged patient chose to get no messages: their follow-ups stay due for a call.
- Every other due follow-up gets a link through the outbox; some are answered on the
  phone (completed), the rest stay sent or end unreachable after their attempts.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from stepwell.clinic.models import Track
from stepwell.followups import services
from stepwell.followups.models import FollowUp, FollowUpStatus
from stepwell.followups.rules import Employment, ShortAnswers
from stepwell.messaging.services import contact_preference_set
from stepwell.patients.models import CareTeamRole, Episode, EpisodeState

from .clinic import DEMO_ACTOR, DEMO_ZONE


def _answers(rng, instruments: list[str]) -> dict[str, str]:
    from stepwell.measures.selectors import instrument_for

    answers = {}
    for key in instruments:
        for item in instrument_for(key).items:
            values = [option.value for option in item.options]
            low = values[: max(1, len(values) // 2)]
            answers[item.key] = str(rng.choice(low))
            if key == "phq9" and item.key == "phq9_9":
                answers[item.key] = str(values[0])  # no safety answer in the demo
    return answers


def seed_follow_ups(clinic, rng, today: date) -> None:
    zone = zoneinfo.ZoneInfo(DEMO_ZONE)
    for program in clinic.programs.values():
        if program.track == Track.SUBSTANCE_USE:
            services.follow_up_policy_set(
                actor=clinic.users["director"],
                program_id=program.pk,
                days="14, 30, 90",
                instruments=["auditc", "dast10"],
                max_attempts=2,
                wait_days=3,
            )
    discharged = list(
        Episode.objects.filter(state=EpisodeState.DISCHARGED, admitted_on__isnull=False)
        .select_related("patient")
        .order_by("discharged_on", "pk")
    )
    if not discharged:
        return
    quiet = discharged[0].patient  # chose no messages: their follow-ups wait for a call
    contact_preference_set(
        actor=clinic.users["director"], patient_id=quiet.pk, channel="none", reminders=False
    )
    day = discharged[0].discharged_on + timedelta(days=1)
    while day <= today:
        moment = datetime.combine(day, time(9), tzinfo=zone)
        for program in clinic.programs.values():
            services.follow_ups_daily(
                actor=DEMO_ACTOR, program_id=program.pk, today=day, now=moment
            )
        day += timedelta(days=1)
    sent = FollowUp.objects.filter(status=FollowUpStatus.SENT).order_by("due_on", "pk")
    for index, follow_up in enumerate(sent):
        if index % 2:
            continue  # half stay sent, waiting for the answer
        clinician = (
            follow_up.patient.care_team.filter(team_role=CareTeamRole.PRIMARY_CLINICIAN)
            .select_related("user")
            .first()
        )
        if clinician is None:
            continue
        services.follow_up_phone_record(
            actor=clinician.user,
            follow_up_id=follow_up.pk,
            reached=True,
            note="Called; answered the check-in",
            answers=_answers(rng, follow_up.instruments),
            short=ShortAnswers(
                in_treatment=(in_treatment := rng.random() < 0.7),
                in_treatment_where="Weekly therapy, Springfield Counseling" if in_treatment else "",
                readmitted_higher_level=rng.random() < 0.1,
                days_of_use_last_30=rng.choice([0, 0, 0, 2, 5]),
                employment=rng.choice(list(Employment)),
            ),
        )
