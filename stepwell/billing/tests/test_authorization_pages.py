"""Authorizations and utilization review from the pages: recording an authorization or a
request, correcting it, scheduling a review and recording its outcome (approved more days
extends the authorization, a new number creates the next one, denied, peer-to-peer), the
review worklist with this week's reviews, and eligibility checks on a coverage."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from stepwell.billing import services
from stepwell.billing.models import Authorization, EligibilityCheck, UtilizationReview
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.dates import clinic_today
from stepwell.testing.factories import CoverageFactory, PayerFactory

START, END = date(2026, 11, 2), date(2026, 11, 29)


@pytest.fixture
def coverage(clinic):
    return CoverageFactory(patient=clinic.patient_a, payer=PayerFactory(name="Auth Payer"))


def _approved(clinic, coverage, number="EX-1", units=10):
    return services.authorization_create(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        program_id=clinic.program_a.pk,
        payer_id=coverage.payer_id,
        starts_on=START,
        ends_on=END,
        number=number,
        units_approved=units,
    )


def test_record_an_authorization_from_the_patients_billing_view(client, clinic, coverage):
    verified_login(client, clinic.billing_a)
    base = f"/billing/patients/{clinic.patient_a.pk}/authorizations/"
    listing = client.get(base)
    assert listing.status_code == 200 and "Record an authorization" in listing.content.decode()
    form = {
        "program": clinic.program_a.pk,
        "payer": coverage.payer_id,
        "status": "approved",
        "number": "",
        "level_of_care": "intensive_outpatient",
        "unit_kind": "days",
        "units_approved": "12",
        "starts_on": str(START),
        "ends_on": str(END),
    }
    bad = client.post(base + "new/", form)
    assert bad.status_code == 400
    assert "The payer&#x27;s authorization number." in bad.content.decode()
    assert not Authorization.objects.exists()
    made = client.post(base + "new/", {**form, "number": "EX-100"})
    authorization = Authorization.objects.get()
    assert made.status_code == 302 and made.url == f"/billing/authorizations/{authorization.pk}/"
    assert (authorization.status, authorization.units_approved) == ("approved", 12)
    page = client.get(made.url)
    assert "EX-100" in page.content.decode()
    assert "EX-100" in client.get(base).content.decode()


def test_a_pending_request_is_decided_by_its_reviews_outcome(client, clinic, coverage):
    verified_login(client, clinic.billing_a)
    made = client.post(
        f"/billing/patients/{clinic.patient_a.pk}/authorizations/new/",
        {
            "program": clinic.program_a.pk,
            "payer": coverage.payer_id,
            "status": "pending",
            "level_of_care": "intensive_outpatient",
            "unit_kind": "days",
            "units_approved": "0",
            "starts_on": str(START),
            "ends_on": str(END),
            "decision_due_on": str(START + timedelta(days=1)),
        },
    )
    assert made.status_code == 302
    authorization = Authorization.objects.get()
    review = authorization.reviews.get()
    assert (authorization.status, review.due_on) == ("pending", START + timedelta(days=1))
    url = f"/billing/reviews/{review.pk}/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {"outcome": "approved", "units_added": "10"})
    assert missing.status_code == 400 and "authorization number" in missing.content.decode()
    done = client.post(url, {"outcome": "approved", "units_added": "10", "number": "P-7"})
    assert done.status_code == 302
    authorization.refresh_from_db()
    assert (authorization.status, authorization.number, authorization.units_approved) == (
        "approved",
        "P-7",
        10,
    )
    assert client.get(url).status_code == 200  # the review still shows, now decided
    again = client.post(url, {"outcome": "denied"})
    assert again.status_code == 400 and "Recorded: Approved more units." in again.content.decode()


def test_denied_request(clinic, coverage):
    authorization = services.authorization_create(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        program_id=clinic.program_a.pk,
        payer_id=coverage.payer_id,
        starts_on=START,
        ends_on=END,
        status="pending",
    )
    review = authorization.reviews.get()
    services.review_outcome_record(actor=clinic.billing_a, review_id=review.pk, outcome="denied")
    authorization.refresh_from_db()
    assert authorization.status == "denied"
    with pytest.raises(ApplicationError) as error:
        services.review_schedule(
            actor=clinic.billing_a, authorization_id=authorization.pk, due_on=END
        )
    assert "due_on" in error.value.field_errors


def test_approved_more_days_extends_the_authorization(clinic, coverage):
    authorization = _approved(clinic, coverage)
    review = services.review_schedule(
        actor=clinic.billing_a, authorization_id=authorization.pk, due_on=END - timedelta(days=3)
    )
    services.review_outcome_record(
        actor=clinic.billing_a,
        review_id=review.pk,
        outcome="approved",
        units_added=6,
        approved_through=END + timedelta(days=14),
    )
    authorization.refresh_from_db()
    assert (authorization.units_approved, authorization.ends_on) == (16, END + timedelta(days=14))
    assert Authorization.objects.count() == 1


def test_approved_under_a_new_number_creates_the_next_authorization(clinic, coverage):
    authorization = _approved(clinic, coverage)
    review = services.review_schedule(
        actor=clinic.billing_a, authorization_id=authorization.pk, due_on=END - timedelta(days=3)
    )
    with pytest.raises(ApplicationError) as error:
        services.review_outcome_record(
            actor=clinic.billing_a,
            review_id=review.pk,
            outcome="approved",
            units_added=8,
            number="EX-2",
        )
    assert "approved_through" in error.value.field_errors
    assert Authorization.objects.count() == 1
    services.review_outcome_record(
        actor=clinic.billing_a,
        review_id=review.pk,
        outcome="approved",
        units_added=8,
        number="EX-2",
        approved_through=END + timedelta(days=21),
    )
    authorization.refresh_from_db()
    following = Authorization.objects.get(number="EX-2")
    assert (authorization.units_approved, authorization.ends_on) == (10, END)
    assert (following.starts_on, following.ends_on) == (END + timedelta(1), END + timedelta(21))
    assert (following.units_approved, following.status) == (8, "approved")
    event = AuditEvent.objects.filter(object_type="utilization_review", action="update").get()
    assert event.detail["next_authorization"] == following.pk


def test_peer_to_peer_keeps_the_review_open(clinic, coverage):
    authorization = _approved(clinic, coverage)
    review = services.review_schedule(
        actor=clinic.billing_a, authorization_id=authorization.pk, due_on=END
    )
    with pytest.raises(ApplicationError) as error:
        services.review_outcome_record(
            actor=clinic.billing_a, review_id=review.pk, outcome="peer_to_peer"
        )
    assert "peer_to_peer_on" in error.value.field_errors
    services.review_outcome_record(
        actor=clinic.billing_a,
        review_id=review.pk,
        outcome="peer_to_peer",
        peer_to_peer_on=END - timedelta(days=1),
    )
    review.refresh_from_db()
    assert review.is_open and review.peer_to_peer_on == END - timedelta(days=1)


def test_authorization_update_names_the_field_and_changes_nothing(client, clinic, coverage):
    authorization = _approved(clinic, coverage)
    _approved(clinic, coverage, number="EX-TAKEN")
    verified_login(client, clinic.billing_a)
    url = f"/billing/authorizations/{authorization.pk}/"
    form = {
        "number": "EX-TAKEN",
        "level_of_care": "intensive_outpatient",
        "unit_kind": "days",
        "units_approved": "20",
        "starts_on": str(START),
        "ends_on": str(END),
    }
    bad = client.post(url, form)
    assert (
        bad.status_code == 400 and "already has an authorization EX-TAKEN" in bad.content.decode()
    )
    authorization.refresh_from_db()
    assert (authorization.number, authorization.units_approved) == ("EX-1", 10)
    good = client.post(url, {**form, "number": "EX-1"})
    assert good.status_code == 302
    authorization.refresh_from_db()
    assert authorization.units_approved == 20


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "intake_a", "admin", "clinician_b"])
def test_authorization_update_refused(clinic, coverage, name):
    authorization = _approved(clinic, coverage)
    with pytest.raises(AccessDenied):
        services.authorization_update(
            actor=getattr(clinic, name),
            authorization_id=authorization.pk,
            number="EX-9",
            level_of_care="iop",
            unit_kind="days",
            units_approved=99,
            starts_on=START,
            ends_on=END,
        )
    denied = AuditEvent.objects.filter(outcome="denied", object_type="authorization")
    assert denied.count() == 1
    authorization.refresh_from_db()
    assert (authorization.number, authorization.units_approved) == ("EX-1", 10)


def test_review_worklist_lists_this_weeks_reviews(client, clinic, coverage):
    today = clinic_today()
    authorization = services.authorization_create(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        program_id=clinic.program_a.pk,
        payer_id=coverage.payer_id,
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=3),
        number="EX-W",
        units_approved=12,
    )
    sunday = today + timedelta(days=6 - today.weekday())
    services.review_schedule(
        actor=clinic.billing_a, authorization_id=authorization.pk, due_on=sunday
    )
    later = services.authorization_create(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        program_id=clinic.program_a.pk,
        payer_id=coverage.payer_id,
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=40),
        status="pending",
        decision_due_on=sunday + timedelta(days=1),
    )
    verified_login(client, clinic.billing_a)
    page = client.get(f"/billing/programs/{clinic.program_a.pk}/reviews/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="review-due"') == 1
    assert f"/billing/reviews/{authorization.reviews.get().pk}/" in html
    assert f"/billing/reviews/{later.reviews.get().pk}/" not in html
    assert 'data-status="pending"' in html  # the request shows among the authorizations
    listed = AuditEvent.objects.filter(object_type="utilization_review", action="list").last()
    assert listed.detail["patients"] == [clinic.patient_a.pk]
    assert client.get(f"/billing/programs/{clinic.program_b.pk}/reviews/").status_code == 403


def test_eligibility_check_from_the_coverage_page(client, clinic, coverage):
    verified_login(client, clinic.billing_a)
    edit = client.get(f"/billing/coverages/{coverage.pk}/")
    assert 'data-testid="eligibility-form"' in edit.content.decode()
    url = f"/billing/coverages/{coverage.pk}/eligibility/"
    future = clinic_today() + timedelta(days=5)
    bad = client.post(url, {"checked_on": str(future), "method": "phone", "result": "active"})
    assert bad.status_code == 400 and "Today or earlier." in bad.content.decode()
    assert not EligibilityCheck.objects.exists()
    good = client.post(
        url, {"checked_on": str(START), "method": "portal", "result": "active", "reference": "R1"}
    )
    assert good.status_code == 302
    check = EligibilityCheck.objects.get()
    assert (check.checked_by, check.result, check.reference) == (clinic.billing_a, "active", "R1")
    coverages = client.get(f"/billing/patients/{clinic.patient_a.pk}/coverages/")
    assert "Active: coverage confirmed on" in coverages.content.decode()
    assert 'data-testid="authorizations-link"' in coverages.content.decode()


def test_a_clinician_cannot_open_authorizations(client, clinic, coverage):
    _approved(clinic, coverage)
    verified_login(client, clinic.clinician_a)
    assert client.get(f"/billing/patients/{clinic.patient_a.pk}/authorizations/").status_code == 403
    assert UtilizationReview.objects.count() == 0


def test_ur_summary_for_the_call_is_audited_and_printable(client, clinic, coverage):
    authorization = services.authorization_create(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        program_id=clinic.program_a.pk,
        payer_id=coverage.payer_id,
        starts_on=START,
        ends_on=END,
        status="pending",
    )
    review = authorization.reviews.get()
    verified_login(client, clinic.billing_a)
    assert (
        'data-testid="ur-summary-link"'
        in client.get(f"/billing/reviews/{review.pk}/").content.decode()
    )
    page = client.get(f"/billing/reviews/{review.pk}/summary/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="ur-summary"' in html
    assert clinic.patient_a.display_name in html and "Why this level of care" in html
    event = AuditEvent.objects.filter(object_type="ur_summary").get()
    assert (event.patient_id, event.detail["purpose"]) == (
        clinic.patient_a.pk,
        "utilization review",
    )
    pdf = client.get(f"/billing/reviews/{review.pk}/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="ur_summary", detail__pdf=True).count() == 1
    # once the review is decided, billing staff no longer open it
    services.review_outcome_record(actor=clinic.billing_a, review_id=review.pk, outcome="denied")
    assert client.get(f"/billing/reviews/{review.pk}/summary/").status_code == 403
    assert AuditEvent.objects.filter(object_type="ur_summary", outcome="denied").count() == 1


def test_continued_stay_reasons_from_the_facts():
    from stepwell.billing.selectors.ur_summary import RiskFlag, continued_stay_reasons

    facts = {
        "measures": [
            {"name": "PHQ-9", "baseline": 18, "last": 16, "classification": "No reliable change"},
            {"name": "GAD-7", "baseline": 15, "last": 5, "classification": "Reliable improvement"},
        ],
        "goals": [
            {"objectives": [{"text": "a", "status": "Met"}, {"text": "b", "status": "In progress"}]}
        ],
    }
    reasons = continued_stay_reasons(facts, [RiskFlag("Suicide risk answer", "2026-11-02", "Open")])
    assert reasons == [
        "PHQ-9: 18 at admission, 16 now (no reliable change).",
        "1 plan objective(s) not met yet.",
        "1 safety alert(s) since admission.",
    ]
    assert continued_stay_reasons({}, []) == []


def test_a_day_without_authorization_links_to_the_fix(client, clinic):
    from .records import WEEK_1, attended_group, covered, diagnosed, provider_and_charges
    from .test_claims import H0015

    provider_and_charges(clinic.program_a)
    diagnosed(clinic.episode_a, clinic.clinician_a)
    covered(clinic.patient_a, requires_authorization=True, **H0015)
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=WEEK_1)
    verified_login(client, clinic.billing_a)
    html = client.get(f"/billing/programs/{clinic.program_a.pk}/?date_from={WEEK_1}").content
    html = html.decode()
    assert 'data-problem="authorization_missing"' in html
    assert f'href="/billing/patients/{clinic.patient_a.pk}/authorizations/">Open the' in html
