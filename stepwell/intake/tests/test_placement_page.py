"""The placement page: prefilled from the signed assessment, typed values kept when refused."""

import re

from stepwell.intake import services
from stepwell.intake.models import PlacementDecision
from stepwell.testing.auth import verified_login

from .conftest import ENGINE_INPUT_IOP, complete_assessment, make_referral

FORM = {
    **{k: str(v) for k, v in ENGINE_INPUT_IOP["dimensions"].items()},
    "mental_health_severity": "moderately_severe",
    "functional_impairment": "moderate",
    "suicide_risk": "low",
    "medically_stable": "yes",
    "needs_24h_structure": "no",
    "available_hours_per_week": "12",
    "available_days_per_week": "3",
    "previous_lower_level": "outpatient",
    "previous_lower_level_outcome": "insufficient",
    "step_down_from": "none",
}


def _selected(html, name):
    """The value of the selected option of a <select name=...>; None for the blank choice."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected>', select.group(0))
    return (chosen.group(1) or None) if chosen else None


def _page(client, clinic, **assessment_data):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    if assessment_data:
        services.assessment_update(
            actor=clinic.clinician_a, assessment_id=assessment.pk, data=assessment_data
        )
    services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)
    verified_login(client, clinic.clinician_a)
    return assessment, f"/intake/assessments/{assessment.pk}/placement/"


def test_the_page_opens_with_what_the_assessment_gives_and_the_rest_blank(client, clinic):
    _, url = _page(client, clinic, symptom_severity="moderate", functional_impairment="severe")

    html = client.get(url).content.decode()

    assert _selected(html, "suicide_risk") == "low"
    assert _selected(html, "mental_health_severity") == "moderate"
    assert _selected(html, "functional_impairment") == "severe"
    assert _selected(html, "previous_lower_level") == "none"
    assert _selected(html, "step_down_from") == "none"
    assert _selected(html, "d1_withdrawal") == "na"
    assert _selected(html, "d5_relapse") == "na"
    # Nothing the assessment cannot say is chosen for the clinician.
    assert _selected(html, "d3_emotional_behavioral") is None
    assert _selected(html, "medically_stable") is None
    assert _selected(html, "needs_24h_structure") is None
    assert "<li>Suicide risk: risk level on the assessment</li>" in html
    assert "does not offer prescriber-monitored outpatient withdrawal care" in html


def test_a_refused_decision_keeps_every_typed_value_and_names_the_field(client, clinic):
    _, url = _page(client, clinic)
    typed = {
        **FORM,
        "d1_withdrawal": "na",
        "d5_relapse": "na",
        "available_days_per_week": "2",
        "decided_level": "partial_hospitalization",
        "decide": "1",
    }

    response = client.post(url, typed)

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-override_reason"' in html
    assert "an override needs a reason" in html
    assert _selected(html, "d1_withdrawal") == "na"
    assert _selected(html, "d3_emotional_behavioral") == "2"
    assert _selected(html, "decided_level") == "partial_hospitalization"
    assert 'name="available_days_per_week" value="2"' in html
    assert PlacementDecision.objects.count() == 0


def test_a_missing_rating_is_a_field_error_and_the_rest_stays(client, clinic):
    _, url = _page(client, clinic)

    response = client.post(url, {**FORM, "medically_stable": "", "decide": "1"})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-medically_stable"' in html
    assert _selected(html, "medically_stable") is None
    assert _selected(html, "mental_health_severity") == "moderately_severe"
    assert PlacementDecision.objects.count() == 0


def test_a_substance_use_program_refuses_not_applicable_next_to_the_field(client, clinic):
    clinic.program_a.track = "substance_use"
    clinic.program_a.save()
    _, url = _page(client, clinic)

    response = client.post(url, {**FORM, "d1_withdrawal": "na", "decide": "1"})

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(
        r'data-testid="error-d1_withdrawal"><li>rate withdrawal risk: substance use programs',
        html,
    )
    assert _selected(html, "d1_withdrawal") == "na"
    assert PlacementDecision.objects.count() == 0


def test_the_preview_states_required_actions_and_the_level_after_withdrawal(client, clinic):
    _, url = _page(client, clinic)

    high = client.post(
        url, {**FORM, "suicide_risk": "high", "preview": "1"}, HTTP_HX_REQUEST="true"
    )
    withdrawal = client.post(
        url, {**FORM, "d1_withdrawal": "3", "preview": "1"}, HTTP_HX_REQUEST="true"
    )

    assert (
        "<strong>Required:</strong> Suicide risk is high: a same-day safety evaluation is "
        "required before the patient leaves today, whatever level is chosen."
    ) in high.content.decode()
    assert 'data-testid="recommended-level">partial hospitalization<' in high.content.decode()
    body = withdrawal.content.decode()
    assert 'data-testid="recommended-level">withdrawal management referral<' in body
    assert (
        "Then reassess: the other findings call for <strong>intensive outpatient</strong>."
    ) in body


def test_the_last_decision_fills_the_page_again(client, clinic):
    _, url = _page(client, clinic)
    client.post(url, {**FORM, "d4_readiness": "3", "decide": "1"})

    html = client.get(url).content.decode()

    assert _selected(html, "d4_readiness") == "3"
    assert "the last decision of" in html


def test_an_outcome_that_contradicts_the_history_is_a_field_error_not_a_crash(client, clinic):
    _, url = _page(client, clinic)

    response = client.post(
        url, {**FORM, "previous_lower_level_outcome": "not_tried", "decide": "1"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "must be insufficient or helped when previous_lower_level is given" in html
    assert _selected(html, "previous_lower_level_outcome") == "not_tried"
    assert PlacementDecision.objects.count() == 0
