"""A synthetic clinic with one of every kind of record, for the generated access matrix.

Two programs: A (adult mental health) and B (substance use, a 42 CFR Part 2 program).
Patients, by key:
- "A"  Avery Alder, admitted to A; care team: the A clinician, a B clinician (the
       "team_clinician") and the A prescriber. Has the portal login "patient".
- "A2" Dana Dogwood, admitted to A; care team: a counsellor of A only (another care team).
- "B"  Blake Birch, admitted to B; care team: the B clinician. Portal login "other_patient".
- "Ad", "Bd" Ellis Elm (A) and Frankie Fir (B): admitted, with a draft treatment plan.
- "RA", "RB" Rowan Rowe (A) and Robin Reed (B): referrals assessed, waiting for admission.

Each admitted patient (A, A2, B) has a referral, a signed intake assessment with its
placement decision, a draft reassessment, a signed treatment plan (goal, objective,
intervention), availability, a PHQ-9 with a safety alert, a questionnaire due, a group
session with attendance and a signed group note, an appointment with attendance, a
signed individual note that waits for a co-signature, a draft note, a psychotherapy note
and a calendar feed. Program A and B each have a next-week group, an optimizer run and a
bulk FHIR export.

Built through the services, acting as the staff who would do each step, so the records
are what the application itself makes (the clinical records in matrix_records.py). Used
by tests/access_matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import CareTeamRole
from stepwell.privacy.actors import system_actor

from .factories import CareTeamMemberFactory, SiteFactory, UserFactory

PHQ9_WITH_RISK = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 2, "phq9_10": 1}
ENGINE_INPUT_IOP = {
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
MISSING_ID = 987654321

# (first name, last name, program key, portal username or "")
PATIENTS = {
    "A": ("Avery", "Alder", "A", "patient"),
    "A2": ("Dana", "Dogwood", "A", ""),
    "B": ("Blake", "Birch", "B", "other_patient"),
    "Ad": ("Ellis", "Elm", "A", ""),
    "Bd": ("Frankie", "Fir", "B", ""),
    "RA": ("Rowan", "Rowe", "A", ""),
    "RB": ("Robin", "Reed", "B", ""),
}
ADMITTED = ("A", "A2", "B", "Ad", "Bd")
FULL_RECORD = ("A", "A2", "B")


@dataclass
class MatrixClinic:
    programs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    patients: dict = field(default_factory=dict)
    # kind of record -> key (usually the patient's key) -> id
    ids: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # one-time links and feed addresses
    weeks: dict = field(default_factory=dict)  # program key -> the ISO week of its next group
    export_files: dict = field(default_factory=dict)  # program key -> one NDJSON file name
    psychotherapy: list = field(default_factory=list)  # (author's key, the note's text)
    now: datetime | None = None

    def put(self, kind: str, key: str, record_id: int) -> None:
        self.ids.setdefault(kind, {})[key] = record_id

    @property
    def today(self) -> date:
        """The earliest of the programs' local dates: a date that is never in any program's
        future (the UTC date is a day ahead of American zones from midnight UTC)."""
        from stepwell.clinic.time import program_today

        return min(program_today(program, self.now) for program in self.programs.values())


def _staff(clinic: MatrixClinic) -> None:
    a, b = clinic.programs["A"], clinic.programs["B"]
    grants = {
        "clinician": ([(Role.CLINICIAN, a)], "LCSW"),
        "clinician_other": ([(Role.CLINICIAN, b)], "LPC"),
        "team_clinician": ([(Role.CLINICIAN, b)], "LCSW"),
        "prescriber": ([(Role.PRESCRIBER, a)], "MD"),
        "nurse": ([(Role.NURSE, a)], "RN"),
        "intake": ([(Role.INTAKE_COORDINATOR, a)], ""),
        "director": ([(Role.PROGRAM_DIRECTOR, a)], "LCSW"),
        "director_elsewhere": ([(Role.PROGRAM_DIRECTOR, b), (Role.NURSE, a)], "LCSW"),
        "billing": ([(Role.BILLING, a)], ""),
        # not role keys of the matrix: the author of the other care team's records
        "counsellor": ([(Role.CLINICIAN, a)], "LCADC"),
        "counsellor_b": ([(Role.CLINICIAN, b)], "LCADC"),
        "director_b": ([(Role.PROGRAM_DIRECTOR, b)], "LCSW"),
        "prescriber_b": ([(Role.PRESCRIBER, b)], "MD"),
        "intake_b": ([(Role.INTAKE_COORDINATOR, b)], ""),
    }
    for key, (pairs, credentials) in grants.items():
        clinic.users[key] = UserFactory(
            username=f"m_{key}",
            first_name=key.replace("_", " ").title(),
            last_name="Staff",
            credentials=credentials,
            grants=pairs,
        )
    clinic.users["administrator"] = UserFactory(
        username="m_administrator",
        roles=[Role.ADMINISTRATOR],
        is_staff=True,
        is_superuser=True,
    )
    # Django's own flags without Stepwell's administrator role: not an administrator.
    clinic.users["superuser"] = UserFactory(
        username="m_superuser", is_staff=True, is_superuser=True
    )
    for username in ("patient", "other_patient"):
        clinic.users[username] = UserFactory(username=f"m_{username}", kind=UserKind.PATIENT)


def _admit(clinic: MatrixClinic, key: str, *, coordinator, clinician, care_team) -> None:
    from stepwell.clinic.time import program_today
    from stepwell.intake import services as intake

    first, last, program_key, _ = PATIENTS[key]
    program = clinic.programs[program_key]
    today = program_today(program)
    referral = intake.referral_create(
        actor=coordinator,
        program_id=program.pk,
        source="primary_care",
        reason=f"Referral reason for {first}: low mood, missing work",
        urgency="priority",
        insurance="Synthetic Health Plan",
        received_on=today - timedelta(days=30),
        patient_data={
            "legal_first_name": first,
            "legal_last_name": last,
            "date_of_birth": today.replace(year=1988),
            "sex_assigned_at_birth": "female",
        },
    )
    patient = referral.patient
    clinic.patients[key] = patient
    clinic.put("referral", key, referral.pk)
    clinic.put("episode", key, referral.episode_id)
    intake.referral_contact_record(
        actor=clinician, referral_id=referral.pk, method="phone", outcome="reached"
    )
    assessment = intake.assessment_start(actor=clinician, episode_id=referral.episode_id)
    intake.assessment_update(
        actor=clinician,
        assessment_id=assessment.pk,
        data={
            "presenting_problems": "Depressed mood, poor sleep",
            "risk_level": "low",
            "patient_goals": "Back to work",
        },
    )
    intake.assessment_diagnosis_add(actor=clinician, assessment_id=assessment.pk, code="F33.1")
    intake.assessment_sign(actor=clinician, assessment_id=assessment.pk)
    clinic.put("assessment_signed", key, assessment.pk)
    decision = intake.placement_decide(
        actor=clinician, assessment_id=assessment.pk, engine_input=ENGINE_INPUT_IOP
    )
    clinic.put("decision", key, decision.pk)
    if care_team is None:
        return
    intake.admission_admit(
        actor=clinician,
        placement_decision_id=decision.pk,
        care_team=[(user.pk, role) for user, role in care_team],
        effective_date=today - timedelta(days=21),
    )


def intake_actor(clinic: MatrixClinic, program_key: str):
    return clinic.users["intake" if program_key == "A" else "intake_b"]


def _patients(clinic: MatrixClinic) -> None:
    u = clinic.users
    teams = {
        "A": (
            u["clinician"],
            [
                (u["clinician"], CareTeamRole.PRIMARY_CLINICIAN),
                (u["prescriber"], CareTeamRole.PRESCRIBER),
            ],
        ),
        "A2": (u["counsellor"], [(u["counsellor"], CareTeamRole.PRIMARY_CLINICIAN)]),
        "B": (u["clinician_other"], [(u["clinician_other"], CareTeamRole.PRIMARY_CLINICIAN)]),
        "Ad": (u["clinician"], [(u["clinician"], CareTeamRole.PRIMARY_CLINICIAN)]),
        "Bd": (u["clinician_other"], [(u["clinician_other"], CareTeamRole.PRIMARY_CLINICIAN)]),
        "RA": (u["clinician"], None),
        "RB": (u["clinician_other"], None),
    }
    for key, (clinician, team) in teams.items():
        program_key = PATIENTS[key][2]
        _admit(
            clinic,
            key,
            coordinator=intake_actor(clinic, program_key),
            clinician=clinician,
            care_team=team,
        )
    # The clinician of program B on Avery's care team (from another program).
    CareTeamMemberFactory(
        patient=clinic.patients["A"], user=u["team_clinician"], team_role=CareTeamRole.CLINICIAN
    )
    # The member each care-team removal takes off (the last one added).
    for key in ADMITTED:
        member = clinic.patients[key].care_team.order_by("-pk").first()
        clinic.put("care_team_member", key, member.pk)
    for key in ("A", "B"):
        patient = clinic.patients[key]
        patient.user = u["patient" if key == "A" else "other_patient"]
        patient.save(update_fields=["user"])


# Who writes each admitted patient's records: (clinician, prescriber) of the care team.
AUTHORS = {
    "A": ("clinician", "prescriber"),
    "A2": ("counsellor", "prescriber"),
    "B": ("clinician_other", "prescriber_b"),
    "Ad": ("clinician", "prescriber"),
    "Bd": ("clinician_other", "prescriber_b"),
}


def psychotherapy_text(key: str, author: str) -> str:
    return f"Private process material {author} wrote about {key}: the lighthouse dream"


def build_matrix_clinic() -> MatrixClinic:
    from stepwell.clinic.services import program_create

    from . import matrix_records

    clinic = MatrixClinic(now=timezone.now())
    site = SiteFactory(name="Matrix Site")
    builder = system_actor("matrix-clinic")
    clinic.programs["A"] = program_create(
        actor=builder, site=site, name="Adult MH IOP", track="mental_health"
    )
    clinic.programs["B"] = program_create(
        actor=builder, site=site, name="Substance Use IOP", track="substance_use"
    )
    _staff(clinic)
    _patients(clinic)
    for add in matrix_records.ADDITIONS:
        add(clinic)
    return clinic
