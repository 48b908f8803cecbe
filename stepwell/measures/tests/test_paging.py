"""The alert worklist, the patient's questionnaires in the portal and the measures API's
lists come 50 rows a page, cut in SQL after the access scope and the filters, with as many
queries for 60 rows as for 3."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from stepwell.measures.models import Administration, AdministrationStatus, Alert, AlertStatus
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db

START = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)


def _completed(patient, count: int) -> list[Administration]:
    """`count` completed PHQ-9s, an hour apart, the latest last."""
    return Administration.objects.bulk_create(
        Administration(
            patient=patient,
            instrument_key="phq9",
            instrument_version="1.1.0",
            status=AdministrationStatus.COMPLETED,
            answers={},
            total=12,
            completed_at=START + timedelta(hours=n),
        )
        for n in range(count)
    )


def _alerts(patient, count: int, *, immediate: int = 0, status=AlertStatus.OPEN) -> list[Alert]:
    """`count` suicide-risk alerts, the first `immediate` of them urgent."""
    closed = status != AlertStatus.OPEN
    return Alert.objects.bulk_create(
        Alert(
            patient=patient,
            administration=administration,
            kind="suicide_risk",
            reason=f"Synthetic alert {n}",
            immediate=n < immediate,
            status=status,
            acknowledged_at=START if closed else None,
            action_note="Called." if closed else "",
        )
        for n, administration in enumerate(_completed(patient, count))
    )


def _worklist_order(alerts: list[Alert]) -> list[int]:
    """The documented order for one patient's alerts: urgent first, then newest first."""
    rows = Alert.objects.filter(pk__in=[a.pk for a in alerts]).order_by(
        "-immediate", "-created_at", "-pk"
    )
    return list(rows.values_list("pk", flat=True))


# --- the alert worklist page -----------------------------------------------------------------


def test_the_worklist_shows_50_alerts_then_the_rest_urgent_first(client, clinic):
    alerts = _alerts(clinic.patient_a, 60, immediate=3)
    verified_login(client, clinic.clinician_a)
    first = client.get("/measures/alerts/")
    second = client.get("/measures/alerts/", {"page": 2})
    assert first.status_code == second.status_code == 200
    shown = [a.pk for a in first.context["alerts"]] + [a.pk for a in second.context["alerts"]]
    assert len(first.context["alerts"]) == 50
    assert len(second.context["alerts"]) == 10
    assert shown == _worklist_order(alerts)  # each once, none lost, urgent first
    assert "Page 1 of 2 · 60 alerts" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()


def test_the_worklist_audit_names_only_the_page_shown(client, clinic):
    _alerts(clinic.patient_a, 60)
    verified_login(client, clinic.clinician_a)
    response = client.get("/measures/alerts/", {"page": 2})
    event = AuditEvent.objects.filter(object_type="alert_worklist").latest("seq")
    assert event.detail["alerts"] == [a.pk for a in response.context["alerts"]]
    assert len(event.detail["alerts"]) == 10


def test_the_worklist_filter_comes_before_the_page_and_stays_in_its_links(client, clinic):
    _alerts(clinic.patient_a, 55)
    acknowledged = _alerts(clinic.patient_a, 3, status=AlertStatus.ACKNOWLEDGED)
    verified_login(client, clinic.clinician_a)
    only = client.get("/measures/alerts/", {"status": "acknowledged", "page": 2})
    assert [a.pk for a in only.context["alerts"]] == _worklist_order(acknowledged)
    assert only.context["page"].number == 1  # past the end: the last page there is
    everything = client.get("/measures/alerts/", {"status": "all"})
    assert everything.context["page"].paginator.count == 58
    assert "status=all&amp;page=2" in everything.content.decode()
    fragment = client.get("/measures/alerts/", {"status": "all"}, HTTP_HX_REQUEST="true")
    assert "status=all&amp;page=2" in fragment.content.decode()  # the htmx table has its pager


@pytest.mark.parametrize("count", [3, 60])
def test_the_worklist_makes_as_many_queries_for_60_alerts_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _alerts(clinic.patient_a, count, immediate=1)
    verified_login(client, clinic.clinician_a)
    client.get("/measures/alerts/")  # per-process caches
    with django_assert_max_num_queries(14):
        response = client.get("/measures/alerts/")
    assert len(response.context["alerts"]) == min(count, 50)


def test_someone_without_an_alert_role_is_still_refused_the_worklist(client, clinic):
    _alerts(clinic.patient_a, 60)
    verified_login(client, clinic.billing_a)
    response = client.get("/measures/alerts/", {"page": 2})
    assert response.status_code == 403
    event = AuditEvent.objects.get(object_type="alert_worklist")
    assert event.outcome == "denied"


# --- the alert list of the API ---------------------------------------------------------------


def test_the_api_lists_alerts_50_at_a_time(client, clinic):
    alerts = _alerts(clinic.patient_a, 60, immediate=3)
    verified_login(client, clinic.clinician_a)
    first = client.get("/api/v1/measures/alerts")
    second = client.get("/api/v1/measures/alerts", {"offset": 50})
    assert first.status_code == second.status_code == 200
    assert len(first.json()) == 50
    assert len(second.json()) == 10
    assert [a["id"] for a in first.json() + second.json()] == _worklist_order(alerts)
    event = AuditEvent.objects.filter(object_type="alert").latest("seq")
    assert event.detail["alerts"] == [a["id"] for a in second.json()]  # the page only


def test_the_api_alert_filters_come_before_the_page(client, clinic):
    _alerts(clinic.patient_a, 55)
    acknowledged = _alerts(clinic.patient_a, 5, status=AlertStatus.ACKNOWLEDGED)
    verified_login(client, clinic.clinician_a)
    response = client.get(
        "/api/v1/measures/alerts",
        {"status": "acknowledged", "patient_id": clinic.patient_a.pk, "limit": 3, "offset": 3},
    )
    assert [a["id"] for a in response.json()] == _worklist_order(acknowledged)[3:]


@pytest.mark.parametrize("count", [3, 60])
def test_the_api_alert_list_makes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _alerts(clinic.patient_a, count)
    verified_login(client, clinic.clinician_a)
    client.get("/api/v1/measures/alerts")
    with django_assert_max_num_queries(11):
        response = client.get("/api/v1/measures/alerts")
    assert len(response.json()) == min(count, 50)


def test_the_api_alert_list_still_refuses_someone_without_an_alert_role(client, clinic):
    _alerts(clinic.patient_a, 60)
    verified_login(client, clinic.billing_a)
    response = client.get("/api/v1/measures/alerts", {"offset": 50})
    assert response.status_code == 403
    assert AuditEvent.objects.get(object_type="alert").outcome == "denied"


# --- a patient's administrations over the API -------------------------------------------------


def _administrations_url(clinic) -> str:
    return f"/api/v1/measures/patients/{clinic.patient_a.pk}/administrations"


def test_the_api_lists_administrations_50_at_a_time_newest_first(client, clinic):
    completed = _completed(clinic.patient_a, 60)
    verified_login(client, clinic.clinician_a)
    first = client.get(_administrations_url(clinic))
    second = client.get(_administrations_url(clinic), {"offset": 50})
    assert len(first.json()) == 50
    assert len(second.json()) == 10
    shown = [a["id"] for a in first.json() + second.json()]
    assert shown == [a.pk for a in reversed(completed)]  # each once, newest first
    event = AuditEvent.objects.filter(object_type="administration").latest("seq")
    assert event.detail["administrations"] == [a["id"] for a in second.json()]


def test_the_api_administration_status_filter_comes_before_the_page(client, clinic):
    _completed(clinic.patient_a, 55)
    due = Administration.objects.bulk_create(
        Administration(patient=clinic.patient_a, instrument_key="gad7", due_on=date(2026, 10, d))
        for d in range(1, 6)
    )
    verified_login(client, clinic.clinician_a)
    response = client.get(_administrations_url(clinic), {"status": "due", "limit": 3, "offset": 3})
    assert [a["id"] for a in response.json()] == [due[1].pk, due[0].pk]  # latest due first
    unfiltered = client.get(_administrations_url(clinic), {"limit": 2})
    assert [a["id"] for a in unfiltered.json()] == [due[4].pk, due[3].pk]  # not completed first


@pytest.mark.parametrize("count", [3, 60])
def test_the_api_administration_list_makes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _completed(clinic.patient_a, count)
    verified_login(client, clinic.clinician_a)
    client.get(_administrations_url(clinic))
    with django_assert_max_num_queries(12):  # the patient, then its facts for the rule
        response = client.get(_administrations_url(clinic))
    assert len(response.json()) == min(count, 50)


def test_the_api_administration_list_still_refuses_outside_the_care_scope(client, clinic):
    _completed(clinic.patient_a, 60)
    verified_login(client, clinic.clinician_b)
    response = client.get(_administrations_url(clinic), {"offset": 50})
    assert response.status_code == 403
    event = AuditEvent.objects.get(object_type="administration")
    assert (event.outcome, event.patient_id) == ("denied", clinic.patient_a.pk)


# --- the chart's completed questionnaires ----------------------------------------------------


def _chart_rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="administration-(\d+)"', html)]


def test_the_chart_shows_the_10_newest_questionnaires_and_links_to_all_of_them(client, clinic):
    completed = _completed(clinic.patient_a, 60)
    newest_first = [a.pk for a in reversed(completed)]
    verified_login(client, clinic.clinician_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert _chart_rows(chart) == newest_first[:10]
    assert "(the 10 newest of 60)" in chart
    url = f"/measures/patients/{clinic.patient_a.pk}/administrations/"
    assert f'<a href="{url}" data-testid="all-administrations">All 60 completed' in chart
    # All of them on a page of their own, 50 a page, the pager loading the next in place.
    page = client.get(url).content.decode()
    assert "<html" in page and clinic.patient_a.display_name in page
    assert _chart_rows(page) == newest_first[:50]
    assert "Page 1 of 2 · 60 questionnaires completed" in page
    assert f'hx-get="{url}?page=2" hx-target="closest section"' in page
    second = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true")
    html = second.content.decode()
    assert _chart_rows(html) == newest_first[50:]  # each once, newest first
    assert '<section id="administrations"' in html
    assert "<html" not in html  # the section only, swapped into the page
    event = AuditEvent.objects.filter(object_type="administration").latest("seq")
    assert (event.action, event.patient_id) == ("list", clinic.patient_a.pk)
    assert event.detail["administrations"] == newest_first[50:]
    # Without JavaScript the pager's link opens the next page on its own.
    assert _chart_rows(client.get(url, {"page": 2}).content.decode()) == newest_first[50:]


def test_the_chart_shows_every_questionnaire_when_there_are_10_or_fewer(client, clinic):
    completed = _completed(clinic.patient_a, 10)
    verified_login(client, clinic.clinician_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert _chart_rows(chart) == [a.pk for a in reversed(completed)]
    assert "newest of" not in chart and "all-administrations" not in chart


def test_the_chart_s_questionnaire_pages_are_refused_outside_the_care_scope(client, clinic):
    _completed(clinic.patient_a, 60)
    for user in (clinic.clinician_b, clinic.billing_a):
        verified_login(client, user)
        url = f"/measures/patients/{clinic.patient_a.pk}/administrations/"
        assert client.get(url, {"page": 2}).status_code == 403
    refusals = AuditEvent.objects.filter(object_type="administration", outcome="denied")
    assert refusals.count() == 2


@pytest.mark.parametrize("count", [3, 60])
def test_the_chart_s_questionnaire_page_makes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _completed(clinic.patient_a, count)
    verified_login(client, clinic.clinician_a)
    url = f"/measures/patients/{clinic.patient_a.pk}/administrations/"
    client.get(url, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(16):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert len(_chart_rows(response.content.decode())) == min(count, 50)


# --- the patient's questionnaires in the portal ---------------------------------------------


def _due(clinic, count: int) -> list[Administration]:
    """`count` due PHQ-9s of patient A's episode, a day apart, the soonest first."""
    return Administration.objects.bulk_create(
        Administration(
            patient=clinic.patient_a,
            episode=clinic.episode_a,
            instrument_key="phq9",
            instrument_version="1.1.0",
            due_on=date(2026, 10, 1) + timedelta(days=n),
        )
        for n in range(count)
    )


def _listed(response) -> list[int]:
    return [a.pk for a, _ in [*response.context["rows"], *response.context["in_session"]]]


def test_the_portal_shows_50_questionnaires_then_the_rest_soonest_due_first(client, clinic):
    due = _due(clinic, 60)
    client.force_login(clinic.patient_user_a)
    first = client.get("/measures/mine/")
    second = client.get("/measures/mine/", {"page": 2})
    assert first.status_code == second.status_code == 200
    assert len(_listed(first)) == 50
    assert _listed(first) + _listed(second) == [a.pk for a in due]
    assert "Page 1 of 2" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="portal_questionnaires").latest("seq")
    assert event.detail["administrations"] == _listed(second)  # the page only


@pytest.mark.parametrize("count", [3, 60])
def test_the_portal_list_makes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _due(clinic, count)
    client.force_login(clinic.patient_user_a)
    client.get("/measures/mine/")
    with django_assert_max_num_queries(14):
        response = client.get("/measures/mine/")
    assert len(_listed(response)) == min(count, 50)


def test_the_portal_list_is_still_refused_to_staff(client, clinic):
    _due(clinic, 60)
    verified_login(client, clinic.clinician_a)
    assert client.get("/measures/mine/", {"page": 2}).status_code == 403
