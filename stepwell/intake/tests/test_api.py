import pytest

from stepwell.intake.models import Referral, ReferralState
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import ENGINE_INPUT_IOP, complete_assessment, make_referral


def test_referral_journey_over_the_api(client, clinic):
    verified_login(client, clinic.intake_a)
    created = client.post(
        "/api/v1/intake/referrals",
        {
            "program_id": clinic.program_a.pk,
            "source": "family",
            "reason": "Drinking daily",
            "patient": {
                "legal_first_name": "Tatum",
                "legal_last_name": "Vale",
                "date_of_birth": "1990-01-02",
                "sex_assigned_at_birth": "female",
            },
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["allowed_transitions"]) == (
        "new",
        ["contacted", "screening_booked", "referred_elsewhere", "declined"],
    )
    moved = client.post(
        f"/api/v1/intake/referrals/{body['id']}/transitions",
        {"to_state": "declined"},
        content_type="application/json",
    )
    assert moved.status_code == 400
    assert moved.json()["errors"] == {"reason": "Say why the referral is closed."}
    listed = client.get("/api/v1/intake/referrals?state=new").json()
    assert [r["patient_name"] for r in listed] == ["Tatum Vale"]


def test_placement_and_admission_over_the_api(client, clinic):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral)
    verified_login(client, clinic.clinician_a)
    preview = client.post(
        "/api/v1/intake/placement/recommend", ENGINE_INPUT_IOP, content_type="application/json"
    )
    assert preview.json()["level"] == "intensive_outpatient"
    decided = client.post(
        f"/api/v1/intake/assessments/{assessment.pk}/placement-decisions",
        {"engine_input": ENGINE_INPUT_IOP},
        content_type="application/json",
    )
    assert decided.status_code == 201
    admitted = client.post(
        f"/api/v1/intake/placement-decisions/{decided.json()['id']}/admission",
        {"care_team": [{"user_id": clinic.clinician_a.pk, "team_role": "primary_clinician"}]},
        content_type="application/json",
    )
    assert admitted.status_code == 200, admitted.content
    assert admitted.json()["state"] == "admitted"
    referral.refresh_from_db()
    assert referral.state == ReferralState.ADMITTED


def test_availability_put_and_get(client, clinic):
    verified_login(client, clinic.clinician_a)
    url = f"/api/v1/intake/patients/{clinic.patient_a.pk}/availability"
    bad = client.put(
        url,
        [
            {"weekday": 0, "start": "09:00", "end": "12:00"},
            {"weekday": 0, "start": "11:00", "end": "13:00"},
        ],
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"windows.1.start": "Overlaps window 0."}
    ok = client.put(
        url, [{"weekday": 4, "start": "17:30", "end": "20:30"}], content_type="application/json"
    )
    assert ok.json() == [{"weekday": 4, "start": "17:30:00", "end": "20:30:00"}]
    assert client.get(url).json() == ok.json()


@pytest.mark.parametrize("who", ["clinician_b", "billing_a", "admin", "patient_user_a"])
def test_api_role_matrix_hides_and_changes_nothing(client, clinic, who):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    verified_login(client, getattr(clinic, who))
    for url in (
        f"/api/v1/intake/referrals/{referral.pk}",
        f"/api/v1/intake/assessments/{assessment.pk}",
        f"/api/v1/intake/patients/{referral.patient_id}/availability",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Rowan" not in response.content.decode()
    patched = client.patch(
        f"/api/v1/intake/assessments/{assessment.pk}",
        {"strengths": "x"},
        content_type="application/json",
    )
    assert patched.status_code == 403
    assessment.refresh_from_db()
    assert assessment.strengths == ""
    assert Referral.objects.get().state == ReferralState.NEW
    assert AuditEvent.objects.filter(outcome="denied", patient_id=referral.patient_id).count() == 4


def test_placement_input_is_a_typed_schema(client, clinic):
    verified_login(client, clinic.clinician_a)
    url = "/api/v1/intake/placement/recommend"
    bad = {
        **ENGINE_INPUT_IOP,
        "dimensions": {**ENGINE_INPUT_IOP["dimensions"], "d2_biomedical": 7},
        "suicide_risk": "some",
        "medically_stable": "yes",
        "notes": "free text",
    }

    malformed = client.post(url, bad, content_type="application/json")
    history = client.post(
        url,
        {**ENGINE_INPUT_IOP, "previous_lower_level_outcome": "not_tried"},
        content_type="application/json",
    )
    mental_health_only = client.post(
        url,
        {
            **ENGINE_INPUT_IOP,
            "dimensions": {**ENGINE_INPUT_IOP["dimensions"], "d1_withdrawal": None},
        },
        content_type="application/json",
    )

    assert malformed.status_code == 422
    assert set(malformed.json()["errors"]) == {
        "dimensions.d2_biomedical",
        "suicide_risk",
        "medically_stable",
        "notes",
    }
    assert history.status_code == 400
    assert history.json()["errors"] == {
        "previous_lower_level_outcome": (
            "must be insufficient or helped when previous_lower_level is given"
        )
    }
    assert mental_health_only.status_code == 200
    assert mental_health_only.json()["rule_set"] == "stepwell-loc-2027.1"
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["SuicideRisk"]["enum"] == ["none", "low", "moderate", "high", "imminent"]
    assert "d1_withdrawal" in schema["DimensionRatingsIn"]["required"]


def test_a_decision_over_the_api_stores_the_programs_setting(client, clinic):
    clinic.program_a.offers_outpatient_withdrawal_care = True
    clinic.program_a.save()
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral)
    verified_login(client, clinic.clinician_a)
    withdrawal_2 = {
        **ENGINE_INPUT_IOP,
        "dimensions": {**ENGINE_INPUT_IOP["dimensions"], "d1_withdrawal": 2},
    }

    decided = client.post(
        f"/api/v1/intake/assessments/{assessment.pk}/placement-decisions",
        {"engine_input": withdrawal_2},
        content_type="application/json",
    )

    assert decided.status_code == 201, decided.content
    body = decided.json()
    assert body["recommended_level"] == "intensive_outpatient"
    assert body["engine_input"] == {**withdrawal_2, "offers_outpatient_withdrawal_care": True}
    assert body["engine_output"]["rationale"][0]["rule"] == (
        "d1_withdrawal_2_with_outpatient_withdrawal_care"
    )


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/intake/diagnosis-codes?q=F50.2"),
        ("post", "/api/v1/intake/placement/recommend"),
    ],
)
def test_a_patient_gets_neither_the_engine_nor_the_code_search(client, clinic, method, url):
    """Neither reads a record, but both are staff tools: the rule in privacy.access.intake
    refuses anyone else (it used to be a `user.kind` check in the endpoint)."""
    verified_login(client, clinic.patient_user_a)
    call = getattr(client, method)
    response = (
        call(url, ENGINE_INPUT_IOP, content_type="application/json")
        if method == "post"
        else call(url)
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Not found, or you do not have access to this record."
    assert AuditEvent.objects.filter(outcome="denied", username="pat_a").count() == 1


def test_a_clinician_runs_the_engine_over_the_api(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        "/api/v1/intake/placement/recommend", ENGINE_INPUT_IOP, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["level"] == "intensive_outpatient"


def test_the_list_counts_each_referrals_contact_attempts_as_its_detail_does(client, clinic):
    """The list counts contact attempts in its one query; a referral read alone counts
    them itself. Both give the attempts only, not the referral's other events."""
    from stepwell.intake.models import ContactMethod, ContactOutcome
    from stepwell.intake.services.referrals import referral_contact_record

    tried = make_referral(clinic)
    untried = make_referral(clinic, legal_first_name="Sasha", legal_last_name="Birch")
    for outcome in (ContactOutcome.NO_ANSWER, ContactOutcome.REACHED):
        referral_contact_record(
            actor=clinic.intake_a,
            referral_id=tried.pk,
            method=ContactMethod.PHONE,
            outcome=outcome,
        )
    verified_login(client, clinic.intake_a)
    listed = {r["id"]: r for r in client.get("/api/v1/intake/referrals").json()}
    assert (listed[tried.pk]["contact_attempts"], listed[untried.pk]["contact_attempts"]) == (2, 0)
    assert listed[tried.pk]["state"] == "contacted"  # reaching them moved it: another event
    alone = client.get(f"/api/v1/intake/referrals/{tried.pk}").json()
    assert alone["contact_attempts"] == 2
