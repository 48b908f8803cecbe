"""The medication lists come 50 rows a page, cut in SQL: the API's medications, allergies
and drug tests (`limit`, `offset`), the chart's medication list and the portal's own
medications (`page`). The same refusals as before for anyone outside the record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from stepwell.meds.models import (
    Allergy,
    DrugTest,
    Medication,
    MedicationStatus,
    Reconciliation,
)
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db

START = date(2026, 9, 1)


def _medications(clinic, count: int, *, status=MedicationStatus.ACTIVE, prefix="Med"):
    Medication.objects.bulk_create(
        Medication(
            patient=clinic.patient_a,
            name=f"{prefix}{n:02d}",
            dose=10,
            unit="mg",
            frequency="once daily",
            start_date=START,
            stop_date=START if status == MedicationStatus.STOPPED else None,
            status=status,
            recorded_by=clinic.prescriber_a,
        )
        for n in range(count)
    )


def _allergies(clinic, count: int):
    Allergy.objects.bulk_create(
        Allergy(
            patient=clinic.patient_a,
            kind="allergy",
            substance=f"Substance{n:02d}",
            recorded_by=clinic.prescriber_a,
        )
        for n in range(count)
    )


def _drug_tests(clinic, count: int):
    DrugTest.objects.bulk_create(
        DrugTest(
            patient=clinic.patient_a,
            episode=clinic.episode_a,
            program=clinic.program_a,
            method="laboratory",
            reason="clinical",
            panel=["cocaine"],
            scheduled_on=START + timedelta(days=n % 7),
            ordered_by=clinic.prescriber_a,
        )
        for n in range(count)
    )


def _api(clinic, what: str) -> str:
    return f"/api/v1/patients/{clinic.patient_a.pk}/{what}"


def _two_pages(client, url: str) -> tuple[list, list]:
    first, second = client.get(url), client.get(url, {"offset": 50})
    assert first.status_code == second.status_code == 200, first.content
    return first.json(), second.json()


def test_the_api_lists_medications_50_at_a_time_in_the_charts_order(client, clinic):
    _medications(clinic, 55)
    _medications(clinic, 5, status=MedicationStatus.STOPPED, prefix="Old")
    verified_login(client, clinic.prescriber_a)
    first, second = _two_pages(client, _api(clinic, "medications"))
    assert len(first) == 50
    assert len(second) == 10
    names = [m["name"] for m in first + second]
    assert names == [f"Med{n:02d}" for n in range(55)] + [f"Old{n:02d}" for n in range(5)]
    assert [m["status"] for m in second] == ["active"] * 5 + ["stopped"] * 5


def test_the_api_lists_allergies_50_at_a_time(client, clinic):
    _allergies(clinic, 60)
    verified_login(client, clinic.prescriber_a)
    first, second = _two_pages(client, _api(clinic, "allergies"))
    assert (len(first), len(second)) == (50, 10)
    assert [a["substance"] for a in first + second] == [f"Substance{n:02d}" for n in range(60)]


def test_the_api_lists_drug_tests_50_at_a_time_newest_first(client, clinic):
    _drug_tests(clinic, 60)
    verified_login(client, clinic.prescriber_a)
    first, second = _two_pages(client, _api(clinic, "drug-tests"))
    assert (len(first), len(second)) == (50, 10)
    rows = first + second
    assert len({t["id"] for t in rows}) == 60
    keys = [(t["scheduled_on"], t["id"]) for t in rows]
    assert keys == sorted(keys, reverse=True)
    small = client.get(_api(clinic, "drug-tests"), {"limit": 7, "offset": 56})
    assert [t["id"] for t in small.json()] == [t["id"] for t in rows[56:]]


@pytest.mark.parametrize("what", ["medications", "allergies", "drug-tests"])
def test_someone_outside_the_record_is_still_refused(client, clinic, what):
    _medications(clinic, 3)
    _drug_tests(clinic, 3)
    verified_login(client, clinic.billing_a)
    response = client.get(_api(clinic, what), {"limit": 10})
    assert response.status_code == 403
    assert "id" not in response.content.decode()
    assert AuditEvent.objects.filter(user_id=clinic.billing_a.pk, outcome="denied").exists()


def test_the_chart_pages_the_medication_list_current_ones_first(client, clinic):
    _medications(clinic, 55)
    _medications(clinic, 5, status=MedicationStatus.STOPPED, prefix="Old")
    verified_login(client, clinic.prescriber_a)
    url = f"/meds/patients/{clinic.patient_a.pk}/"
    first, second = client.get(url), client.get(url, {"page": 2})
    assert first.status_code == second.status_code == 200
    one, two = first.context["chart"], second.context["chart"]
    assert [m.name for m in one.medications] == [f"Med{n:02d}" for n in range(50)]
    assert one.stopped == []
    assert [m.name for m in two.medications] == [f"Med{n:02d}" for n in range(50, 55)]
    assert [m.name for m in two.stopped] == [f"Old{n:02d}" for n in range(5)]
    assert "Page 1 of 2" in first.content.decode()
    link = f'href="/meds/patients/{clinic.patient_a.pk}/?page=2"'
    assert link in first.content.decode()  # to the section, not to the chart it sits in
    fragment = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Old04" in fragment
    assert 'hx-target="closest section"' in fragment


def test_the_chart_pages_the_reconciliations_on_their_own(client, clinic):
    """Signed ones (any number per occasion), newest first; paging them leaves the
    medication list on its page, and the reverse."""
    _medications(clinic, 60)
    signed = timezone.now() - timedelta(days=30)
    Reconciliation.objects.bulk_create(
        Reconciliation(
            episode=clinic.episode_a,
            occasion="level_change",
            started_by=clinic.prescriber_a,
            signed_by=clinic.prescriber_a,
            signer_name="Prescriber A",
            signed_at=signed,
        )
        for _ in range(60)
    )
    verified_login(client, clinic.prescriber_a)
    url = f"/meds/patients/{clinic.patient_a.pk}/"
    first = client.get(url, {"page": 2})
    second = client.get(url, {"page": 2, "reconciliations_page": 2})
    one, two = first.context["chart"], second.context["chart"]
    assert (len(one.reconciliations), len(two.reconciliations)) == (50, 10)
    shown = [r.pk for r in [*one.reconciliations, *two.reconciliations]]
    assert shown == sorted(Reconciliation.objects.values_list("pk", flat=True), reverse=True)
    assert one.medication_page.number == two.medication_page.number == 2
    body = first.content.decode()
    assert f'href="{url}?page=2&amp;reconciliations_page=2"' in body
    assert f'href="{url}?reconciliations_page=2&amp;page=1"' in second.content.decode()


def test_the_portal_pages_the_patients_own_medications(client, clinic):
    _medications(clinic, 60)
    _medications(clinic, 2, status=MedicationStatus.STOPPED, prefix="Old")
    verified_login(client, clinic.patient_user_a)
    first, second = client.get("/meds/mine/"), client.get("/meds/mine/", {"page": 2})
    assert len(first.context["medication_page"]) == 50
    assert [m.name for m in second.context["medication_page"]] == [
        f"Med{n:02d}" for n in range(50, 60)
    ]
    assert "Old00" not in second.content.decode()  # only the active ones, as before


def test_the_chart_is_still_refused_to_billing(client, clinic):
    _medications(clinic, 60)
    verified_login(client, clinic.billing_a)
    response = client.get(f"/meds/patients/{clinic.patient_a.pk}/", {"page": 2})
    assert response.status_code == 403
    assert "Med5" not in response.content.decode()


def _fill(clinic, count: int):
    _medications(clinic, count)
    _allergies(clinic, count)
    _drug_tests(clinic, count)


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(
    ("url", "bound"),
    [
        # the patient, then its facts for the rule (privacy.access.conditions)
        ("/api/v1/patients/{pk}/medications", 12),
        ("/api/v1/patients/{pk}/allergies", 12),
        ("/api/v1/patients/{pk}/drug-tests", 12),
        ("/meds/patients/{pk}/", 31),
    ],
)
def test_the_queries_do_not_grow_with_the_rows(
    client, clinic, django_assert_max_num_queries, count, url, bound
):
    _fill(clinic, count)
    verified_login(client, clinic.prescriber_a)
    url = url.format(pk=clinic.patient_a.pk)
    client.get(url)  # per-process caches
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200
