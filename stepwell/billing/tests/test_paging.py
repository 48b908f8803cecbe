"""The billing pages' lists come 50 rows a page, cut in SQL: the billable weeks by patient
(the days engine runs for the page's patients only), the authorizations in use, the
claims files, the remittances, a claims file's claims, a remittance's payments, a
patient's authorizations and the reviews due; filters are kept by the page links, the
queries do not grow with the rows, and who does not bill is refused as before."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from stepwell.billing.models import (
    Authorization,
    Claim,
    ClaimBatch,
    ClaimPayment,
    Coverage,
    Remittance,
    UtilizationReview,
)
from stepwell.care.models import Attendance
from stepwell.patients.models import EpisodeState
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import SessionOccurrence
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, PayerFactory

from .records import WEEK_1, WEEK_2, attended_group, covered, diagnosed, provider_and_charges
from .test_claims import H0015

pytestmark = pytest.mark.django_db

CREATED = datetime(2026, 11, 20, 15, tzinfo=UTC)


def _patients(program, count: int) -> list:
    """`count` patients in treatment in the program, last names Paged00, Paged01, ..."""
    return [
        EpisodeFactory(
            program=program,
            state=EpisodeState.ACTIVE,
            admitted_on=WEEK_1 - timedelta(days=20),
            patient__legal_last_name=f"Paged{n:02d}",
        ).patient
        for n in range(count)
    ]


def _attended(program, patients, day) -> None:
    """Every patient attended a three-hour group on `day` (no note: the day is blocked)."""
    starts = local_to_utc(program.timezone, day, time(9))
    occurrence = SessionOccurrence.objects.create(
        program=program,
        kind="process_group",
        title="Process group",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=len(patients),
    )
    Attendance.objects.bulk_create(
        Attendance(
            occurrence=occurrence,
            patient=patient,
            status="present",
            minutes_attended=180,
            session_starts_at=occurrence.starts_at,
            session_ends_at=occurrence.ends_at,
        )
        for patient in patients
    )


def _authorizations(program, patients, payer, *, starts_on=WEEK_1) -> list[Authorization]:
    """An approved authorization per patient, the n-th ending n days after the first."""
    return Authorization.objects.bulk_create(
        Authorization(
            program=program,
            patient=patient,
            payer=payer,
            number=f"A{n:03d}",
            units_approved=20,
            starts_on=starts_on,
            ends_on=WEEK_2 + timedelta(days=n),
            status="approved",
        )
        for n, patient in enumerate(patients)
    )


def _batches(program, count: int) -> list[ClaimBatch]:
    """`count` claims files, the n-th written n minutes after CREATED."""
    return ClaimBatch.objects.bulk_create(
        ClaimBatch(
            program=program,
            date_from=WEEK_1,
            date_to=WEEK_1 + timedelta(days=6),
            file_format="csv",
            content="",
            created_by_name="Synthetic",
            created_at=CREATED + timedelta(minutes=n),
        )
        for n in range(count)
    )


def _remittances(program, count: int) -> list[Remittance]:
    return Remittance.objects.bulk_create(
        Remittance(
            program=program,
            payer_name="Synthetic Plan",
            trace_number=f"T{n:03d}",
            total_paid=Decimal("10.00"),
            content="",
            created_by_name="Synthetic",
            created_at=CREATED + timedelta(minutes=n),
        )
        for n in range(count)
    )


def _claims(program, patients, batch) -> list[Claim]:
    """A claim per patient in the batch, claim numbers in the patients' order."""
    payer = PayerFactory()
    coverages = Coverage.objects.bulk_create(
        Coverage(patient=patient, payer=payer, member_id="M1") for patient in patients
    )
    return Claim.objects.bulk_create(
        Claim(
            batch=batch,
            program=program,
            patient=coverage.patient,
            coverage=coverage,
            payer=payer,
            claim_number=f"C{batch.pk:04d}{n:03d}",
            statement_from=WEEK_1,
            statement_to=WEEK_1,
            total_charge=Decimal("250.00"),
            created_at=CREATED,
        )
        for n, coverage in enumerate(coverages)
    )


@pytest.fixture
def billing(client, clinic):
    verified_login(client, clinic.billing_a)
    return clinic


def _weeks_url(clinic) -> str:
    return f"/billing/programs/{clinic.program_a.pk}/"


# ---- the billable weeks ----------------------------------------------------------------


def test_the_billable_weeks_show_50_patients_a_page_by_name(client, billing):
    patients = _patients(billing.program_a, 60)
    _attended(billing.program_a, patients, WEEK_1)
    first = client.get(_weeks_url(billing), {"date_from": WEEK_1})
    second = client.get(_weeks_url(billing), {"date_from": WEEK_1, "page": 2})
    assert first.status_code == second.status_code == 200
    weeks = first.context["page"].weeks + second.context["page"].weeks
    assert [w.patient.legal_last_name for w in weeks] == [f"Paged{n:02d}" for n in range(60)]
    html = first.content.decode()
    assert "Page 1 of 2 · 60 patients" in html
    assert "date_from=2026-11-02&amp;page=2" in html  # the link keeps the weeks asked for
    event = AuditEvent.objects.filter(object_type="billing_days").latest("seq")
    assert event.detail["patients"] == sorted(p.pk for p in patients[50:])


def test_after_a_refused_claims_form_the_page_links_go_to_the_page_not_the_form(client, billing):
    _batches(billing.program_a, 60)
    response = client.post(f"{_weeks_url(billing)}claims/", {"date_from": "not a date"})
    assert response.status_code == 400
    assert f'href="{_weeks_url(billing)}?page=2"' in response.content.decode()


def test_the_days_api_answers_50_patients_a_page_by_name_each_with_all_their_days(client, billing):
    patients = _patients(billing.program_a, 60)
    _attended(billing.program_a, patients, WEEK_1)
    _attended(billing.program_a, patients[::2], WEEK_1 + timedelta(days=1))
    url = f"/api/v1/billing/programs/{billing.program_a.pk}/days"
    asked = {"date_from": WEEK_1, "date_to": WEEK_1 + timedelta(days=6)}
    first = client.get(url, asked).json()["days"]
    second = client.get(url, {**asked, "offset": 50}).json()["days"]
    ids = [p.pk for p in patients]  # by name: Paged00, Paged01, ...
    assert list(dict.fromkeys(d["patient_id"] for d in first)) == ids[:50]
    assert list(dict.fromkeys(d["patient_id"] for d in second)) == ids[50:]
    assert len(first) + len(second) == 60 + 30  # every day of each patient, none lost
    event = AuditEvent.objects.filter(object_type="billing_days").latest("seq")
    assert event.detail["patients"] == sorted(ids[50:])
    assert client.get(url, {**asked, "offset": 60}).json()["days"] == []


def test_the_weeks_asked_for_are_applied_before_paging(client, billing):
    patients = _patients(billing.program_a, 60)
    _attended(billing.program_a, patients[:5], WEEK_2)
    _attended(billing.program_a, patients, WEEK_1)
    response = client.get(_weeks_url(billing), {"date_from": WEEK_2, "page": 2})
    page = response.context["page"]
    assert [w.patient.legal_last_name for w in page.weeks] == [f"Paged{n:02d}" for n in range(5)]
    assert page.patients.paginator.num_pages == 1


@pytest.mark.parametrize("count", [3, 60])
def test_the_billing_page_takes_as_many_queries_for_60_patients_as_for_3(
    client, billing, django_assert_max_num_queries, count
):
    program = billing.program_a
    patients = _patients(program, count)
    _attended(program, patients, WEEK_1)
    _authorizations(program, patients, PayerFactory())
    _batches(program, count)
    _remittances(program, count)
    client.get(_weeks_url(billing), {"date_from": WEEK_1})  # per-process caches
    # 46 on PostgreSQL, whose audit append goes in one round trip; 47 on SQLite, where
    # `make test` without PostgreSQL runs it
    with django_assert_max_num_queries(47):
        response = client.get(_weeks_url(billing), {"date_from": WEEK_1})
    assert len(response.context["page"].weeks) == min(count, 50)
    assert len(response.context["authorizations"]) == min(count, 50)


@pytest.mark.parametrize("count", [3, 60])
def test_the_days_api_takes_as_many_queries_for_60_patients_as_for_3(
    client, billing, django_assert_max_num_queries, count
):
    _attended(billing.program_a, _patients(billing.program_a, count), WEEK_1)
    url = f"/api/v1/billing/programs/{billing.program_a.pk}/days"
    client.get(url, {"date_from": WEEK_1})  # per-process caches
    with django_assert_max_num_queries(20):
        days = client.get(url, {"date_from": WEEK_1}).json()["days"]
    assert len(days) == min(count, 50)


# ---- the billing page's other lists ----------------------------------------------------


def test_the_authorizations_in_use_come_50_a_page_soonest_ending_first(client, billing):
    patients = _patients(billing.program_a, 60)
    made = _authorizations(billing.program_a, patients, PayerFactory())
    first = client.get(_weeks_url(billing))
    second = client.get(_weeks_url(billing), {"page": 2})
    rows = list(first.context["authorizations"]) + list(second.context["authorizations"])
    assert [r.authorization.pk for r in rows] == [a.pk for a in made]
    assert "Page 2 of 2 · 60 authorizations" in second.content.decode()
    event = AuditEvent.objects.filter(object_type="authorization", action="list").latest("seq")
    assert event.detail["patients"] == sorted(p.pk for p in patients[50:])


def test_the_units_of_a_page_are_counted_as_for_the_whole_list(client, billing):
    """The days engine runs for the page's patients only, from the first day of every
    row: Avery's authorization, on page 2, counts the two billable days she attended."""
    program = billing.program_a
    _authorizations(program, _patients(program, 50), PayerFactory(), starts_on=WEEK_1)
    provider_and_charges(program)
    diagnosed(billing.episode_a, billing.clinician_a)
    payer = covered(billing.patient_a, requires_authorization=True, **H0015).payer
    Authorization.objects.create(
        program=program,
        patient=billing.patient_a,
        payer=payer,
        number="AUTH-9",
        units_approved=4,
        starts_on=WEEK_1,
        ends_on=WEEK_2 + timedelta(days=90),  # ends after every other: the last row
        status="approved",
    )
    for day in (WEEK_1, WEEK_1 + timedelta(days=1)):
        attended_group(program, billing.clinician_a, billing.patient_a, day=day)
    (row,) = client.get(_weeks_url(billing), {"page": 2}).context["authorizations"]
    assert row.authorization.number == "AUTH-9"
    assert (row.usage.units_used, row.usage.units_left) == (2, 2)


def test_the_claims_files_and_remittances_come_50_a_page_newest_first(client, billing):
    batches = _batches(billing.program_a, 60)
    remittances = _remittances(billing.program_a, 60)
    first = client.get(_weeks_url(billing))
    second = client.get(_weeks_url(billing), {"page": 2})
    shown = list(first.context["batches"]) + list(second.context["batches"])
    assert [b.pk for b in shown] == [b.pk for b in batches[::-1]]
    shown = list(first.context["remittances"]) + list(second.context["remittances"])
    assert [r.pk for r in shown] == [r.pk for r in remittances[::-1]]
    html = first.content.decode()
    assert "60 claims files" in html and "60 remittances" in html


# ---- a claims file, a remittance -------------------------------------------------------


def test_a_claims_file_shows_50_claims_a_page_by_number(client, billing):
    batch = _batches(billing.program_a, 1)[0]
    claims = _claims(billing.program_a, _patients(billing.program_a, 60), batch)
    first = client.get(f"/billing/claims/{batch.pk}/")
    second = client.get(f"/billing/claims/{batch.pk}/", {"page": 2})
    shown = list(first.context["claims"]) + list(second.context["claims"])
    assert [c.pk for c in shown] == [c.pk for c in claims]
    assert first.content.decode().count('data-testid="claim"') == 50
    event = AuditEvent.objects.filter(object_type="claim_batch").latest("seq")
    assert event.detail["patients"] == sorted(c.patient_id for c in claims[50:])


def test_the_api_gives_a_claims_file_50_claims_at_a_time_with_the_total(client, billing):
    batch = _batches(billing.program_a, 1)[0]
    claims = _claims(billing.program_a, _patients(billing.program_a, 60), batch)
    url = f"/api/v1/billing/claims/{batch.pk}"
    first = client.get(url).json()
    second = client.get(url, {"offset": 50}).json()
    assert first["claims_total"] == second["claims_total"] == 60
    assert len(first["claims"]) == 50
    shown = first["claims"] + second["claims"]
    assert [c["id"] for c in shown] == [c.pk for c in claims]
    event = AuditEvent.objects.filter(object_type="claim_batch").latest("seq")
    assert event.detail["patients"] == sorted(c.patient_id for c in claims[50:])
    some = client.get(url, {"limit": 5, "offset": 3}).json()["claims"]
    assert [c["id"] for c in some] == [c.pk for c in claims[3:8]]
    past = client.get(url, {"offset": 60}).json()
    assert past["claims"] == [] and past["claims_total"] == 60
    for bad in ({"limit": 501}, {"limit": 0}, {"offset": -1}):
        refused = client.get(url, bad)
        assert refused.status_code == 422, bad
        assert next(iter(bad)) in refused.content.decode()


def test_a_remittance_shows_50_payments_a_page(client, billing):
    batch = _batches(billing.program_a, 1)[0]
    claims = _claims(billing.program_a, _patients(billing.program_a, 60), batch)
    remittance = _remittances(billing.program_a, 1)[0]
    payments = ClaimPayment.objects.bulk_create(
        ClaimPayment(
            remittance=remittance,
            claim=claim,
            status_code="1",
            charge=claim.total_charge,
            paid=Decimal("10.00"),
            patient_responsibility=Decimal("0.00"),
        )
        for claim in claims
    )
    first = client.get(f"/billing/remittances/{remittance.pk}/")
    second = client.get(f"/billing/remittances/{remittance.pk}/", {"page": 2})
    shown = list(first.context["payments"]) + list(second.context["payments"])
    assert [p.pk for p in shown] == [p.pk for p in payments]
    assert "Page 2 of 2 · 60 claim payments" in second.content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_a_claims_file_and_a_remittance_take_as_many_queries_for_60_as_for_3(
    client, billing, django_assert_max_num_queries, count
):
    batch = _batches(billing.program_a, 1)[0]
    claims = _claims(billing.program_a, _patients(billing.program_a, count), batch)
    remittance = _remittances(billing.program_a, 1)[0]
    ClaimPayment.objects.bulk_create(
        ClaimPayment(
            remittance=remittance,
            claim=claim,
            status_code="1",
            charge=claim.total_charge,
            paid=Decimal("10.00"),
            patient_responsibility=Decimal("0.00"),
        )
        for claim in claims
    )
    client.get(f"/billing/claims/{batch.pk}/")
    with django_assert_max_num_queries(15):
        assert client.get(f"/billing/claims/{batch.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(f"/billing/remittances/{remittance.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(f"/api/v1/billing/claims/{batch.pk}").status_code == 200


# ---- a patient's authorizations, the reviews due --------------------------------------


def test_a_patients_authorizations_come_50_a_page_latest_first(client, billing):
    payer = PayerFactory()
    Coverage.objects.create(patient=billing.patient_a, payer=payer, member_id="M1")
    made = Authorization.objects.bulk_create(
        Authorization(
            program=billing.program_a,
            patient=billing.patient_a,
            payer=payer,
            starts_on=WEEK_1 - timedelta(days=7 * n),
            ends_on=WEEK_1 - timedelta(days=7 * n - 6),
        )
        for n in range(60)
    )
    url = f"/billing/patients/{billing.patient_a.pk}/authorizations/"
    first, second = client.get(url), client.get(url, {"page": 2})
    shown = first.context["page"].authorizations + second.context["page"].authorizations
    assert [a.pk for a in shown] == [a.pk for a in made]
    assert "Page 1 of 2 · 60 authorizations" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="authorization", action="view").latest("seq")
    assert event.detail["authorizations"] == [a.pk for a in made[50:]]


def test_the_reviews_due_come_50_a_page_soonest_first(client, billing):
    patients = _patients(billing.program_a, 60)
    made = _authorizations(billing.program_a, patients, PayerFactory(), starts_on=WEEK_1)
    reviews = UtilizationReview.objects.bulk_create(
        UtilizationReview(authorization=a, due_on=WEEK_1 - timedelta(days=60 - n))  # overdue
        for n, a in enumerate(made)
    )
    url = f"/billing/programs/{billing.program_a.pk}/reviews/"
    first, second = client.get(url), client.get(url, {"page": 2})
    shown = list(first.context["page"].due) + list(second.context["page"].due)
    assert [r.pk for r in shown] == [r.pk for r in reviews]
    assert len(second.context["page"].authorizations) == 10
    assert "60 reviews due" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="utilization_review").latest("seq")
    assert event.detail["patients"] == sorted(p.pk for p in patients[50:])


@pytest.mark.parametrize(
    "url",
    [
        "/billing/programs/{program}/",
        "/billing/programs/{program}/reviews/",
        "/billing/patients/{patient}/authorizations/",
    ],
)
def test_who_does_not_bill_is_refused_as_before(client, clinic, url):
    _authorizations(clinic.program_a, _patients(clinic.program_a, 60), PayerFactory())
    verified_login(client, clinic.clinician_a)
    path = url.format(program=clinic.program_a.pk, patient=clinic.patient_a.pk)
    assert client.get(path, {"page": 2}).status_code == 403
