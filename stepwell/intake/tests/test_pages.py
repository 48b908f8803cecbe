import pytest

from stepwell.clinic.time import program_today
from stepwell.intake import services
from stepwell.intake.models import AssessmentStatus, Referral, ReferralState
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import ENGINE_INPUT_IOP, complete_assessment, make_referral


def test_board_shows_every_column_and_timing(client, clinic):
    referral = make_referral(clinic)
    verified_login(client, clinic.intake_a)
    response = client.get("/intake/referrals/")
    assert response.status_code == 200
    html = response.content.decode()
    for state in ReferralState:
        assert f'data-testid="column-{state.value}"' in html
    assert "Rowan Quarry" in html
    event = AuditEvent.objects.filter(object_type="referral_board").latest("seq")
    assert event.detail["patients"] == [referral.patient_id]


def test_board_htmx_returns_the_partial(client, clinic):
    make_referral(clinic)
    verified_login(client, clinic.intake_a)
    response = client.get("/intake/referrals/?urgency=urgent", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="board">')
    assert "Rowan Quarry" not in html


@pytest.mark.parametrize("who", ["clinician_b", "nurse_a", "billing_a", "admin", "patient_user_a"])
def test_board_and_referral_hidden_from_others(client, clinic, who):
    referral = make_referral(clinic)
    verified_login(client, getattr(clinic, who))
    board = client.get("/intake/referrals/")
    assert "Rowan Quarry" not in board.content.decode()
    detail = client.get(f"/intake/referrals/{referral.pk}/")
    assert detail.status_code == 403
    assert "Rowan" not in detail.content.decode()
    move = client.post(f"/intake/referrals/{referral.pk}/move/", {"to_state": "contacted"})
    assert move.status_code == 403
    referral.refresh_from_db()
    assert referral.state == ReferralState.NEW
    assert (
        AuditEvent.objects.filter(
            object_type="referral", outcome="denied", patient_id=referral.patient_id
        ).count()
        == 2
    )


def test_new_referral_form_shows_field_errors(client, clinic):
    verified_login(client, clinic.intake_a)
    response = client.post("/intake/referrals/new/", {"program": clinic.program_a.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-reason"' in html
    assert 'data-testid="error-legal_last_name"' in html
    assert Referral.objects.count() == 0


def test_new_referral_created(client, clinic):
    verified_login(client, clinic.intake_a)
    response = client.post(
        "/intake/referrals/new/",
        {
            "program": clinic.program_a.pk,
            "legal_first_name": "Sage",
            "legal_last_name": "Wren",
            "date_of_birth": "1991-02-03",
            "sex_assigned_at_birth": "female",
            "source": "court",
            "reason": "Court-ordered evaluation",
            "urgency": "routine",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == f"/intake/referrals/{referral.pk}/"
    assert referral.source == "court"


def test_move_with_missing_reason_shows_error(client, clinic):
    referral = make_referral(clinic)
    verified_login(client, clinic.intake_a)
    response = client.post(f"/intake/referrals/{referral.pk}/move/", {"to_state": "declined"})
    assert response.status_code == 400
    assert "Say why the referral is closed." in response.content.decode()


def test_assessment_form_field_errors_and_sign_errors(client, clinic):
    referral = make_referral(clinic)
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/intake/episodes/{referral.episode_id}/assessment/")
    assessment = referral.episode.assessments.get()
    assert response.url == f"/intake/assessments/{assessment.pk}/"
    page = client.get(response.url)
    assert 'data-testid="assessment-form"' in page.content.decode()
    bad = client.post(response.url, {"risk_level": "extreme"})
    assert bad.status_code == 400
    assert 'data-testid="error-risk_level"' in bad.content.decode()
    sign = client.post(f"/intake/assessments/{assessment.pk}/sign/")
    assert sign.status_code == 400
    assert "Add at least one diagnosis before signing." in sign.content.decode()
    code = client.post(
        f"/intake/assessments/{assessment.pk}/diagnoses/", {"code": "F32"}, HTTP_HX_REQUEST="true"
    )
    assert code.status_code == 400
    assert (
        "F32 (Depressive episode) is a header, not a billable code; choose a code under it, "
        "such as F32.0, F32.1, F32.2, F32.3, F32.4, F32.5."
    ) in code.content.decode()
    assert code.content.decode().lstrip().startswith('<section class="card" id="diagnoses">')
    ok = client.post(
        f"/intake/assessments/{assessment.pk}/diagnoses/", {"code": "F41.1"}, HTTP_HX_REQUEST="true"
    )
    assert "Generalized anxiety disorder" in ok.content.decode()
    window = client.post(
        f"/intake/assessments/{assessment.pk}/availability/",
        {"weekday": "2", "start": "18:00", "end": "17:00"},
        HTTP_HX_REQUEST="true",
    )
    assert "Must be after the start time." in window.content.decode()


def test_signed_assessment_is_read_only_with_addendum_form(client, clinic):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral)
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/intake/assessments/{assessment.pk}/").content.decode()
    assert 'data-testid="assessment-form"' not in html
    assert "Add addendum" in html
    response = client.post(f"/intake/assessments/{assessment.pk}/", {"strengths": "changed"})
    assessment.refresh_from_db()
    assert response.status_code == 400
    assert assessment.strengths == ""
    assert assessment.status == AssessmentStatus.SIGNED


def test_diagnosis_search_shows_status_and_code_set(client, clinic):
    verified_login(client, clinic.clinician_a)
    html = client.get("/intake/diagnosis-codes/?q=panic").content.decode()
    assert (
        '<option value="F41.0">F41.0 Panic disorder [episodic paroxysmal anxiety] · billable · '
        "ICD-10-CM FY2026</option>"
    ) in html
    bulimia = client.get("/intake/diagnosis-codes/?q=F50.2").content.decode()
    assert (
        '<option value="F50.2">F50.2 Bulimia nervosa · header, not billable · ICD-10-CM FY2026'
    ) in bulimia
    assert '<option value="F50.20">F50.20 Bulimia nervosa, unspecified · billable' in bulimia


def test_placement_preview_decide_and_admit(client, clinic):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral)
    verified_login(client, clinic.clinician_a)
    form = {
        **{k: str(v) for k, v in ENGINE_INPUT_IOP["dimensions"].items()},
        "mental_health_severity": "moderately_severe",
        "functional_impairment": "moderate",
        "suicide_risk": "low",
        "medically_stable": "yes",
        "needs_24h_structure": "no",
        "available_hours_per_week": "12",
        "previous_lower_level": "outpatient",
        "previous_lower_level_outcome": "insufficient",
        "step_down_from": "none",
    }
    url = f"/intake/assessments/{assessment.pk}/placement/"
    preview = client.post(url, {**form, "preview": "1"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="recommended-level">intensive outpatient<' in preview.content.decode()
    override = client.post(url, {**form, "decided_level": "residential", "decide": "1"})
    assert override.status_code == 400
    assert "an override needs a reason" in override.content.decode()
    decided = client.post(url, {**form, "decide": "1"})
    decision = assessment.placement_decisions.get()
    assert decided.url == f"/intake/placement-decisions/{decision.pk}/"
    admit = client.post(
        decided.url,
        {"primary_clinician": clinic.clinician_a.pk, "admitted_from": "outpatient"},
    )
    assert admit.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.ADMITTED
    assert referral.admitted_on == program_today(clinic.program_a)
    assert referral.days_to_admission == 10


def test_removing_from_the_draft_through_the_page(client, clinic):
    """The removals return nothing: the page still tells success from a refusal."""
    from datetime import time

    from stepwell.intake.models import AssessmentDiagnosis, AvailabilityWindow, PreviousTreatment

    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    treatment = services.previous_treatment_add(
        actor=clinic.clinician_a,
        assessment_id=assessment.pk,
        level_of_care="outpatient",
        outcome="helped",
    )
    window = services.availability_window_add(
        actor=clinic.clinician_a,
        patient_id=referral.patient_id,
        weekday=2,
        start=time(9),
        end=time(11),
    )
    diagnosis = assessment.diagnoses.get()
    base = f"/intake/assessments/{assessment.pk}"
    verified_login(client, clinic.nurse_a)  # reads the assessment, changes nothing
    refused = client.post(f"{base}/diagnoses/{diagnosis.pk}/remove/")
    assert refused.status_code == 403
    assert AssessmentDiagnosis.objects.filter(pk=diagnosis.pk).exists()
    verified_login(client, clinic.clinician_a)
    removed = client.post(f"{base}/diagnoses/{diagnosis.pk}/remove/", HTTP_HX_REQUEST="true")
    assert removed.status_code == 200
    assert removed.content.decode().lstrip().startswith('<section class="card" id="diagnoses">')
    assert not AssessmentDiagnosis.objects.filter(pk=diagnosis.pk).exists()
    assert client.post(f"{base}/previous-treatment/{treatment.pk}/remove/").status_code == 302
    assert not PreviousTreatment.objects.filter(pk=treatment.pk).exists()
    assert client.post(f"{base}/availability/{window.pk}/remove/").status_code == 302
    assert not AvailabilityWindow.objects.filter(pk=window.pk).exists()
    again = client.post(f"{base}/availability/{window.pk}/remove/")
    assert again.status_code == 400
    assert "No such window." in again.content.decode()


@pytest.mark.parametrize("program", ["other", "unknown"])
def test_new_referral_page_refuses_a_program_one_may_not_use_as_the_api_does(
    client, clinic, program
):
    """Another program's id, or one that does not exist, is the audited 403 the API gives."""
    program_id = clinic.program_b.pk if program == "other" else 987654321
    verified_login(client, clinic.intake_a)
    response = client.post(
        "/intake/referrals/new/",
        {
            "program": program_id,
            "legal_first_name": "Sage",
            "legal_last_name": "Wren",
            "date_of_birth": "1991-02-03",
            "sex_assigned_at_birth": "female",
            "source": "court",
            "reason": "Court-ordered evaluation",
            "urgency": "routine",
        },
    )
    assert response.status_code == 403
    assert "Wren" not in response.content.decode()
    assert Referral.objects.count() == 0
    assert AuditEvent.objects.filter(user_id=clinic.intake_a.pk, outcome="denied").exists()
