"""The consent lists come 50 rows a page, cut in SQL: the API's consents and disclosures
(`limit`, `offset`), the chart's and the portal's consent pages (each list its own page
parameter) and the directors' emergency-access reviews (`page`). The same refusals as
before for anyone outside the record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from stepwell.consent.models import AmendmentRequest, BreakGlassGrant, Consent, Disclosure
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db

MADE = timezone.now() - timedelta(days=90)


def _consents(clinic, count: int):
    Consent.objects.bulk_create(
        Consent(
            patient=clinic.patient_a,
            kind="treatment",
            signature_method="portal",
            purpose_detail=f"Consent{n:02d}",
            created_by=clinic.clinician_a,
        )
        for n in range(count)
    )


def _disclosures(clinic, count: int, *, purpose="treatment"):
    Disclosure.objects.bulk_create(
        Disclosure(
            patient=clinic.patient_a,
            basis="hipaa_permitted",
            recipient=f"Recipient{n:02d}",
            purpose=purpose,
            sections=["diagnoses"],
            date_from=date(2026, 1, 1),
            date_to=date(2026, 2, 1),
            document_format="pdf",
            through="chart",
            part2=False,
            document="<p>synthetic</p>",
            document_sha256="0" * 64,
            made_by=clinic.clinician_a,
            made_at=MADE + timedelta(hours=n),
        )
        for n in range(count)
    )


def _amendments(clinic, count: int):
    AmendmentRequest.objects.bulk_create(
        AmendmentRequest(
            patient=clinic.patient_a,
            section="plan",
            request=f"Request{n:02d}",
            requested_by=clinic.patient_user_a,
            requested_at=MADE + timedelta(hours=n),
        )
        for n in range(count)
    )


def _grants(clinic, count: int, *, reviewed: bool = False, hours_from: int = 0):
    BreakGlassGrant.objects.bulk_create(
        BreakGlassGrant(
            user=clinic.clinician_b,
            patient=clinic.patient_a,
            reason=f"Grant{hours_from + n:02d}",
            opened_at=MADE + timedelta(hours=hours_from + n),
            expires_at=MADE + timedelta(hours=hours_from + n + 1),
            reviewed_by=clinic.director_a if reviewed else None,
            reviewed_at=MADE + timedelta(days=30) if reviewed else None,
            review_note="Justified." if reviewed else "",
        )
        for n in range(count)
    )


def _api(clinic, what: str) -> str:
    return f"/api/v1/patients/{clinic.patient_a.pk}/{what}"


def test_the_api_lists_consents_50_at_a_time_newest_first(client, clinic):
    _consents(clinic, 60)
    verified_login(client, clinic.clinician_a)
    first = client.get(_api(clinic, "consents"))
    second = client.get(_api(clinic, "consents"), {"offset": 50})
    assert first.status_code == second.status_code == 200
    ids = [c["id"] for c in first.json() + second.json()]
    assert (len(first.json()), len(second.json())) == (50, 10)
    assert ids == sorted(Consent.objects.values_list("pk", flat=True), reverse=True)


def test_the_api_lists_the_accounting_of_disclosures_50_at_a_time(client, clinic):
    _disclosures(clinic, 60)
    verified_login(client, clinic.clinician_a)
    first = client.get(_api(clinic, "disclosures"))
    second = client.get(_api(clinic, "disclosures"), {"offset": 50})
    assert (len(first.json()), len(second.json())) == (50, 10)
    recipients = [d["recipient"] for d in first.json() + second.json()]
    assert recipients == [f"Recipient{n:02d}" for n in reversed(range(60))]  # newest first
    event = AuditEvent.objects.filter(object_type="consents").latest("seq")
    assert event.detail == {"disclosures": 10, "via": "api"}  # what the page showed


@pytest.mark.parametrize("what", ["consents", "disclosures"])
def test_someone_outside_the_record_is_still_refused(client, clinic, what):
    _consents(clinic, 3)
    _disclosures(clinic, 3)
    verified_login(client, clinic.clinician_b)  # program B: not Avery's chart
    response = client.get(_api(clinic, what), {"limit": 10, "offset": 0})
    assert response.status_code == 403
    assert "Recipient" not in response.content.decode()
    assert AuditEvent.objects.filter(user_id=clinic.clinician_b.pk, outcome="denied").exists()


def test_the_consent_page_pages_each_list_on_its_own(client, clinic):
    _consents(clinic, 60)
    _disclosures(clinic, 60)
    _amendments(clinic, 3)
    verified_login(client, clinic.clinician_a)
    url = f"/consent/patients/{clinic.patient_a.pk}/"
    first = client.get(url)
    privacy = first.context["privacy"]
    assert (len(privacy.consents), len(privacy.disclosures), len(privacy.amendments)) == (50, 50, 3)
    body = first.content.decode()
    assert "?disclosures_page=2#disclosures" in body and "?consents_page=2#consents" in body
    second = client.get(url, {"consents_page": 1, "disclosures_page": 2})
    privacy = second.context["privacy"]
    assert [d.recipient for d in privacy.disclosures] == [
        f"Recipient{n:02d}" for n in reversed(range(10))
    ]
    assert privacy.consents.number == 1 and len(privacy.consents) == 50  # stays where it was
    assert "?consents_page=1&amp;disclosures_page=1#disclosures" in second.content.decode()
    shown = {c.pk for c in first.context["privacy"].consents}
    rest = {c.pk for c in client.get(url, {"consents_page": 2}).context["privacy"].consents}
    assert len(shown | rest) == 60 and not shown & rest


def test_the_portal_pages_the_patients_own_accounting(client, clinic):
    _disclosures(clinic, 60)
    verified_login(client, clinic.patient_user_a)
    first = client.get("/consent/mine/")
    second = client.get("/consent/mine/", {"disclosures_page": 2})
    assert len(first.context["privacy"].disclosures) == 50
    assert len(second.context["privacy"].disclosures) == 10
    assert "Page 2 of 2 · 60 disclosures" in second.content.decode()


def test_the_consent_page_is_still_refused_outside_the_chart(client, clinic):
    _disclosures(clinic, 60)
    verified_login(client, clinic.clinician_b)
    response = client.get(f"/consent/patients/{clinic.patient_a.pk}/", {"disclosures_page": 2})
    assert response.status_code == 403
    assert "Recipient" not in response.content.decode()


def test_the_review_list_shows_50_grants_a_page_unreviewed_first(client, clinic):
    _grants(clinic, 5)  # the oldest, and not reviewed yet
    _grants(clinic, 55, reviewed=True, hours_from=5)
    verified_login(client, clinic.director_a)
    first = client.get("/consent/break-glass/review/")
    second = client.get("/consent/break-glass/review/", {"page": 2})
    assert first.status_code == second.status_code == 200
    one, two = list(first.context["grants"]), list(second.context["grants"])
    assert (len(one), len(two)) == (50, 10)
    assert [g.reason for g in one[:5]] == [f"Grant{n:02d}" for n in reversed(range(5))]
    assert [g.reason for g in one[5:] + two] == [f"Grant{n:02d}" for n in reversed(range(5, 60))]
    assert "Page 1 of 2 · 60 emergency accesses" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="break_glass_review").latest("seq")
    assert event.detail["patients"] == [clinic.patient_a.pk]


def test_the_review_list_is_still_refused_to_a_clinician(client, clinic):
    _grants(clinic, 3)
    verified_login(client, clinic.clinician_a)
    response = client.get("/consent/break-glass/review/", {"page": 1})
    assert response.status_code == 403
    assert "Grant0" not in response.content.decode()


def _fill(clinic, count: int):
    _consents(clinic, count)
    _disclosures(clinic, count)
    _amendments(clinic, count)
    _grants(clinic, count)


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(
    ("who", "url", "bound"),
    [
        ("clinician_a", "/api/v1/patients/{pk}/consents", 14),
        ("clinician_a", "/api/v1/patients/{pk}/disclosures", 13),
        ("clinician_a", "/consent/patients/{pk}/", 30),
        ("patient_user_a", "/consent/mine/", 22),
        ("director_a", "/consent/break-glass/review/", 13),
    ],
)
def test_the_queries_do_not_grow_with_the_rows(
    client, clinic, django_assert_max_num_queries, count, who, url, bound
):
    _fill(clinic, count)
    verified_login(client, getattr(clinic, who))
    url = url.format(pk=clinic.patient_a.pk)
    client.get(url)  # per-process caches
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200
