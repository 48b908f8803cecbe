"""What the demo's intake must hold (called by the demo test on its one build): a referral
in every state of the board, signed assessments, and a signed plan for everyone admitted."""

from __future__ import annotations

from stepwell.intake.models import IntakeAssessment, Referral, ReferralState
from stepwell.plans.models import TreatmentPlan


def check_referrals_in_every_state_and_signed_plans() -> None:
    states = set(Referral.objects.values_list("state", flat=True))
    assert states == set(ReferralState.values)
    assert IntakeAssessment.objects.filter(status="signed").count() > 20
    assert TreatmentPlan.objects.filter(status="signed", version=2).count() == 3
    admitted = Referral.objects.filter(state="admitted", episode__state__in=["admitted", "active"])
    assert admitted.exists()
    for referral in admitted:
        assert referral.episode.treatment_plans.filter(status="signed").exists()
