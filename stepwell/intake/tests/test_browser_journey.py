"""A real-browser journey: referral -> assessment -> placement -> admission -> signed plan."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from stepwell.intake.models import Referral, ReferralState
from stepwell.plans.models import TreatmentPlan
from stepwell.testing.auth import verified_login


def _log_in(page, live_server, user):
    client = verified_login(Client(), user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.browser
def test_referral_to_signed_plan(transactional_db, live_server, clinic, browser_page):
    page = browser_page
    _log_in(page, live_server, clinic.clinician_a)

    page.goto(f"{live_server.url}/intake/referrals/new/")
    page.select_option("#id_program", str(clinic.program_a.pk))
    page.fill("#id_legal_first_name", "Marley")
    page.fill("#id_legal_last_name", "Pennant")
    page.fill("#id_date_of_birth", "1987-04-12")
    page.select_option("#id_sex_assigned_at_birth", "female")
    page.select_option("#id_source", "hospital_step_down")
    page.fill("#id_reason", "Stepping down after a short inpatient stay")
    page.click("button:has-text('Record referral')")
    page.wait_for_selector("[data-testid=referral-state]")
    assert page.inner_text("[data-testid=referral-state]") == "New"

    page.click("button:has-text('Start intake assessment')")
    page.wait_for_selector("[data-testid=assessment-form]")
    page.click("[data-testid=sign-assessment]")
    page.wait_for_selector("[data-testid=sign-errors]")
    assert "Add at least one diagnosis before signing." in page.inner_text(
        "[data-testid=sign-errors]"
    )
    page.fill("#id_presenting_problems", "Low mood and poor sleep since discharge")
    page.select_option("#id_risk_level", "low")
    page.fill("#id_patient_goals", "Keep my job and sleep through the night")
    page.click("button:has-text('Save draft')")
    page.wait_for_selector(".messages")
    page.fill("#id_code", "F50.2")
    page.click("button:has-text('Add diagnosis')")
    page.wait_for_selector("[data-testid=error-code]")
    assert "F50.2 (Bulimia nervosa) is a header" in page.inner_text("[data-testid=error-code]")
    page.fill("#id_code", "F33.1")
    page.click("button:has-text('Add diagnosis')")
    page.wait_for_selector("[data-testid=diagnoses] >> text=F33.1")
    assert "ICD-10-CM FY2026" in page.inner_text("[data-testid=diagnoses]")
    page.select_option("#availability select[name=weekday]", "1")
    page.fill("#availability input[name=start]", "17:00")
    page.fill("#availability input[name=end]", "20:00")
    page.click("button:has-text('Add window')")
    page.wait_for_selector("[data-testid=availability] >> text=Tuesday 17:00-20:00")
    page.click("[data-testid=sign-assessment]")
    page.wait_for_selector("[data-testid=assessment-status]:has-text('Signed')")

    page.click("a:has-text('Level-of-care recommendation')")
    # Filled in from the assessment: risk, no earlier care, the hospital step-down, the
    # availability window, and withdrawal and relapse as not applicable (mental health).
    assert page.input_value("#id_suicide_risk") == "low"
    assert page.input_value("#id_step_down_from") == "inpatient"
    assert page.input_value("#id_available_hours_per_week") == "3.0"
    assert page.input_value("#id_d1_withdrawal") == "na"
    page.click("button:has-text('Get recommendation')")
    page.wait_for_selector("#recommendation.alert")
    assert "Medically stable: This field is required." in page.inner_text("#recommendation")
    for dimension, rating in (("d2_biomedical", "0"), ("d3_emotional_behavioral", "2")):
        page.select_option(f"#id_{dimension}", rating)
    page.select_option("#id_d4_readiness", "1")
    page.select_option("#id_d6_recovery_environment", "1")
    page.select_option("#id_mental_health_severity", "moderately_severe")
    page.select_option("#id_functional_impairment", "moderate")
    page.select_option("#id_medically_stable", "yes")
    page.select_option("#id_needs_24h_structure", "no")
    page.fill("#id_available_hours_per_week", "12")
    page.fill("#id_available_days_per_week", "3")
    page.click("button:has-text('Get recommendation')")
    page.wait_for_selector("[data-testid=recommended-level]")
    assert page.inner_text("[data-testid=recommended-level]") == "intensive outpatient"
    page.click("[data-testid=decide]")
    page.wait_for_selector("[data-testid=admit]")
    page.select_option("#id_primary_clinician", str(clinic.clinician_a.pk))
    page.click("[data-testid=admit]")
    page.wait_for_selector("[data-testid=start-plan]")
    referral = Referral.objects.get()
    assert referral.state == ReferralState.ADMITTED

    page.click("[data-testid=start-plan]")
    page.wait_for_selector("[data-testid=problem-form]")
    page.fill("#id_p-statement", "Depressed mood interferes with work")
    page.click("button:has-text('Add problem')")
    page.wait_for_selector("[data-testid=goal-form]")
    page.select_option("[data-testid=goal-form] select[name$='-domain']", "mental_health")
    page.fill(
        "[data-testid=goal-form] textarea[name$='-patient_words']", "I want to enjoy things again"
    )
    page.fill(
        "[data-testid=goal-form] textarea[name$='-clinical_wording']", "Reduce depressive symptoms"
    )
    page.click("button:has-text('Add goal')")
    page.wait_for_selector("[data-testid=goal]")
    page.click("summary:has-text('Add objective')")
    target = (timezone.localdate() + timedelta(days=42)).isoformat()
    form = "[data-testid=objective-form]"
    page.fill(f"{form} textarea[name$='-description']", "PHQ-9 below 10")
    page.fill(f"{form} input[name$='-target_date']", target)
    page.select_option(f"{form} select[name$='-measure_kind']", "questionnaire_total")
    page.select_option(f"{form} select[name$='-instrument']", "phq9")
    page.select_option(f"{form} select[name$='-comparison']", "below")
    page.fill(f"{form} input[name$='-target_value']", "10")
    page.click("button:has-text('Add objective')")
    page.wait_for_selector("[data-testid=objective]")
    page.click("summary:has-text('Add intervention')")
    form = "[data-testid=intervention-form]"
    page.select_option(f"{form} select[name$='-modality']", "group_therapy")
    page.fill(f"{form} input[name$='-minutes_per_session']", "180")
    page.fill(f"{form} input[name$='-sessions_per_week']", "3")
    page.fill(f"{form} input[name$='-duration_weeks']", "8")
    page.select_option(f"{form} select[name$='-responsible']", str(clinic.clinician_a.pk))
    page.click("button:has-text('Add intervention')")
    page.wait_for_selector("[data-testid=intervention]")
    page.click("[data-testid=sign-clinician]")
    page.wait_for_selector("[data-testid=plan-status]:has-text('Awaiting patient')")
    page.fill("#id_signer_name", "Marley Pennant")
    page.click("[data-testid=sign-patient]")
    page.wait_for_selector("[data-testid=signatures] >> text=In person")
    page.wait_for_selector("[data-testid=plan-status]:has-text('Signed')")

    plan = TreatmentPlan.objects.get()
    assert plan.status == "signed"
    assert sorted(plan.signatures.values_list("role", flat=True)) == ["clinician", "patient"]
    assert referral.episode.level_of_care_changes.get().level_of_care == "inpatient"
