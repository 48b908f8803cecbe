"""Synthetic measurement history for the demo clinic: schedules per program, an on-call
clinician per program, up to eight weekly PHQ-9/GAD-7 administrations per admitted patient
(most improving, a few flat or worsening), AUDIT/DAST-10 at admission and discharge in the
substance-use tracks, a few acknowledged suicide-risk alerts and one or two open ones, and
a patient whose severe scores show as clinical findings. Every answer here is invented."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.demo.clinic import DEMO_ACTOR
from stepwell.measures import selectors, services
from stepwell.measures.instruments import Instrument
from stepwell.measures.models import Administration, Alert, AlertStatus
from stepwell.patients.models import CareTeamRole, Episode, EpisodeState

WEEKS = 8
SCHEDULES = {
    "mh": [("phq9", {"every_days": 7}), ("gad7", {"every_days": 7})],
    "sud": [
        ("phq9", {"every_days": 7}),
        ("audit", {"at_admission": True, "at_discharge": True}),
        ("dast10", {"at_admission": True, "at_discharge": True}),
    ],
    "dual": [
        ("phq9", {"every_days": 7}),
        ("gad7", {"every_days": 7}),
        ("audit", {"at_admission": True, "at_discharge": True}),
        ("dast10", {"at_admission": True, "at_discharge": True}),
    ],
}
# Caps that keep routine demo scores below the severe bands (clinical findings); the
# designated patients below cross them on purpose.
CAPS = {"phq9": 19, "gad7": 14, "audit": 19, "dast10": 8}
ACKNOWLEDGEMENTS = [
    "Called the patient the same day; safety plan reviewed and updated (synthetic).",
    "Discussed in session; no current intent; crisis line numbers given (synthetic).",
    "Reviewed with the prescriber; follow-up booked for tomorrow (synthetic).",
]


def answers_for_total(instrument: Instrument, target: int, rng, fixed: dict | None = None) -> dict:
    """Answers whose total is ``target`` (as near as the options allow), spread at random."""
    fixed = dict(fixed or {})
    choice: dict[str, int] = {}
    ladders = {}
    for item in instrument.items:
        if not item.scored or not item.required or item.asked_when is not None:
            continue
        ladder = sorted(item.options, key=item.score_of)
        ladders[item.key] = ladder
        choice[item.key] = 0
    items = {item.key: item for item in instrument.items}
    for key, value in fixed.items():
        ladder = ladders[key]
        choice[key] = next(n for n, option in enumerate(ladder) if option.value == value)
    total = sum(items[k].score_of(ladders[k][n]) for k, n in choice.items())
    open_keys = [k for k in ladders if k not in fixed]
    while total < target and open_keys:
        key = rng.choice(open_keys)
        step = choice[key] + 1
        if step >= len(ladders[key]):
            open_keys.remove(key)
            continue
        gain = items[key].score_of(ladders[key][step]) - items[key].score_of(
            ladders[key][choice[key]]
        )
        if total + gain > target:
            open_keys.remove(key)
            continue
        choice[key] = step
        total += gain
    answers = {key: ladders[key][n].value for key, n in choice.items()}
    for item in instrument.items:  # unscored items (PHQ-9 difficulty): follow the total
        if not item.scored and item.asked_when is None:
            index = min(len(item.options) - 1, target // 7)
            answers[item.key] = item.options[index].value
    return answers


def _recorder(episode: Episode):
    team = episode.patient.care_team.select_related("user")
    for member in team:
        if member.team_role == CareTeamRole.PRIMARY_CLINICIAN:
            return member.user
    for member in team:
        if member.user.program_ids_with(Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE):
            return member.user
    return None


def _end_of_history(episode: Episode, today: date) -> date:
    if episode.state == EpisodeState.DISCHARGED and episode.discharged_on:
        return episode.discharged_on
    if episode.state == EpisodeState.ON_HOLD:
        hold = episode.events.filter(to_state=EpisodeState.ON_HOLD).order_by("-pk").first()
        if hold is not None:
            return hold.effective_date
    return today


def _record(episode, recorder, key, occurrence, day, answers):
    zone = zoneinfo.ZoneInfo(episode.program.timezone)
    completed_at = min(
        datetime.combine(day, time(11, 30), tzinfo=zone), timezone.now() - timedelta(minutes=5)
    )
    due = Administration.objects.create(
        patient=episode.patient,
        episode=episode,
        instrument_key=key,
        occurrence=occurrence,
        due_on=day,
    )
    return services.administration_record(
        actor=recorder,
        patient_id=episode.patient_id,
        instrument_key=key,
        answers=answers,
        administration_id=due.pk,
        completed_at=completed_at,
    )


def _set_on_call_clinicians(clinic) -> None:
    """Each program's on-call clinician: its first clinician (paged for acute answers)."""
    for program in clinic.programs.values():
        on_call = (
            program.staff.filter(role_assignments__role=Role.CLINICIAN, is_active=True)
            .order_by("username")
            .first()
        )
        program.on_call_clinician = on_call
        program.save(update_fields=["on_call_clinician"])


@transaction.atomic
def seed_measures(clinic, rng, today: date) -> None:
    director = clinic.users["director"]
    _set_on_call_clinicians(clinic)
    keys_by_program = {program.pk: key for key, program in clinic.programs.items()}
    for key, program in clinic.programs.items():
        for instrument_key, when in SCHEDULES[key]:
            services.schedule_rule_set(
                actor=director, program_id=program.pk, instrument_key=instrument_key, **when
            )
    episodes = list(
        Episode.objects.filter(
            patient__in=clinic.patients,
            admitted_on__isnull=False,
            state__in=[
                EpisodeState.ADMITTED,
                EpisodeState.ACTIVE,
                EpisodeState.ON_HOLD,
                EpisodeState.DISCHARGED,
            ],
        )
        .select_related("patient", "program")
        .order_by("pk")
    )
    risk_patient = severe_patient = None
    overdue_left = 3
    history_left = 2
    for episode in episodes:
        recorder = _recorder(episode)
        if recorder is None:
            continue
        program_key = keys_by_program[episode.program_id]
        end = _end_of_history(episode, today)
        weeks = [k for k in range((end - episode.admitted_on).days // 7 + 1)][-WEEKS:]
        if episode.state == EpisodeState.ACTIVE and overdue_left and len(weeks) > 2:
            weeks = weeks[:-1]  # this week's questionnaires not done yet: shows as due/overdue
            overdue_left -= 1
        profile = rng.choices(["improving", "flat", "worsening"], weights=[70, 15, 15])[0]
        designated = None
        if profile == "worsening" and episode.state == EpisodeState.ACTIVE:
            if risk_patient is None:
                designated = risk_patient = "risk"
            elif severe_patient is None:
                designated = severe_patient = "severe"
        weekly = [k for k, _ in SCHEDULES[program_key] if k in ("phq9", "gad7")]
        for instrument_key in weekly:
            instrument = selectors.instrument_for(instrument_key)
            baseline = rng.randint(12, 19) if instrument_key == "phq9" else rng.randint(9, 14)
            slope = {"improving": -rng.uniform(0.9, 1.7), "flat": 0.0}.get(
                profile, rng.uniform(0.5, 1.0)
            )
            for n, k in enumerate(weeks):
                day = episode.admitted_on + timedelta(days=7 * k)
                target = round(baseline + slope * n + rng.uniform(-1.5, 1.5))
                target = max(1, min(CAPS[instrument_key], target))
                fixed = {"phq9_9": 0} if instrument_key == "phq9" else {}
                if n == 0 and instrument_key == "phq9" and profile == "improving" and history_left:
                    fixed = {"phq9_9": 1}  # a risk answer at admission, since acknowledged
                    history_left -= 1
                last = n == len(weeks) - 1
                if last and designated == "risk" and instrument_key == "phq9":
                    fixed = {"phq9_9": 1}
                if last and designated == "severe" and instrument_key == "gad7":
                    target = rng.randint(15, 18)
                if last and designated == "severe" and instrument_key == "phq9":
                    target = rng.randint(20, 22)
                answers = answers_for_total(instrument, target, rng, fixed)
                occurrence = "admission" if k == 0 else f"day-{7 * k}"
                _record(episode, recorder, instrument_key, occurrence, day, answers)
        at_admission = {k for k, when in SCHEDULES[program_key] if when.get("at_admission")}
        for instrument_key in sorted(at_admission):
            instrument = selectors.instrument_for(instrument_key)
            baseline = rng.randint(6, CAPS[instrument_key])
            _record(
                episode,
                recorder,
                instrument_key,
                "admission",
                episode.admitted_on,
                answers_for_total(instrument, baseline, rng),
            )
            if episode.state == EpisodeState.DISCHARGED and episode.discharged_on:
                _record(
                    episode,
                    recorder,
                    instrument_key,
                    "discharge",
                    episode.discharged_on,
                    answers_for_total(instrument, max(0, baseline - rng.randint(2, 6)), rng),
                )
    services.due_questionnaires_generate(actor=DEMO_ACTOR, today=today)
    # The designated patients' alerts stay open (one or two patients); the rest were dealt with.
    open_alerts = Alert.objects.filter(status=AlertStatus.OPEN).select_related(
        "administration__episode"
    )
    kept_patients: list[int] = []
    for alert in open_alerts.order_by("-administration__completed_at", "-pk"):
        if alert.patient_id in kept_patients or len(kept_patients) < 2:
            if alert.patient_id not in kept_patients:
                kept_patients.append(alert.patient_id)
            continue
        actor = _recorder(alert.administration.episode) or director
        services.alert_acknowledge(
            actor=actor, alert_id=alert.pk, note=rng.choice(ACKNOWLEDGEMENTS)
        )
