"""Gather one patient's record, limited to an export scope, as validated FHIR resources.

Callers have decided what the user may export (privacy.access.interop); this module
only reads. Each item of the record belongs to an episode: by its own episode (plans,
questionnaires, assessments) or by its program and date (appointments, sessions,
notes). An item is taken when every episode it could belong to is in the scope, and is
labelled Part 2 when any of them is in a Part 2 program (docs/clinical-sources.md §5).
Psychotherapy notes are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from stepwell.accounts.models import UserKind
from stepwell.clinic.time import program_today
from stepwell.consent.terms import is_substance_use_code
from stepwell.intake.models import AssessmentDiagnosis, AssessmentStatus
from stepwell.patients.models import CareTeamRole, Episode
from stepwell.plans.models import PlanStatus, TreatmentPlan
from stepwell.plans.selectors import missing_signatures
from stepwell.privacy.access.interop import ExportScope

from .builders import care, plans
from .builders.base import ResourceSet, reference
from .builders.documents import provenance_resource
from .builders.people import (
    organization_resource,
    patient_resource,
    practitioner_resource,
    program_organization_id,
    program_organization_resource,
    staff_display,
)
from .record_consents import collect_consents
from .record_meds import collect_medications
from .record_sessions import collect_measures, collect_notes, collect_sessions

# The dated parts of the record, in bundle order; an area adds its collect_<area>(collector)
# here. Medications and allergies (MedicationStatement, AllergyIntolerance) are in
# record_meds.py, consents (Consent) in record_consents.py; drug tests are not exported yet.
SECTIONS = (
    collect_measures,
    collect_sessions,
    collect_notes,
    collect_medications,
    collect_consents,
)


@dataclass(frozen=True)
class Placement:
    include: bool
    part2: bool
    episode: Episode | None


class RecordCollector:
    """Builds the resources of one patient's record into a ResourceSet."""

    def __init__(self, patient, scope: ExportScope, *, now: datetime | None = None):
        self.patient = patient
        self.scope = scope
        self.now = now or timezone.now()
        self.resources = ResourceSet()
        self.all_episodes = list(
            patient.episodes.select_related("program__site__organization").order_by(
                "referred_on", "pk"
            )
        )
        self.scoped = {e.pk: e for e in scope.episodes}
        self.scoped_episodes = [e for e in self.all_episodes if e.pk in self.scoped]
        self.patient_ref = care.patient_reference(patient)
        self.any_part2 = any(e.program.part2_program for e in self.scoped_episodes)
        self.conditions: dict[int, tuple[dict, AssessmentDiagnosis]] = {}
        self.encounters: dict[tuple[str, int], dict] = {}
        self.skipped: dict[str, int] = {}

    # --- shared -------------------------------------------------------------------------

    def practitioner(self, user) -> dict | None:
        if user is None or user.kind != UserKind.STAFF:
            return None
        self.resources.add(practitioner_resource(user))
        return reference("Practitioner", user.pk, staff_display(user))

    def program(self, program) -> dict:
        self.resources.add(organization_resource(program.site.organization))
        self.resources.add(program_organization_resource(program))
        return reference("Organization", program_organization_id(program), program.name)

    def place(self, *, program=None, moment: datetime | date | None = None) -> Placement:
        """Which episodes an item dated `moment` in `program` can belong to."""
        owners = []
        for episode in self.all_episodes:
            if program is not None and episode.program_id != program.pk:
                continue
            if moment is not None:
                local = moment
                if isinstance(moment, datetime):
                    local = program_today(episode.program, moment)
                if local < episode.referred_on:
                    continue
                if episode.discharged_on and local > episode.discharged_on:
                    continue
            owners.append(episode)
        if not owners:
            part2 = program.part2_program if program is not None else self.any_part2_anywhere
            return Placement(self.scope.whole_record, part2, None)
        return Placement(
            include=all(o.pk in self.scoped for o in owners),
            part2=any(o.program.part2_program for o in owners),
            episode=owners[0] if len(owners) == 1 else None,
        )

    def of_episode(self, episode: Episode | None) -> Placement:
        if episode is None:
            return Placement(self.scope.whole_record, self.any_part2_anywhere, None)
        return Placement(episode.pk in self.scoped, episode.program.part2_program, episode)

    @property
    def any_part2_anywhere(self) -> bool:
        return any(e.program.part2_program for e in self.all_episodes)

    def episode_ref(self, episode: Episode | None) -> dict | None:
        if episode is None or episode.pk not in self.scoped:
            return None
        return reference("EpisodeOfCare", episode.pk)

    # --- the record ---------------------------------------------------------------------

    def collect(self) -> ResourceSet:
        self.resources.add(patient_resource(self.patient, part2=self.any_part2))
        signed_plans = self._signed_plans()
        for plan in signed_plans:
            for problem in plan.problems.all():
                for diagnosis in problem.diagnoses.all():
                    self.condition(diagnosis)
        for diagnosis in AssessmentDiagnosis.objects.filter(
            assessment__episode__in=self.scoped_episodes,
            assessment__status=AssessmentStatus.SIGNED,
        ).order_by("assessment__signed_at", "pk"):
            self.condition(diagnosis)
        for episode in self.scoped_episodes:
            self._episode_of_care(episode)
        for plan in signed_plans:
            self._care_plan(plan)
        for section in SECTIONS:
            section(self)
        self._assessment_provenance()
        return self.resources

    def condition(self, diagnosis: AssessmentDiagnosis) -> dict:
        if diagnosis.pk in self.conditions:
            return self.conditions[diagnosis.pk][0]
        assessment = diagnosis.assessment
        placement = self.of_episode(assessment.episode)
        resource = care.condition_resource(
            diagnosis,
            assessment=assessment,
            patient_ref=self.patient_ref,
            recorder_ref=self.practitioner(assessment.signed_by or assessment.created_by),
            # a substance-use diagnosis is a Part 2 record in any program (consent.terms)
            part2=placement.part2 or is_substance_use_code(diagnosis.code),
        )
        self.resources.add(resource)
        ref = reference("Condition", resource["id"], diagnosis.code)
        self.conditions[diagnosis.pk] = (ref, diagnosis)
        return ref

    def _episode_of_care(self, episode: Episode) -> None:
        primary = (
            self.patient.care_team.filter(team_role=CareTeamRole.PRIMARY_CLINICIAN)
            .select_related("user")
            .first()
        )
        condition_refs = [
            (ref, diagnosis.primary)
            for ref, diagnosis in self.conditions.values()
            if diagnosis.assessment.episode_id == episode.pk
        ]
        self.resources.add(
            care.episode_of_care_resource(
                episode,
                patient_ref=self.patient_ref,
                program_ref=self.program(episode.program),
                care_manager_ref=self.practitioner(primary.user) if primary else None,
                condition_refs=condition_refs,
                part2=episode.program.part2_program,
            )
        )

    def _signed_plans(self) -> list[TreatmentPlan]:
        """The latest signed version of each episode's plan; drafts never leave."""
        result = []
        for episode in self.scoped_episodes:
            plan = (
                TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.SIGNED)
                .order_by("-version")
                .prefetch_related(
                    "problems__diagnoses__assessment",
                    "problems__goals__objectives__status_updates",
                    "problems__goals__interventions__responsible",
                    "signatures__signer",
                )
                .first()
            )
            if plan is not None:
                result.append(plan)
        return result

    def _care_plan(self, plan: TreatmentPlan) -> None:
        from stepwell.measures.selectors import instrument_for

        episode = self.scoped[plan.episode_id]
        part2 = episode.program.part2_program
        active = episode.state != "discharged"
        signatures = list(plan.signatures.all())
        clinician = next((s for s in signatures if s.role == "clinician"), None)
        instruments = {}
        performers = {}
        goal_refs = []
        for problem in plan.problems.all():
            condition_refs = [self.condition(d) for d in problem.diagnoses.all()]
            for goal in problem.goals.all():
                for objective in goal.objectives.all():
                    if objective.instrument and objective.instrument not in instruments:
                        try:
                            instruments[objective.instrument] = instrument_for(objective.instrument)
                        except LookupError:
                            instruments[objective.instrument] = None
                for intervention in goal.interventions.all():
                    performers[intervention.responsible_id] = self.practitioner(
                        intervention.responsible
                    )
                total_codes = plans.total_codes_of({k: v for k, v in instruments.items() if v})
                self.resources.add(
                    plans.goal_resource(
                        goal,
                        patient_ref=self.patient_ref,
                        condition_refs=condition_refs,
                        total_codes=total_codes,
                        active=active,
                        start=plan.signed_at.date(),
                        part2=part2,
                    )
                )
                goal_refs.append(reference("Goal", goal.pk))
        all_conditions = [
            self.condition(d) for problem in plan.problems.all() for d in problem.diagnoses.all()
        ]
        self.resources.add(
            plans.care_plan_resource(
                plan,
                patient_ref=self.patient_ref,
                author_ref=self.practitioner(clinician.signer) if clinician else None,
                condition_refs=all_conditions,
                performer_refs=performers,
                missing_signatures=missing_signatures(plan),
                active=active,
                part2=part2,
            )
        )
        targets = [reference("CarePlan", plan.pk), *goal_refs]
        for signature in signatures:
            self.resources.add(
                provenance_resource(
                    resource_id=f"plan-{plan.pk}-{signature.role}",
                    targets=targets,
                    recorded=signature.signed_at,
                    agents=self._plan_signature_agents(signature),
                    part2=part2,
                )
            )

    def _plan_signature_agents(self, signature) -> list[tuple[str, str, dict, str]]:
        staff = self.practitioner(signature.signer)
        if signature.role == "clinician":
            return [("author", "Author", staff, "Clinician's signature")]
        if signature.role == "physician":
            return [("verifier", "Verifier", staff, "Physician's signature and certification")]
        how = signature.get_method_display().lower()
        agents = [("attester", "Attester", self.patient_ref, f"Patient's agreement ({how})")]
        if signature.method == "in_person" and staff is not None:
            agents.append(("enterer", "Enterer", staff, "Witnessed the patient's signature"))
        return agents

    def _assessment_provenance(self) -> None:
        by_assessment: dict[int, list[dict]] = {}
        assessments = {}
        for ref, diagnosis in self.conditions.values():
            assessment = diagnosis.assessment
            if assessment.signed_at is None:
                continue
            by_assessment.setdefault(assessment.pk, []).append(ref)
            assessments[assessment.pk] = assessment
        for pk, targets in by_assessment.items():
            assessment = assessments[pk]
            author = self.practitioner(assessment.signed_by)
            if author is None:
                continue
            self.resources.add(
                provenance_resource(
                    resource_id=f"assessment-{pk}",
                    targets=targets,
                    recorded=assessment.signed_at,
                    agents=[("author", "Author", author, "Intake assessment signed")],
                    part2=self.of_episode(assessment.episode).part2,
                )
            )
