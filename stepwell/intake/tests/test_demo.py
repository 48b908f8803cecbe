import random
from zoneinfo import ZoneInfo

from django.utils import timezone

from stepwell.demo.clinic import build_demo_clinic
from stepwell.demo.intake import seed_intake
from stepwell.intake.models import IntakeAssessment, Referral, ReferralState
from stepwell.plans.models import TreatmentPlan


def test_demo_has_referrals_in_every_state_and_signed_plans(db):
    today = timezone.localdate(timezone=ZoneInfo("America/Chicago"))  # the demo programs' zone
    clinic = build_demo_clinic(seed=42, today=today)
    seed_intake(clinic, random.Random(1), today)
    states = set(Referral.objects.values_list("state", flat=True))
    assert states == set(ReferralState.values)
    assert IntakeAssessment.objects.filter(status="signed").count() > 20
    assert TreatmentPlan.objects.filter(status="signed", version=2).count() == 3
    admitted = Referral.objects.filter(state="admitted", episode__state__in=["admitted", "active"])
    for referral in admitted:
        assert referral.episode.treatment_plans.filter(status="signed").exists()
