"""The synthetic demo clinic: deterministic from a seed, built through the services.

Every name, date and number here is invented. Never put real patient data in the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from stepwell.accounts.models import Role, User, UserKind
from stepwell.clinic.models import Organization, Program, Site, Track
from stepwell.clinic.services import grants_everywhere, program_create, staff_privileges_set
from stepwell.clinic.time import zone_today
from stepwell.patients import services as patient_services
from stepwell.patients.models import CareTeamRole, Disposition, EpisodeState, Patient
from stepwell.privacy.actors import system_actor
from stepwell.privacy.audit import audit_batch

from .billing import PAYERS, add_coverage, choose_payer, seed_payers

DEMO_ACTOR = system_actor("seed-demo")
DEMO_ZONE = "America/Chicago"  # the demo's programs' time zone: its "today"
DEMO_PASSWORD = "stepwell-demo"  # noqa: S105 - the documented demo password, refused outside demo settings

FIRST_NAMES = [
    "Avery",
    "Jordan",
    "Riley",
    "Morgan",
    "Casey",
    "Quinn",
    "Rowan",
    "Skyler",
    "Harper",
    "Emerson",
    "Dakota",
    "Reese",
    "Finley",
    "Sage",
    "Parker",
    "Elliot",
    "Hayden",
    "Kendall",
    "Logan",
    "Marley",
    "Noel",
    "Oakley",
    "Peyton",
    "Remy",
    "Shiloh",
    "Tatum",
    "Blake",
    "Cameron",
    "Drew",
    "Ellis",
]
LAST_NAMES = [
    "Alder",
    "Birch",
    "Cedar",
    "Dunmore",
    "Ellery",
    "Fairbank",
    "Garnet",
    "Hollis",
    "Ivers",
    "Juniper",
    "Kestrel",
    "Larkin",
    "Marsh",
    "Norwood",
    "Oakes",
    "Pennant",
    "Quarry",
    "Rook",
    "Sorrel",
    "Thorne",
    "Upton",
    "Vale",
    "Wren",
    "Yarrow",
    "Zephyr",
    "Ashby",
    "Brook",
    "Colby",
    "Dell",
    "Fenwick",
]
PRONOUNS = ["she/her", "he/him", "they/them", "she/they", "he/they", ""]
STATE_PLAN = [
    (EpisodeState.REFERRED, 10),
    (EpisodeState.SCREENING, 8),
    (EpisodeState.ASSESSED, 8),
    (EpisodeState.ADMITTED, 6),
    (EpisodeState.ACTIVE, 30),
    (EpisodeState.ON_HOLD, 6),
    (EpisodeState.DISCHARGED, 12),
]
PATH = [EpisodeState.SCREENING, EpisodeState.ASSESSED, EpisodeState.ADMITTED, EpisodeState.ACTIVE]


@dataclass
class DemoClinic:
    organization: Organization
    programs: dict[str, Program]
    users: dict[str, User] = field(default_factory=dict)
    patients: list[Patient] = field(default_factory=list)


def _staff(
    username: str,
    first: str,
    last: str,
    credentials: str,
    *,
    roles: set[str],
    programs: list[Program],
) -> User:
    user = User.objects.create_user(
        username=username,
        password=DEMO_PASSWORD,
        first_name=first,
        last_name=last,
        credentials=credentials,
        kind=UserKind.STAFF,
        email=f"{username}@demo.stepwell.invalid",
    )
    staff_privileges_set(
        actor=DEMO_ACTOR,
        staff=user,
        grants=grants_everywhere(roles, [p.pk for p in programs]),
        program_ids={p.pk for p in programs},
    )
    return user


@transaction.atomic
def build_demo_clinic(*, seed: int = 42, today: date | None = None) -> DemoClinic:
    # Its audit events as one batch (the chain head moves once), also when built alone.
    with audit_batch():
        return _build_demo_clinic(seed=seed, today=today)


def _build_demo_clinic(*, seed: int, today: date | None) -> DemoClinic:
    rng = random.Random(seed)
    today = today or zone_today(DEMO_ZONE)
    organization = Organization.objects.create(name="Stepwell Demo Behavioral Health")
    north = Site.objects.create(
        organization=organization, name="Northside Clinic", address="100 Example Ave, Springfield"
    )
    river = Site.objects.create(
        organization=organization, name="Riverside Clinic", address="200 Sample St, Springfield"
    )
    programs = {
        "mh": program_create(
            actor=DEMO_ACTOR, site=north, name="Adult Mental Health IOP", track=Track.MENTAL_HEALTH
        ),
        "sud": program_create(
            actor=DEMO_ACTOR, site=river, name="Substance Use IOP", track=Track.SUBSTANCE_USE
        ),
        "dual": program_create(
            actor=DEMO_ACTOR, site=north, name="Dual Diagnosis IOP", track=Track.DUAL_DIAGNOSIS
        ),
    }
    everything = list(programs.values())
    clinic = DemoClinic(organization=organization, programs=programs)
    u = clinic.users
    u["director"] = _staff(
        "director", "Dana", "Whitfield", "PsyD", roles={Role.PROGRAM_DIRECTOR}, programs=everything
    )
    u["intake"] = _staff(
        "intake", "Ivan", "Torres", "BA", roles={Role.INTAKE_COORDINATOR}, programs=everything
    )
    u["therapist"] = _staff(
        "therapist", "Theo", "Marsh", "LCSW", roles={Role.CLINICIAN}, programs=[programs["mh"]]
    )
    u["therapist2"] = _staff(
        "therapist2", "Tess", "Okafor", "LPC", roles={Role.CLINICIAN}, programs=[programs["sud"]]
    )
    u["prescriber"] = _staff(
        "prescriber", "Priya", "Nandakumar", "MD", roles={Role.PRESCRIBER}, programs=everything
    )
    u["billing"] = _staff(
        "billing", "Bo", "Lindqvist", "", roles={Role.BILLING}, programs=everything
    )
    u["admin"] = _staff("admin", "Ada", "Kowalski", "", roles={Role.ADMINISTRATOR}, programs=[])
    extra = [
        ("clinician3", "Cory", "Abernathy", "LMFT", {Role.CLINICIAN}, [programs["dual"]]),
        (
            "clinician4",
            "Mina",
            "Sato",
            "LCSW",
            {Role.CLINICIAN},
            [programs["dual"], programs["mh"]],
        ),
        (
            "counselor1",
            "Luis",
            "Ferreira",
            "LCADC",
            {Role.CLINICIAN},
            [programs["sud"], programs["dual"]],
        ),
        ("nurse1", "Nora", "Bright", "RN", {Role.NURSE}, [programs["mh"], programs["dual"]]),
        ("nurse2", "Omar", "Haddad", "RN", {Role.NURSE}, [programs["sud"]]),
        ("np1", "Grace", "Liu", "PMHNP", {Role.PRESCRIBER}, [programs["sud"], programs["dual"]]),
        (
            "director2",
            "Sam",
            "Reyes",
            "LCSW",
            {Role.PROGRAM_DIRECTOR, Role.CLINICIAN},
            [programs["sud"]],
        ),
        (
            "intake2",
            "Kim",
            "Novak",
            "",
            {Role.INTAKE_COORDINATOR},
            [programs["sud"], programs["dual"]],
        ),
    ]
    for username, first, last, credentials, roles, progs in extra:
        u[username] = _staff(username, first, last, credentials, roles=roles, programs=progs)

    clinicians = {
        "mh": [u["therapist"], u["clinician4"]],
        "sud": [u["therapist2"], u["counselor1"], u["director2"]],
        "dual": [u["clinician3"], u["clinician4"], u["counselor1"]],
    }
    prescribers = {
        "mh": [u["prescriber"]],
        "sud": [u["prescriber"], u["np1"]],
        "dual": [u["np1"], u["prescriber"]],
    }
    payers = seed_payers(clinic)
    keys = ["mh", "sud", "dual"]
    states = [state for state, count in STATE_PLAN for _ in range(count)]
    rng.shuffle(states)
    used_names: set[tuple[str, str]] = set()
    for index, target in enumerate(states):
        key = keys[index % 3]
        program = programs[key]
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in used_names:
                used_names.add((first, last))
                break
        age_days = rng.randint(19 * 365, 72 * 365)
        payer_key = choose_payer(rng, key, age_days // 365)
        payer = PAYERS[payer_key][0]
        insured = payer_key != "self_pay"
        referred_on = today - timedelta(
            days=rng.randint(3, 20)
            if target in PATH[:2] or target == EpisodeState.REFERRED
            else rng.randint(25, 90)
        )
        data = {
            "legal_first_name": first,
            "legal_last_name": last,
            "preferred_name": first[:3] if rng.random() < 0.15 else "",
            "pronouns": rng.choice(PRONOUNS),
            "date_of_birth": today - timedelta(days=age_days),
            "sex_assigned_at_birth": rng.choice(
                ["female", "male", "female", "male", "intersex", "declined"]
            ),
            "gender_identity": rng.choice(["", "woman", "man", "non-binary", ""]),
            "phone": f"555-01{index:02d}",
            "email": f"{first.lower()}.{last.lower()}@example.invalid",
            "address": f"{rng.randint(10, 999)} {rng.choice(LAST_NAMES)} Rd, Springfield",
            "emergency_contact_name": f"{rng.choice(FIRST_NAMES)} {last}",
            "emergency_contact_relationship": rng.choice(
                ["partner", "parent", "sibling", "friend"]
            ),
            "emergency_contact_phone": f"555-02{index:02d}",
            "insurance_payer": payer,
            "insurance_member_id": f"SYN{rng.randint(100000, 999999)}" if insured else "",
            "insurance_group_number": f"G{rng.randint(1000, 9999)}" if insured else "",
        }
        intake_user = u["intake"]
        registration = patient_services.patient_register(
            actor=intake_user, program_id=program.pk, data=data, referred_on=referred_on
        )
        patient, episode = registration.patient, registration.episode
        add_coverage(clinic, payers, patient, payer_key)
        clinic.patients.append(patient)
        _walk(rng, clinic, episode, target, today, key, clinicians, prescribers)
    _patient_logins(clinic)
    _care_team_across_programs(clinic)
    return clinic


def _walk(rng, clinic, episode, target, today, key, clinicians, prescribers) -> None:
    director = clinic.users["director"]
    day = episode.referred_on
    steps = []
    if target == EpisodeState.DISCHARGED:
        steps = PATH[:] if rng.random() < 0.75 else PATH[: rng.randint(0, 2)]
    elif target == EpisodeState.ON_HOLD:
        steps = [*PATH, EpisodeState.ON_HOLD]
    elif target != EpisodeState.REFERRED:
        steps = PATH[: PATH.index(target) + 1]
    admitted = False
    for state in steps:
        day = min(
            today, day + timedelta(days=rng.randint(1, 4) if not admitted else rng.randint(1, 2))
        )
        # Intake, admission and holds happen on weekdays (never before the referral).
        day = max(working_day(day, today), episode.referred_on)
        kwargs = {}
        if state == EpisodeState.ADMITTED:
            kwargs = {
                "level_of_care": rng.choice(
                    ["outpatient", "partial_hospitalization", "residential", "inpatient"]
                ),
                "reason": "Placement confirmed at intake assessment",
            }
            admitted = True
        if state == EpisodeState.ON_HOLD:
            kwargs = {
                "reason": rng.choice(
                    ["Medical leave (synthetic)", "Family emergency (synthetic)", "Travel for work"]
                )
            }
        if state == EpisodeState.ASSESSED:
            # Intake is never skipped: the signed assessment moves the episode to assessed
            # (and records the placement decision admission needs); dated as the walk goes.
            from .intake import assess

            assess(rng, clinic, episode, key)
            episode.events.filter(to_state=EpisodeState.ASSESSED).update(effective_date=day)
            continue
        if state == EpisodeState.ADMITTED:
            _assign_team(rng, clinic, episode, key, clinicians, prescribers)
        patient_services.episode_transition(
            actor=director, episode_id=episode.pk, to_state=state, effective_date=day, **kwargs
        )
    if target == EpisodeState.DISCHARGED:
        if admitted:
            disposition = rng.choice(
                [
                    Disposition.COMPLETED,
                    Disposition.COMPLETED,
                    Disposition.STEPPED_DOWN,
                    Disposition.STEPPED_UP,
                    Disposition.LEFT_AGAINST_ADVICE,
                ]
            )
        else:
            disposition = rng.choice([Disposition.ADMINISTRATIVE, Disposition.TRANSFERRED])
        level = {
            "stepped_down": "outpatient",
            "stepped_up": "partial_hospitalization",
            "transferred": "outpatient",
        }.get(disposition, "")
        end = working_day(min(today, day + timedelta(days=rng.randint(5, 40))), today)
        end = max(end, day)
        patient_services.episode_transition(
            actor=director,
            episode_id=episode.pk,
            to_state=EpisodeState.DISCHARGED,
            effective_date=end,
            reason={
                "completed": "Met treatment goals",
                "stepped_down": "Stable; continuing weekly outpatient therapy",
                "stepped_up": "Needs more structure",
                "left_against_advice": "Stopped attending",
                "administrative": "Chose another provider",
                "transferred": "Moved closer to family",
            }[disposition],
            disposition=disposition,
            level_of_care=level,
        )


def working_day(day: date, today: date) -> date:
    """Programs admit and discharge on weekdays: a weekend day moves to the Monday after,
    or, when that is still to come, to the Friday before."""
    if day.weekday() < 5:
        return day
    monday = day + timedelta(days=7 - day.weekday())
    return monday if monday <= today else day - timedelta(days=day.weekday() - 4)


def _assign_team(rng, clinic, episode, key, clinicians, prescribers) -> None:
    director = clinic.users["director"]
    patient = episode.patient
    patient_services.care_team_member_add(
        actor=director,
        patient_id=patient.pk,
        user_id=rng.choice(clinicians[key]).pk,
        team_role=CareTeamRole.PRIMARY_CLINICIAN,
    )
    patient_services.care_team_member_add(
        actor=director,
        patient_id=patient.pk,
        user_id=prescribers[key][0].pk,
        team_role=CareTeamRole.PRESCRIBER,
    )


def _patient_logins(clinic: DemoClinic) -> None:
    """patient1..patient5: the first admitted patients get portal logins."""
    admitted = [
        p for p in clinic.patients if p.episodes.filter(state__in=["admitted", "active"]).exists()
    ]
    for number, patient in enumerate(admitted[:5], start=1):
        user = User.objects.create_user(
            username=f"patient{number}",
            password=DEMO_PASSWORD,
            kind=UserKind.PATIENT,
            first_name=patient.legal_first_name,
            last_name=patient.legal_last_name,
        )
        patient.user = user
        patient.save(update_fields=["user"])
        clinic.users[f"patient{number}"] = user


def _care_team_across_programs(clinic: DemoClinic) -> None:
    """`therapist` (Adult MH) also treats two dual-diagnosis patients through their care team."""
    dual = [
        p
        for p in clinic.patients
        if p.episodes.filter(program=clinic.programs["dual"], state="active").exists()
    ]
    for patient in dual[:2]:
        if not patient.care_team.filter(user=clinic.users["therapist"]).exists():
            patient_services.care_team_member_add(
                actor=clinic.users["director"],
                patient_id=patient.pk,
                user_id=clinic.users["therapist"].pk,
                team_role=CareTeamRole.CLINICIAN,
            )


DEMO_LOGINS = [
    ("director", "Program director, all three programs"),
    ("intake", "Intake coordinator, all three programs"),
    (
        "therapist",
        "Clinician (LCSW), Adult Mental Health IOP, plus two dual-diagnosis patients by care team",
    ),
    ("therapist2", "Clinician (LPC), Substance Use IOP"),
    ("prescriber", "Prescriber (MD), all three programs"),
    ("billing", "Billing, all three programs (billing fields only)"),
    ("admin", "Administrator: clinic setup at /setup/, no clinical content"),
    ("patient1", "Patient portal (patient1 ... patient5)"),
    ("alumni1", "Alumnus portal: the alumni calendar, RSVPs, peer mentoring"),
]
