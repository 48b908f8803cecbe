"""A clinic chain for measuring at scale: `stepwell seed-demo --patients N`.

Adds three sites with two programs each (mental health and substance use), two clinicians
and a director per site, and N synthetic patients spread over the programs and the past
year: about 60% in treatment (admitted in the last eight weeks), 25% discharged during the
year, 15% referred and waiting. Each patient has one episode with its state history and a
primary clinician on the care team; each episode admitted five days or more before today
(or its discharge) has a signed treatment plan (a problem and a goal, signed by the
clinician and the patient five days after admission, reviewed four weeks after), as a
clinic's would, so the plan worklist and the chart read what they would in practice. Rows
go in with bulk inserts, a batch at a time, not one save per row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from stepwell.accounts.models import Role
from stepwell.clinic.models import Organization, Program, Site, Track
from stepwell.clinic.services import program_create
from stepwell.patients.models import (
    CareTeamMember,
    CareTeamRole,
    Disposition,
    Episode,
    EpisodeEvent,
    EpisodeState,
    Patient,
    SexAssignedAtBirth,
)
from stepwell.plans.models import (
    Goal,
    GoalDomain,
    PlanReview,
    PlanSignature,
    PlanStatus,
    Problem,
    ReviewOutcome,
    SignatureMethod,
    SignatureRole,
    TreatmentPlan,
)

from .clinic import DEMO_ACTOR, _staff

SITES = ("Lakeside Clinic", "Hillcrest Clinic", "Harbor Clinic")
PROGRAMS = (("Mental Health IOP", Track.MENTAL_HEALTH), ("Substance Use IOP", Track.SUBSTANCE_USE))
FIRST = ("Alex", "Blair", "Cameron", "Devon", "Emery", "Finley", "Gray", "Harper", "Indy", "Jules")
LAST = ("Adams", "Brooks", "Chen", "Diaz", "Evans", "Foster", "Garcia", "Hughes", "Ito", "Jones")
SEXES = (SexAssignedAtBirth.FEMALE, SexAssignedAtBirth.MALE, SexAssignedAtBirth.UNKNOWN)
BATCH = 1000
SIGNED_AFTER = timedelta(days=5)  # from admission to the signed plan
REVIEWED_AFTER = timedelta(days=28)  # from signing to the first review (every 30 days)
PROBLEMS = {
    Track.MENTAL_HEALTH: (
        "Low mood and worry keep the patient from work most days.",
        GoalDomain.MENTAL_HEALTH,
        "Get back to work three days a week.",
    ),
    Track.SUBSTANCE_USE: (
        "Daily drinking has cost the patient their driving licence.",
        GoalDomain.ADDICTION_RECOVERY,
        "Stay sober and get my licence back.",
    ),
}


@dataclass(frozen=True)
class Chain:
    sites: list[Site]
    programs: list[Program]
    patients: int


def _in_batches(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


@transaction.atomic
def build_chain(*, patients: int, seed: int, today: date) -> Chain:
    """N patients over three more sites of the demo organization (see the module doc)."""
    if patients < 1:
        raise ValueError("patients: give at least 1")
    rng = random.Random(seed)
    organization = Organization.objects.get()
    sites, programs, clinicians = [], [], {}
    for number, name in enumerate(SITES, start=1):
        site = Site.objects.create(
            organization=organization, name=name, address=f"{number}00 Chain Rd, Springfield"
        )
        sites.append(site)
        here = [
            program_create(
                actor=DEMO_ACTOR, site=site, name=f"{name.split()[0]} {label}", track=track
            )
            for label, track in PROGRAMS
        ]
        programs += here
        _staff(f"chaindir{number}", "Robin", name.split()[0], "PsyD",
               roles={Role.PROGRAM_DIRECTOR}, programs=here)  # fmt: skip
        team = [
            _staff(
                f"chainclin{number}{k}",
                FIRST[k],
                name.split()[0],
                "LCSW",
                roles={Role.CLINICIAN},
                programs=here,
            )
            for k in range(2)
        ]
        for program in here:
            clinicians[program.pk] = team

    rows = [
        Patient(
            mrn=f"SC{index:08d}",
            legal_first_name=rng.choice(FIRST),
            legal_last_name=f"{rng.choice(LAST)}-{index}",
            date_of_birth=date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)),
            sex_assigned_at_birth=rng.choice(SEXES),
        )
        for index in range(1, patients + 1)
    ]
    _in_batches(Patient, rows)
    created = list(Patient.objects.filter(mrn__startswith="SC").order_by("mrn"))

    episodes, plans = [], []
    for index, patient in enumerate(created):
        program = programs[index % len(programs)]
        draw = rng.random()
        if draw < 0.6:
            admitted = today - timedelta(days=rng.randint(0, 55))
            referred = admitted - timedelta(days=rng.randint(1, 14))
            state, discharged = EpisodeState.ACTIVE, None
        elif draw < 0.85:
            discharged = today - timedelta(days=rng.randint(1, 300))
            admitted = discharged - timedelta(days=rng.randint(21, 63))
            referred = admitted - timedelta(days=rng.randint(1, 14))
            state = EpisodeState.DISCHARGED
        else:
            referred = today - timedelta(days=rng.randint(0, 20))
            admitted, discharged, state = None, None, EpisodeState.REFERRED
        episodes.append(
            Episode(
                patient=patient,
                program=program,
                state=state,
                referred_on=referred,
                admitted_on=admitted,
                discharged_on=discharged,
                discharge_disposition=Disposition.COMPLETED if discharged else "",
                discharge_reason="Completed the program." if discharged else "",
            )
        )
        plans.append((referred, admitted, discharged))
    _in_batches(Episode, episodes)
    saved = Episode.objects.filter(patient__mrn__startswith="SC").order_by("patient__mrn")

    events, members = [], []
    for episode, (referred, admitted, discharged) in zip(saved, plans, strict=True):
        steps = [("", EpisodeState.REFERRED, referred)]
        if admitted:
            steps.append((EpisodeState.REFERRED, EpisodeState.ACTIVE, admitted))
        if discharged:
            steps.append((EpisodeState.ACTIVE, EpisodeState.DISCHARGED, discharged))
        events += [
            EpisodeEvent(
                episode=episode,
                from_state=before,
                to_state=after,
                effective_date=day,
                disposition=Disposition.COMPLETED if after == EpisodeState.DISCHARGED else "",
            )
            for before, after, day in steps
        ]
        team = clinicians[episode.program_id]
        members.append(
            CareTeamMember(
                patient_id=episode.patient_id,
                user=team[episode.patient_id % 2],
                team_role=CareTeamRole.PRIMARY_CLINICIAN,
            )
        )
    _in_batches(EpisodeEvent, events)
    _in_batches(CareTeamMember, members)
    _plans(saved, plans, clinicians, today)
    return Chain(sites=sites, programs=programs, patients=len(created))


def _plans(episodes, dates, clinicians, today: date) -> None:
    """A signed plan for each episode admitted long enough ago (see the module doc): its
    problem and goal go in while it is a draft, as a signed plan's content is locked."""
    chosen = []
    for episode, (_, admitted, discharged) in zip(episodes, dates, strict=True):
        if admitted is not None and admitted + SIGNED_AFTER <= (discharged or today):
            chosen.append((episode, admitted + SIGNED_AFTER))
    _in_batches(
        TreatmentPlan,
        [
            TreatmentPlan(
                patient_id=episode.patient_id,
                episode=episode,
                version=1,
                review_days=30,
                created_by=clinicians[episode.program_id][episode.patient_id % 2],
            )
            for episode, _ in chosen
        ],
    )
    by_episode = {
        plan.episode_id: plan
        for plan in TreatmentPlan.objects.filter(patient__mrn__startswith="SC")
    }
    tracks = dict(Program.objects.values_list("pk", "track"))
    _in_batches(
        Problem,
        [
            Problem(plan=by_episode[episode.pk], statement=PROBLEMS[tracks[episode.program_id]][0])
            for episode, _ in chosen
        ],
    )
    problems = {p.plan_id: p for p in Problem.objects.filter(plan__patient__mrn__startswith="SC")}
    goals, signatures, reviews = [], [], []
    for episode, signed_on in chosen:
        plan = by_episode[episode.pk]
        _, domain, words = PROBLEMS[tracks[episode.program_id]]
        goals.append(
            Goal(
                problem=problems[plan.pk],
                domain=domain,
                patient_words=words,
                clinical_wording=words,
            )
        )
        plan.status = PlanStatus.SIGNED
        plan.signed_at = datetime.combine(signed_on, time(18, 0), tzinfo=UTC)
        clinician = clinicians[episode.program_id][episode.patient_id % 2]
        signatures += [
            PlanSignature(
                plan=plan,
                role=SignatureRole.CLINICIAN,
                method=SignatureMethod.ELECTRONIC,
                signer=clinician,
                signer_name=clinician.get_full_name(),
                signed_at=plan.signed_at,
            ),
            PlanSignature(
                plan=plan,
                role=SignatureRole.PATIENT,
                method=SignatureMethod.IN_PERSON,
                signer=clinician,
                signer_name=f"Patient {episode.patient_id}",
                signed_at=plan.signed_at,
            ),
        ]
        if signed_on + REVIEWED_AFTER <= today:
            reviews.append(
                PlanReview(
                    plan=plan,
                    reviewed_on=signed_on + REVIEWED_AFTER,
                    outcome=ReviewOutcome.CONTINUE,
                    note="Progress reviewed; continue.",
                    reviewer=clinician,
                )
            )
    _in_batches(Goal, goals)
    TreatmentPlan.objects.bulk_update(
        list(by_episode.values()), ["status", "signed_at"], batch_size=BATCH
    )
    _in_batches(PlanSignature, signatures)
    _in_batches(PlanReview, reviews)
