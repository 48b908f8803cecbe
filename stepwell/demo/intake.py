"""Synthetic referrals, intake assessments, placement decisions and treatment plans for the
demo clinic. Every name, date and answer here is invented.

Every demo episode gets a referral on the board in the state that matches it (new or
contacted, screening booked, assessed, admitted, declined, referred elsewhere); assessed and
admitted patients get a signed assessment with diagnoses, availability windows and a
placement decision; admitted and active patients get a signed treatment plan (some with a
second version, some with reviews due). Call after build_demo_clinic.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.intake import services as intake
from stepwell.intake.models import (
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralSource,
    ReferralState,
)
from stepwell.patients.models import CareTeamRole, EpisodeState
from stepwell.plans import services as plans
from stepwell.plans.models import PhysicianCertification, ProgramPlanPolicy, TreatmentPlan
from stepwell.privacy.signed_records import signed_records_unlocked

from .clinic import DemoClinic, working_day
from .profiles import RISK_SCREENING, histories, profile
from .schedule import ARCHETYPE_WEIGHTS, ARCHETYPES

REASONS = {  # referral reasons that fit the program the referral is for
    "mh": [
        "Low mood and missing work for two months",
        "Panic attacks at work; outpatient therapy not enough",
        "Stepping down after a short inpatient stay",
    ],
    "sud": [
        "Daily drinking after a job loss; family worried",
        "Opioid use in early recovery; needs more structure than weekly therapy",
        "Court-ordered evaluation after a DUI",
    ],
    "dual": [
        "Depression and daily drinking; weekly therapy not enough",
        "Opioid use in early recovery with panic attacks",
        "Stepping down after a short inpatient stay",
    ],
}
DIAGNOSES = {
    "mh": ["F33.1", "F41.1", "F43.10", "F31.81"],
    "sud": ["F10.20", "F11.20", "F12.20", "F14.20"],
    "dual": ["F33.1", "F10.20", "F41.1", "F11.21"],
}
CLINICIAN_FOR = {"mh": "therapist", "sud": "therapist2", "dual": "clinician3"}
ENGINE_INPUT = {
    "dimensions": {
        "d1_withdrawal": 1,
        "d2_biomedical": 0,
        "d3_emotional_behavioral": 2,
        "d4_readiness": 1,
        "d5_relapse": 2,
        "d6_recovery_environment": 1,
    },
    "mental_health_severity": "moderately_severe",
    "functional_impairment": "moderate",
    "suicide_risk": "low",
    "medically_stable": True,
    "needs_24h_structure": False,
    "available_hours_per_week": 12,
    "previous_lower_level": "outpatient",
    "previous_lower_level_outcome": "insufficient",
}


def _key_of(clinic: DemoClinic, episode) -> str:
    return next(key for key, program in clinic.programs.items() if program.pk == episode.program_id)


def _board_state(rng, episode) -> str:
    admitted = episode.admitted_on is not None
    return {
        EpisodeState.REFERRED: rng.choice([ReferralState.NEW, ReferralState.CONTACTED]),
        EpisodeState.SCREENING: ReferralState.SCREENING_BOOKED,
        EpisodeState.ASSESSED: ReferralState.ASSESSED,
        EpisodeState.DISCHARGED: ReferralState.ADMITTED
        if admitted
        else (
            ReferralState.REFERRED_ELSEWHERE
            if episode.discharge_disposition == "transferred"
            else ReferralState.DECLINED
        ),
    }.get(episode.state, ReferralState.ADMITTED)


_PATH = [
    ReferralState.NEW,
    ReferralState.CONTACTED,
    ReferralState.SCREENING_BOOKED,
    ReferralState.ASSESSED,
    ReferralState.ADMITTED,
]


def _referral_for_existing(rng, clinic, episode, intake_user) -> Referral:
    """Put an already-walked demo episode on the board, with a plausible history."""
    state = _board_state(rng, episode)
    closing = state in (ReferralState.DECLINED, ReferralState.REFERRED_ELSEWHERE)
    referral = Referral.objects.create(
        episode=episode,
        patient=episode.patient,
        state=state,
        source=rng.choice(ReferralSource.values),
        source_detail=rng.choice(
            ["", "Dr. Example (synthetic)", "Springfield General (synthetic)"]
        ),
        reason=rng.choice(REASONS[_key_of(clinic, episode)]),
        urgency=rng.choice(["routine", "routine", "priority", "urgent"]),
        insurance=episode.patient.insurance_payer,
        received_on=episode.referred_on,
        admitted_on=episode.admitted_on if state == ReferralState.ADMITTED else None,
        closed_on=episode.discharged_on if closing else None,
        closed_reason=episode.discharge_reason if closing else "",
        referred_to="Synthetic Community Services"
        if state == ReferralState.REFERRED_ELSEWHERE
        else "",
        created_by=intake_user,
    )
    steps = _PATH[: _PATH.index(state) + 1] if state in _PATH else [ReferralState.NEW, state]
    day = episode.referred_on
    previous = ""
    for step in steps:
        if step == ReferralState.CONTACTED or (
            step == ReferralState.SCREENING_BOOKED and previous != "contacted"
        ):
            ReferralEvent.objects.create(
                referral=referral,
                kind=ReferralEventKind.CONTACT_ATTEMPT,
                method="phone",
                outcome=rng.choice(["no_answer", "left_message"]),
                effective_date=day,
                actor=intake_user,
            )
        if step == ReferralState.ADMITTED and episode.admitted_on:
            day = episode.admitted_on
        ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEventKind.TRANSITION,
            from_state=previous,
            to_state=step,
            effective_date=day,
            actor=intake_user,
            note="Referral received" if step == ReferralState.NEW else "",
        )
        previous = step
    return referral


def assess(rng, clinic, episode, key):
    clinician = clinic.users[CLINICIAN_FOR[key]]
    assessment = intake.assessment_start(actor=clinician, episode_id=episode.pk)
    codes = rng.sample(DIAGNOSES[key], 2)
    risk = rng.choice(["none", "low", "low", "moderate"])
    intake.assessment_update(
        actor=clinician,
        assessment_id=assessment.pk,
        data={
            **histories(codes),
            "medical_history": "No significant medical history (synthetic)",
            "living_situation": rng.choice(
                ["Lives with partner", "Lives alone", "Lives with parents"]
            ),
            "supports": "Sibling nearby; one close friend",
            "obligations": rng.choice(
                [
                    "Works days, Monday to Friday",
                    "Part-time student",
                    "Cares for a child after school",
                ]
            ),
            "risk_level": risk,
            "risk_screening": RISK_SCREENING[risk],
            "strengths": "Motivated, insightful, stable housing",
            "patient_goals": profile(codes[0])[4],
        },
    )
    for code in codes:
        intake.assessment_diagnosis_add(actor=clinician, assessment_id=assessment.pk, code=code)
    intake.previous_treatment_add(
        actor=clinician,
        assessment_id=assessment.pk,
        level_of_care="outpatient",
        outcome="partly_helped",
        when=str(program_today(episode.program).year - rng.randint(1, 4)),
    )
    intake.availability_set(
        actor=clinician,
        patient_id=episode.patient_id,
        windows=[
            intake.WindowIn(day, start, end)
            for day, start, end in ARCHETYPES[
                rng.choices(list(ARCHETYPES), weights=ARCHETYPE_WEIGHTS)[0]
            ]
        ],
    )
    assessment = intake.assessment_sign(actor=clinician, assessment_id=assessment.pk)
    intake.placement_decide(actor=clinician, assessment_id=assessment.pk, engine_input=ENGINE_INPUT)
    return assessment


def _plan(rng, clinic, episode, key, today, assessment):
    clinician = clinic.users[CLINICIAN_FOR[key]]
    plan = plans.plan_create(actor=clinician, episode_id=episode.pk)
    team = {m.team_role: m.user for m in episode.patient.care_team.select_related("user")}
    primary = team.get(CareTeamRole.PRIMARY_CLINICIAN, clinician)
    prescriber = team.get(CareTeamRole.PRESCRIBER)
    # One problem and goal per diagnosis, in the words of that diagnosis.
    for diagnosis in assessment.diagnoses.all():
        _, _, domain, statement, words, clinical, measure = profile(diagnosis.code)
        problem = plans.problem_add(
            actor=clinician,
            plan_id=plan.pk,
            statement=statement,
            assessment_finding=assessment.presenting_problems,
            diagnosis_ids=[diagnosis.pk],
        )
        goal = plans.goal_add(
            actor=clinician,
            problem_id=problem.pk,
            domain=domain,
            patient_words=words,
            clinical_wording=clinical,
        )
        kind = plans.MeasureIn()
        if measure:
            kind = plans.MeasureIn(
                kind="questionnaire_total",
                instrument=measure[0],
                comparison="below",
                target_value=measure[1],
            )
        plans.objective_add(
            actor=clinician,
            goal_id=goal.pk,
            description=clinical,
            target_date=program_today(episode.program) + timedelta(days=rng.randint(21, 56)),
            measure=kind,
            status="in_progress",
        )
        plans.objective_add(
            actor=clinician,
            goal_id=goal.pk,
            description="Attend at least 90% of scheduled sessions",
            target_date=program_today(episode.program) + timedelta(days=28),
            measure=plans.MeasureIn(kind="attendance_rate", comparison="at_least", target_value=90),
        )
        plans.intervention_add(
            actor=clinician,
            goal_id=goal.pk,
            modality="group_therapy",  # the first half of each 3-hour block
            minutes_per_session=90,
            sessions_per_week=3,
            duration_weeks=12,
            responsible=clinician,
        )
        plans.intervention_add(  # the second half of each 3-hour block
            actor=clinician,
            goal_id=goal.pk,
            modality="psychoeducation",
            minutes_per_session=90,
            sessions_per_week=3,
            duration_weeks=12,
            responsible=clinician,
        )
        plans.intervention_add(
            actor=clinician,
            goal_id=goal.pk,
            modality="individual_therapy",
            minutes_per_session=50,
            sessions_per_week=1,
            duration_weeks=12,
            responsible=primary,
        )
        if prescriber is not None:  # medication visits with the care team's prescriber
            plans.intervention_add(
                actor=clinician,
                goal_id=goal.pk,
                modality="medication_management",
                minutes_per_session=30,
                sessions_per_week=1,
                duration_weeks=12,
                responsible=prescriber,
            )
    plan = plans.plan_sign_clinician(actor=clinician, plan_id=plan.pk)
    plans.plan_sign_patient(
        actor=clinician, plan_id=plan.pk, method="in_person", signer_name=episode.patient.legal_name
    )
    plans.plan_sign_physician(
        actor=clinic.users["prescriber"], plan_id=plan.pk, attests_nine_hours=True
    )
    # Date the plan as written a few days after admission, so some reviews and
    # recertifications fall due in the demo.
    signed_on = min(today, (episode.admitted_on or today) + timedelta(days=3))
    moment = timezone.make_aware(datetime.combine(signed_on, time(15, 0)))
    # Signed plans are locked in the database: lift the lock for this synthetic history only.
    with signed_records_unlocked(connection, "plans"):
        TreatmentPlan.objects.filter(pk=plan.pk).update(signed_at=moment)
        plan.signatures.update(signed_at=moment)
        PhysicianCertification.objects.filter(plan=plan).update(
            certified_on=signed_on, recertify_by=signed_on + timedelta(days=60)
        )
    return plan


def seed_intake(clinic: DemoClinic, rng, today) -> None:
    intake_user = clinic.users["intake"]
    for program in clinic.programs.values():
        ProgramPlanPolicy.objects.get_or_create(
            program=program, defaults={"requires_physician_signature": True}
        )
    revised = 0
    for patient in clinic.patients:
        for episode in patient.episodes.select_related("program").order_by("pk"):
            key = _key_of(clinic, episode)
            _referral_for_existing(rng, clinic, episode, intake_user)
            if episode.state in (EpisodeState.REFERRED, EpisodeState.SCREENING):
                continue
            if episode.state == EpisodeState.DISCHARGED:
                continue
            assessment = episode.assessments.filter(status="signed").first() or assess(
                rng, clinic, episode, key
            )
            if episode.state == EpisodeState.ASSESSED:
                continue
            plan = _plan(rng, clinic, episode, key, today, assessment)
            if episode.state == EpisodeState.ACTIVE and revised < 3:
                revised += 1
                clinician = clinic.users[CLINICIAN_FOR[key]]
                plans.plan_review_record(
                    actor=clinician,
                    plan_id=plan.pk,
                    outcome="revise",
                    note="Added a sleep goal after the 30-day review (synthetic)",
                )
                draft = plan.episode.treatment_plans.get(status="draft")
                problem = plans.problem_add(
                    actor=clinician, plan_id=draft.pk, statement="Poor sleep"
                )
                goal = plans.goal_add(
                    actor=clinician,
                    problem_id=problem.pk,
                    domain="resilience",
                    patient_words="Sleep through the night",
                    clinical_wording="Improve sleep hygiene; 6+ hours on 5 nights a week",
                )
                plans.objective_add(
                    actor=clinician,
                    goal_id=goal.pk,
                    description="Keep a sleep diary for two weeks",
                    target_date=program_today(episode.program) + timedelta(days=14),
                )
                plans.intervention_add(
                    actor=clinician,
                    goal_id=goal.pk,
                    modality="psychoeducation",
                    minutes_per_session=60,
                    sessions_per_week=1,
                    duration_weeks=4,
                    responsible=clinician,
                )
                plans.plan_sign_clinician(actor=clinician, plan_id=draft.pk)
    _fresh_closed_referrals(clinic, today)


def _fresh_closed_referrals(clinic: DemoClinic, today) -> None:
    """Make sure declined and referred-elsewhere referrals are on the board, via the services."""
    intake_user = clinic.users["intake"]
    received = today - timedelta(days=4)
    cases = [
        ("Noel", "Garnet", "declined", "Chose to stay with their current therapist"),
        ("Remy", "Oakes", "referred_elsewhere", "Needs withdrawal management first"),
    ]
    for first, last, state, reason in cases:
        referral = intake.referral_create(
            actor=intake_user,
            program_id=clinic.programs["sud"].pk,
            source="primary_care",
            reason="Referred by primary care (synthetic)",
            received_on=received,
            patient_data={
                "legal_first_name": first,
                "legal_last_name": last,
                "date_of_birth": today.replace(year=today.year - 34, day=1),
                "sex_assigned_at_birth": "declined",
            },
            confirm_not_duplicate=True,
        )
        intake.referral_contact_record(
            actor=intake_user, referral_id=referral.pk, method="phone", outcome="reached"
        )
        intake.referral_transition(
            actor=intake_user,
            referral_id=referral.pk,
            to_state=state,
            # Closed on a working day, as the program's staff would: on a weekend the service's
            # own day (the program's today) would close the episode on a Saturday or Sunday.
            effective_date=working_day(today, today),
            reason=reason,
            referred_to="Synthetic Withdrawal Center" if state == "referred_elsewhere" else "",
            level_of_care="inpatient" if state == "referred_elsewhere" else "",
        )
