"""A patient four weeks into an IOP, with the record milestones are earned from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from stepwell.accounts.models import Role, UserKind
from stepwell.care.models import Attendance
from stepwell.clinic.time import program_today
from stepwell.measures.models import Administration
from stepwell.patients.models import CareTeamMember, Episode, EpisodeState, Patient
from stepwell.plans.models import Goal, Objective, Problem, TreatmentPlan
from stepwell.schedule.models import CurriculumModule, SessionOccurrence
from stepwell.testing.factories import EpisodeFactory, ProgramFactory, UserFactory


@dataclass
class Journey:
    program: object
    patient: Patient
    episode: Episode
    clinician: object  # clinician of the program, on the care team
    facilitator: object
    today: date
    first_monday: date
    occurrences: list


def build_journey(*, weeks: int = 4, portal: bool = False, phq9=(18, 12, 9)) -> Journey:
    """Admitted on the Monday `weeks` weeks before this week; three 3-hour groups a week
    (Mon, Wed, Fri, 9:00 program time) all attended; PHQ-9 each week from `phq9`; one
    objective achieved on a signed plan; both curriculum modules attended."""
    program = ProgramFactory()
    today = program_today(program)
    first_monday = today - timedelta(days=today.weekday(), weeks=weeks)
    clinician = UserFactory(roles=[Role.CLINICIAN], programs=[program])
    facilitator = UserFactory(roles=[Role.CLINICIAN], programs=[program])
    episode = EpisodeFactory(
        program=program,
        state=EpisodeState.ACTIVE,
        referred_on=first_monday - timedelta(days=7),
        admitted_on=first_monday,
    )
    patient = episode.patient
    if portal:
        patient.user = UserFactory(kind=UserKind.PATIENT)
        patient.save()
    CareTeamMember.objects.create(patient=patient, user=clinician, team_role="primary_clinician")
    modules = [
        CurriculumModule.objects.create(program=program, position=n, title=title)
        for n, title in enumerate(("Understanding anxiety", "Sleep and mood"), start=1)
    ]
    zone = ZoneInfo(program.timezone)
    occurrences = []
    for week in range(weeks):
        monday = first_monday + timedelta(weeks=week)
        for offset in (0, 2, 4):
            starts = datetime.combine(monday + timedelta(days=offset), time(9), tzinfo=zone)
            occurrence = SessionOccurrence.objects.create(
                program=program,
                kind="process_group",
                title="Process group",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                curriculum_module=modules[week % 2] if offset == 0 else None,
            )
            occurrence.facilitators.set([facilitator])
            Attendance.objects.create(
                occurrence=occurrence,
                patient=patient,
                status="present",
                minutes_attended=180,
                check_in_at=starts,
                check_out_at=starts + timedelta(hours=3),
                session_starts_at=starts,
                session_ends_at=starts + timedelta(hours=3),
            )
            occurrences.append(occurrence)
    for n, total in enumerate(phq9):
        moment = timezone.make_aware(
            datetime.combine(first_monday + timedelta(weeks=n, days=1), time(12))
        )
        Administration.objects.create(
            patient=patient,
            episode=episode,
            instrument_key="phq9",
            status="completed",
            total=total,
            answers={},
            completed_at=moment,
        )
    plan = TreatmentPlan.objects.create(
        patient=patient,
        episode=episode,
        version=1,
        status="signed",
        review_days=30,
        signed_at=timezone.make_aware(datetime.combine(first_monday + timedelta(days=3), time(12))),
        created_by=clinician,
    )
    problem = Problem.objects.create(plan=plan, statement="Low mood most days")
    goal = Goal.objects.create(
        problem=problem,
        domain="mental_health",
        patient_words="Feel like myself again",
        clinical_wording="Reduce depressive symptoms",
    )
    Objective.objects.create(
        goal=goal,
        description="Walk 20 minutes three times a week",
        target_date=today,
        status="achieved",
    )
    return Journey(
        program=program,
        patient=patient,
        episode=episode,
        clinician=clinician,
        facilitator=facilitator,
        today=today,
        first_monday=first_monday,
        occurrences=occurrences,
    )
