"""Pages: chart panel, caseload cells, recording, links, portal and the alert worklist
(htmx variant too), with a role matrix that checks nothing leaks or changes."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from stepwell.measures import services
from stepwell.measures.models import Administration, Alert, QuestionnaireLink
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import PHQ9_MILD, PHQ9_RISK, PHQ9_SEVERE

PATIENT_NAME = "Avery Alder"


def _post_answers(answers: dict) -> dict:
    return {key: str(value) for key, value in answers.items()}


def _history(clinic):
    for answers in (PHQ9_SEVERE, PHQ9_RISK, PHQ9_MILD):
        services.administration_record(
            actor=clinic.clinician_a,
            patient_id=clinic.patient_a.pk,
            instrument_key="phq9",
            answers=answers,
        )


def test_chart_shows_trajectory_alerts_and_item_answers(client, clinic):
    _history(clinic)
    verified_login(client, clinic.clinician_a)
    response = client.get(f"/patients/{clinic.patient_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="trajectory-phq9"' in html
    assert "<svg" in html
    assert "Moderately severe" in html  # a shaded band's label
    assert 'data-change="improvement"' in html  # 24 -> 9 is a reliable improvement
    assert html.count('data-testid="measure-alert"') == 1  # the risk answer; severe is no alert
    assert "Thoughts that you would be better off dead" in html
    assert "Acknowledge" in html


def test_chart_panel_hidden_from_billing(client, clinic):
    _history(clinic)
    verified_login(client, clinic.billing_a)
    html = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert "trajectory" not in html
    assert "measure-alert" not in html


def test_intake_sees_scores_but_not_alerts(client, clinic):
    _history(clinic)
    verified_login(client, clinic.intake_a)
    html = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert 'data-testid="trajectory-phq9"' in html
    assert "measure-alert" not in html


def test_caseload_shows_latest_score_direction_alerts_and_overdue(client, clinic):
    _history(clinic)
    Administration.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        instrument_key="gad7",
        due_on=date(2020, 1, 1),
    )
    verified_login(client, clinic.clinician_a)
    html = client.get("/caseload/").content.decode()
    assert "PHQ-9 <strong>9</strong>" in html
    assert 'aria-label="improving"' in html
    assert '<a class="badge alert-badge"' in html
    assert "1 alert<" in html
    assert "1 overdue" in html
    summary = AuditEvent.objects.get(object_type="measures_summary")
    assert summary.detail["patients"] == sorted([clinic.patient_a.pk, clinic.team_patient_b.pk])
    htmx = client.get("/caseload/", HTTP_HX_REQUEST="true").content.decode()
    assert "1 alert<" in htmx


def test_caseload_cells_empty_for_billing(client, clinic):
    _history(clinic)
    verified_login(client, clinic.billing_a)
    html = client.get("/caseload/").content.decode()
    assert "PHQ-9" not in html
    assert 'data-testid="alert-count"' not in html
    assert "measures-cell" not in html


def test_record_page_saves_and_raises_alert(client, clinic):
    verified_login(client, clinic.nurse_a)
    url = f"/measures/patients/{clinic.patient_a.pk}/record/?instrument=phq9"
    assert client.get(url).status_code == 200
    response = client.post(url, {"instrument": "phq9", **_post_answers(PHQ9_RISK)})
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{clinic.patient_a.pk}/"
    assert Alert.objects.get().kind == "suicide_risk"


def test_record_page_names_the_missing_item(client, clinic):
    verified_login(client, clinic.clinician_a)
    answers = _post_answers(PHQ9_MILD)
    del answers["phq9_3"]
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/record/", {"instrument": "phq9", **answers}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"phq9_3": ["Choose an answer."]}
    assert Administration.objects.count() == 0


def test_the_form_sent_back_keeps_each_answer_as_djangos_own_radio_would(client, clinic):
    """The page writes the radios itself (Django's widget templates were most of its
    time): each is still the markup Django's widget renders, the answers given checked."""
    verified_login(client, clinic.clinician_a)
    answers = _post_answers(PHQ9_MILD)
    del answers["phq9_3"]
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/record/", {"instrument": "phq9", **answers}
    )
    page = response.content.decode()
    form = response.context["form"]
    radios = [choice for field in form for choice in field]
    assert len(radios) == 4 * len(form.fields) == 40  # ten items, four answers each
    for choice in radios:
        assert f"{choice.tag()} {choice.choice_label}</label>" in page
    checked = [c.data["name"] for c in radios if "checked" in str(c.tag())]
    assert checked == [key for key in form.fields if key in answers]  # all but item 3
    assert "phq9_3" not in checked and page.count(" checked>") == len(checked) > 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("clinician_a", True),
        ("prescriber_a", True),
        ("nurse_a", True),
        ("intake_a", True),
        ("director_a", False),
        ("billing_a", False),
        ("admin", False),
        ("clinician_b", False),
        ("patient_user_a", False),
    ],
)
def test_record_page_role_matrix(client, clinic, who, allowed):
    verified_login(client, getattr(clinic, who))
    url = f"/measures/patients/{clinic.patient_a.pk}/record/"
    response = client.post(url, {"instrument": "phq9", **_post_answers(PHQ9_RISK)})
    if allowed:
        assert response.status_code == 302
        assert Administration.objects.count() == 1
        return
    assert response.status_code == 403
    assert PATIENT_NAME not in response.content.decode()
    assert Administration.objects.count() == 0
    assert Alert.objects.count() == 0
    event = AuditEvent.objects.get(object_type="administration")
    assert (event.outcome, event.patient_id) == ("denied", clinic.patient_a.pk)


@pytest.mark.parametrize("who", ["director_a", "billing_a", "admin", "clinician_b"])
def test_send_link_denied(client, clinic, who):
    verified_login(client, getattr(clinic, who))
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/send/", {"instrument": "phq9"}
    )
    assert response.status_code == 403
    assert PATIENT_NAME not in response.content.decode()
    assert QuestionnaireLink.objects.count() == 0
    assert Administration.objects.count() == 0
    assert AuditEvent.objects.get(object_type="questionnaire_link").outcome == "denied"


def test_send_link_then_patient_completes_anonymously(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/send/", {"instrument": "phq9"}
    )
    assert response.status_code == 200
    url = response.context["url"]
    path = url.split("testserver", 1)[1]
    assert path.startswith("/measures/q/")
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert PATIENT_NAME not in page.content.decode()  # a forwarded link reveals no name
    done = client.post(path, _post_answers(PHQ9_RISK))
    assert done.status_code == 200
    assert 'data-testid="crisis-resources"' in done.content.decode()
    assert "988" in done.content.decode()
    assert Alert.objects.get().kind == "suicide_risk"
    again = client.get(path)
    assert again.status_code == 404
    assert (
        AuditEvent.objects.filter(object_type="questionnaire_link", outcome="denied").count() == 1
    )


@override_settings(STEPWELL_CRISIS_RESOURCES="Call the Samaritans on 116 123")
def test_crisis_resources_are_configurable(client, clinic):
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    done = client.post(f"/measures/q/{sent.token}/", _post_answers(PHQ9_RISK))
    assert "Call the Samaritans on 116 123" in done.content.decode()
    assert "Call or text 988" not in done.content.decode()


def test_no_crisis_box_without_a_risk_answer(client, clinic):
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    done = client.post(f"/measures/q/{sent.token}/", _post_answers(PHQ9_MILD))
    assert "crisis-resources" not in done.content.decode()


def test_bad_token_is_a_404_and_audited(client, db):
    response = client.get("/measures/q/not-a-real-token/")
    assert response.status_code == 404
    assert AuditEvent.objects.get().outcome == "denied"


def test_portal_lists_and_completes_own_questionnaire(client, clinic):
    due = Administration.objects.create(
        patient=clinic.patient_a, episode=clinic.episode_a, instrument_key="phq9"
    )
    client.force_login(clinic.patient_user_a)
    assert "Patient Health Questionnaire-9" in client.get("/measures/mine/").content.decode()
    response = client.post(f"/measures/mine/{due.pk}/", _post_answers(PHQ9_MILD))
    assert response.status_code == 200
    due.refresh_from_db()
    assert (due.status, due.source) == ("completed", "portal")


def test_portal_refuses_another_patients_questionnaire(client, clinic):
    due = Administration.objects.create(
        patient=clinic.patient_a, episode=clinic.episode_a, instrument_key="phq9"
    )
    client.force_login(clinic.patient_user_b)
    response = client.post(f"/measures/mine/{due.pk}/", _post_answers(PHQ9_MILD))
    assert response.status_code == 403
    due.refresh_from_db()
    assert due.status == "due"
    assert AuditEvent.objects.get(object_type="administration").outcome == "denied"


# -- alert worklist ---------------------------------------------------------------------


@pytest.fixture
def alert(clinic):
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers=PHQ9_RISK,
    )
    return Alert.objects.get()


def test_worklist_and_htmx_acknowledge(client, clinic, alert):
    verified_login(client, clinic.clinician_a)
    page = client.get("/measures/alerts/")
    assert page.status_code == 200
    assert PATIENT_NAME in page.content.decode()
    response = client.post(
        f"/measures/alerts/{alert.pk}/acknowledge/",
        {"note": "Called; safety plan updated."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="alert-{alert.pk}"')
    assert "<html" not in html
    assert "Called; safety plan updated." in html
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    partial = client.get("/measures/alerts/?status=open", HTTP_HX_REQUEST="true")
    assert partial.content.decode().strip().startswith('<div id="alert-table"')
    assert "No alerts." in partial.content.decode()


def test_htmx_acknowledge_without_note_shows_the_field_error(client, clinic, alert):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/measures/alerts/{alert.pk}/acknowledge/", {"note": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Describe the action taken." in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"


def test_acknowledge_from_chart_redirects_back(client, clinic, alert):
    verified_login(client, clinic.director_a)
    chart = f"/patients/{clinic.patient_a.pk}/"
    response = client.post(
        f"/measures/alerts/{alert.pk}/acknowledge/", {"note": "Reviewed", "next": chart}
    )
    assert response.status_code == 302
    assert response["Location"] == chart


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("clinician_a", True),
        ("prescriber_a", True),
        ("nurse_a", True),
        ("director_a", True),
        ("intake_a", False),
        ("billing_a", False),
        ("admin", False),
        ("clinician_b", False),
        ("patient_user_a", False),
    ],
)
def test_acknowledge_page_role_matrix(client, clinic, alert, who, allowed):
    verified_login(client, getattr(clinic, who))
    response = client.post(f"/measures/alerts/{alert.pk}/acknowledge/", {"note": "Done"})
    alert.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert alert.status == "acknowledged"
        return
    assert response.status_code == 403
    assert PATIENT_NAME not in response.content.decode()
    assert alert.status == "open"
    event = AuditEvent.objects.get(object_type="alert")
    assert (event.outcome, event.patient_id) == ("denied", clinic.patient_a.pk)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("clinician_a", True),
        ("director_a", True),
        ("nurse_a", True),
        ("clinician_b", False),
        ("intake_a", None),
        ("billing_a", None),
        ("admin", None),
        ("patient_user_a", None),
    ],
)
def test_worklist_role_matrix(client, clinic, alert, who, sees):
    verified_login(client, getattr(clinic, who))
    response = client.get("/measures/alerts/")
    html = response.content.decode()
    if sees is None:
        assert response.status_code == 403
        assert AuditEvent.objects.get(object_type="alert_worklist").outcome == "denied"
    else:
        assert response.status_code == 200
        assert (PATIENT_NAME in html) is sees
        event = AuditEvent.objects.get(object_type="alert_worklist")
        assert event.detail["alerts"] == ([alert.pk] if sees else [])
    if not sees:
        assert PATIENT_NAME not in html


# -- bad input on the pages: a clear message, nothing stored ------------------------------


@pytest.mark.parametrize("number", ["abc", "0", "٣", "9" * 30])
def test_record_page_refuses_a_questionnaire_number_that_is_not_one(client, clinic, number):
    verified_login(client, clinic.clinician_a)
    url = f"/measures/patients/{clinic.patient_a.pk}/record/"
    response = client.post(
        url, {"instrument": "phq9", "administration": number, **_post_answers(PHQ9_MILD)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{clinic.patient_a.pk}/"
    assert Administration.objects.count() == 0
    chart = client.get(response["Location"]).content.decode()
    assert "Not a questionnaire number." in chart


def test_send_refuses_a_questionnaire_number_that_is_not_one(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/send/",
        {"instrument": "phq9", "administration": "abc"},
        follow=True,
    )
    assert "Not a questionnaire number." in response.content.decode()
    assert QuestionnaireLink.objects.count() == 0
    assert Administration.objects.count() == 0


def test_send_names_a_questionnaire_that_is_not_due(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/send/",
        {"instrument": "phq9", "administration": "987654"},
        follow=True,
    )
    assert "Not a due questionnaire of this patient." in response.content.decode()
    assert QuestionnaireLink.objects.count() == 0


def test_worklist_reads_an_unknown_status_as_open(client, clinic, alert):
    verified_login(client, clinic.clinician_a)
    response = client.get("/measures/alerts/?status=nonsense")
    assert response.status_code == 200
    assert [a.pk for a in response.context["alerts"]] == [alert.pk]
    assert AuditEvent.objects.get(object_type="alert_worklist").detail["status"] == "open"
