"""The small synthetic clinic of the `clinic` test fixture (conftest.py): two programs and
every role. build_clinic() makes it for a fixture of a wider scope too."""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import EpisodeState
from stepwell.testing.factories import (
    CareTeamMemberFactory,
    EpisodeFactory,
    PatientFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
)


@dataclass
class Clinic:
    program_a: object
    program_b: object
    clinician_a: object
    clinician_b: object
    prescriber_a: object
    nurse_a: object
    intake_a: object
    director_a: object
    billing_a: object
    admin: object
    patient_a: object
    patient_b: object
    episode_a: object
    episode_b: object
    patient_user_a: object
    patient_user_b: object
    team_patient_b: object  # a program-B patient on clinician_a's care team


def build_clinic() -> Clinic:
    site = SiteFactory()
    program_a = ProgramFactory(site=site, name="Adult MH")
    program_b = ProgramFactory(site=site, name="Substance Use", track="substance_use")
    clinician_a = UserFactory(
        username="clin_a", roles=[Role.CLINICIAN], programs=[program_a], credentials="LCSW"
    )
    patient_user_a = UserFactory(username="pat_a", kind=UserKind.PATIENT)
    patient_user_b = UserFactory(username="pat_b", kind=UserKind.PATIENT)
    patient_a = PatientFactory(
        legal_first_name="Avery", legal_last_name="Alder", user=patient_user_a
    )
    patient_b = PatientFactory(
        legal_first_name="Blake", legal_last_name="Birch", user=patient_user_b
    )
    team_patient_b = PatientFactory(legal_first_name="Casey", legal_last_name="Cedar")
    episode_a = EpisodeFactory(patient=patient_a, program=program_a, state=EpisodeState.ACTIVE)
    episode_a.admitted_on = episode_a.referred_on
    episode_a.save()
    episode_b = EpisodeFactory(patient=patient_b, program=program_b, state=EpisodeState.REFERRED)
    EpisodeFactory(patient=team_patient_b, program=program_b, state=EpisodeState.REFERRED)
    CareTeamMemberFactory(patient=team_patient_b, user=clinician_a)
    return Clinic(
        program_a=program_a,
        program_b=program_b,
        clinician_a=clinician_a,
        clinician_b=UserFactory(username="clin_b", roles=[Role.CLINICIAN], programs=[program_b]),
        prescriber_a=UserFactory(
            username="presc_a", roles=[Role.PRESCRIBER], programs=[program_a], credentials="MD"
        ),
        nurse_a=UserFactory(username="nurse_a", roles=[Role.NURSE], programs=[program_a]),
        intake_a=UserFactory(
            username="intake_a", roles=[Role.INTAKE_COORDINATOR], programs=[program_a]
        ),
        director_a=UserFactory(
            username="dir_a", roles=[Role.PROGRAM_DIRECTOR], programs=[program_a]
        ),
        billing_a=UserFactory(username="bill_a", roles=[Role.BILLING], programs=[program_a]),
        admin=UserFactory(
            username="admin", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True
        ),
        patient_a=patient_a,
        patient_b=patient_b,
        episode_a=episode_a,
        episode_b=episode_b,
        patient_user_a=patient_user_a,
        patient_user_b=patient_user_b,
        team_patient_b=team_patient_b,
    )
