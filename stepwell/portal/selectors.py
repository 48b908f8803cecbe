"""Reads for the patient's own pages: a patient sees only themselves."""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.patients.models import CareTeamMember, Episode, Patient
from stepwell.plans.models import PlanStatus, TreatmentPlan
from stepwell.privacy.access.alumni import refuse_alumnus
from stepwell.privacy.access.patients import access_own_patient

SIGNED_PLANS_SHOWN = 3


@dataclass(frozen=True)
class PortalHome:
    patient: Patient
    episodes: list[Episode]
    care_team: list[CareTeamMember]
    plans: list[TreatmentPlan]  # the latest signed versions


def portal_home(*, user) -> PortalHome:
    """The logged-in patient's own program, care team and signed plans, or an audited
    refusal for anyone who is not a patient with a record."""
    patient = access_own_patient(user)
    refuse_alumnus(user, object_type="portal")  # an alumnus's page is alumni:portal-home
    return PortalHome(
        patient=patient,
        episodes=list(patient.episodes.select_related("program")),
        care_team=list(patient.care_team.select_related("user")),
        plans=list(
            patient.treatment_plans.filter(status=PlanStatus.SIGNED).order_by("-version")[
                :SIGNED_PLANS_SHOWN
            ]
        ),
    )
