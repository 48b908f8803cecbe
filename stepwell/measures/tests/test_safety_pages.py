"""Pages for the safety work: incomplete answers kept from the pages, the crisis line on the
patient's pages, the urgent banner on staff pages, link lifetime and guessing throttle."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings
from django.utils import timezone

from stepwell.measures import services
from stepwell.measures.models import (
    Administration,
    Alert,
    AlertStatus,
    LinkLookupFailure,
    QuestionnaireLink,
)
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory

from .conftest import PHQ9_MILD, PHQ9_RISK
from .test_safety import ASQ_NON_ACUTE, PHQ9_RISK_ITEM_3_BLANK

PATIENT_NAME = "Avery Alder"
CRISIS_LINKS = ('href="tel:988"', 'href="sms:988"', 'href="tel:911"')


def _post(answers: dict) -> dict:
    return {key: str(value) for key, value in answers.items()}


def _send(clinic, instrument="phq9"):
    return services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key=instrument
    )


def _has_crisis_line(html: str) -> bool:
    return 'data-testid="crisis-line"' in html and all(link in html for link in CRISIS_LINKS)


# -- incomplete answers from the pages --------------------------------------------------------


def test_record_page_keeps_an_incomplete_phq9_with_a_risk_answer(client, clinic):
    verified_login(client, clinic.clinician_a)
    url = f"/measures/patients/{clinic.patient_a.pk}/record/"
    response = client.post(url, {"instrument": "phq9", **_post(PHQ9_RISK_ITEM_3_BLANK)})
    assert response.status_code == 302
    administration = Administration.objects.get()
    assert (administration.status, administration.total) == ("incomplete", None)
    assert Alert.objects.get().administration_id == administration.pk
    chart = client.get(response["Location"]).content.decode()
    assert "PHQ-9 saved as incomplete because it holds a safety answer" in chart
    assert "item 3 (phq9_3): is required but was not answered" in chart
    assert 'data-testid="incomplete"' in chart


def test_link_page_shows_the_crisis_line_before_and_after(client, clinic):
    path = f"/measures/q/{_send(clinic).token}/"
    before = client.get(path).content.decode()
    assert _has_crisis_line(before)
    assert PATIENT_NAME not in before
    done = client.post(path, _post(PHQ9_RISK_ITEM_3_BLANK))
    html = done.content.decode()
    assert done.status_code == 200
    assert _has_crisis_line(html)
    assert "Some questions were left blank" in html
    assert 'data-testid="crisis-resources"' in html
    assert Administration.objects.get().status == "incomplete"
    assert Alert.objects.get().immediate is True


def test_link_page_shows_the_crisis_line_without_a_risk_answer_too(client, clinic):
    done = client.post(f"/measures/q/{_send(clinic).token}/", _post(PHQ9_MILD))
    html = done.content.decode()
    assert _has_crisis_line(html)
    assert 'data-testid="crisis-resources"' not in html


def test_portal_pages_show_the_crisis_line_before_and_after(client, clinic):
    due = Administration.objects.create(
        patient=clinic.patient_a, episode=clinic.episode_a, instrument_key="phq9"
    )
    client.force_login(clinic.patient_user_a)
    assert _has_crisis_line(client.get("/measures/mine/").content.decode())
    assert _has_crisis_line(client.get(f"/measures/mine/{due.pk}/").content.decode())
    done = client.post(f"/measures/mine/{due.pk}/", _post(PHQ9_RISK_ITEM_3_BLANK))
    assert _has_crisis_line(done.content.decode())
    due.refresh_from_db()
    assert (due.status, due.source) == ("incomplete", "portal")


def test_invalid_link_page_shows_the_crisis_line(client, db):
    response = client.get("/measures/q/not-a-token/")
    assert response.status_code == 404
    assert _has_crisis_line(response.content.decode())


# -- ASQ kept to the session ------------------------------------------------------------------


def test_asq_link_made_before_the_setting_changed_shows_no_form(client, clinic):
    clinic.program_a.asq_in_session_only = False
    clinic.program_a.save()
    path = f"/measures/q/{_send(clinic, 'asq').token}/"
    clinic.program_a.asq_in_session_only = True
    clinic.program_a.save()
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="unavailable"' in html
    assert "asq_1" not in html
    assert _has_crisis_line(html)
    event = AuditEvent.objects.filter(object_type="administration", outcome="denied").get()
    assert "asked in session only" in event.detail["reason"]


def test_asq_answers_without_risk_sent_after_the_setting_changed_are_not_kept(client, clinic):
    clinic.program_a.asq_in_session_only = False
    clinic.program_a.save()
    path = f"/measures/q/{_send(clinic, 'asq').token}/"
    assert client.get(path).status_code == 200
    clinic.program_a.asq_in_session_only = True
    clinic.program_a.save()
    response = client.post(path, {f"asq_{n}": "no" for n in range(1, 5)})
    assert response.status_code == 409
    assert 'data-testid="unavailable"' in response.content.decode()
    assert "clinic setup" not in response.content.decode()
    assert not Administration.objects.filter(status="completed").exists()


def test_portal_lists_an_in_session_asq_apart(client, clinic):
    due = Administration.objects.create(
        patient=clinic.patient_a, episode=clinic.episode_a, instrument_key="asq"
    )
    client.force_login(clinic.patient_user_a)
    html = client.get("/measures/mine/").content.decode()
    assert "To answer with your care team" in html
    assert f"/measures/mine/{due.pk}/" not in html
    assert client.get(f"/measures/mine/{due.pk}/").status_code == 409


def test_chart_offers_no_asq_link_when_it_is_kept_to_the_session(client, clinic):
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    send_select = html.split('id="id_send_instrument"', 1)[1].split("</select>", 1)[0]
    record_select = html.split('id="id_record_instrument"', 1)[1].split("</select>", 1)[0]
    assert 'value="asq"' not in send_select
    assert 'value="asq"' in record_select


def _due_asqs_in_two_programs(clinic) -> dict[str, Administration]:
    """Due ASQs of patient A: one of an earlier episode in a program that lets the ASQ go
    by link, one of the open episode (in-session only), one of no episode."""
    from stepwell.patients.models import Episode

    clinic.program_b.asq_in_session_only = False
    clinic.program_b.save()
    earlier = Episode.objects.create(
        patient=clinic.patient_a,
        program=clinic.program_b,
        state="discharged",
        referred_on=clinic.episode_a.referred_on,
        admitted_on=clinic.episode_a.referred_on,
        discharged_on=clinic.episode_a.referred_on,
    )
    return {
        name: Administration.objects.create(
            patient=clinic.patient_a, episode=episode, instrument_key="asq"
        )
        for name, episode in (("b", earlier), ("a", clinic.episode_a), ("none", None))
    }


def test_chart_keeps_a_due_asq_to_the_session_by_its_own_episodes_program(client, clinic):
    """A due ASQ of an episode whose program lets it go by link offers the link; one of
    the in-session program's episode, or of no episode (the patient's open one, in that
    program), is marked in session only."""
    due = _due_asqs_in_two_programs(clinic)
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    rows = {
        name: html.split(f"administration={a.pk}", 1)[1].split("</li>", 1)[0]
        for name, a in due.items()
    }
    assert "in session only" not in rows["b"]
    assert f'name="administration" value="{due["b"].pk}"' in rows["b"]
    assert "in session only" in rows["a"]
    assert "in session only" in rows["none"]


def test_measures_panel_reads_the_episodes_itself_for_a_patient_read_alone(clinic):
    """chart_panel given a patient read without its episodes reads them (one query,
    with their programs) and flags the same questionnaires."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stepwell.measures.panels import chart_panel
    from stepwell.patients.models import Patient

    due = _due_asqs_in_two_programs(clinic)
    patient = Patient.objects.get(pk=clinic.patient_a.pk)
    with CaptureQueriesContext(connection) as queries:
        panel = chart_panel(user=clinic.clinician_a, patient=patient)
    flags = {row["administration"].pk: row["in_session_only"] for row in panel.due}
    assert flags == {due["b"].pk: False, due["a"].pk: True, due["none"].pk: True}
    episode_reads = [q for q in queries if q["sql"].startswith('SELECT "patients_episode"."id"')]
    assert len(episode_reads) == 1
    assert "clinic_program" in episode_reads[0]["sql"]


def test_send_page_explains_why_an_asq_link_is_refused(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/send/", {"instrument": "asq"}, follow=True
    )
    assert "asked in session only at Adult MH" in response.content.decode()
    assert QuestionnaireLink.objects.count() == 0


# -- switched-off instruments -------------------------------------------------------------------


def test_switched_off_instrument_is_not_offered_and_says_why(client, clinic):
    services.instrument_setting_set(
        actor=clinic.admin, instrument_key="dast10", enabled=False, reason="No CAMH licence"
    )
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    record_select = html.split('id="id_record_instrument"', 1)[1].split("</select>", 1)[0]
    assert 'value="dast10"' not in record_select
    assert "Switched off in this clinic: DAST-10 (No CAMH licence)." in html
    url = f"/measures/patients/{clinic.patient_a.pk}/record/"
    opened = client.get(f"{url}?instrument=dast10", follow=True).content.decode()
    assert "DAST-10 is switched off in this clinic: No CAMH licence." in opened
    assert "dast10_1" not in opened
    answers = {f"dast10_{n}": "no" for n in range(1, 11)}
    response = client.post(url, {"instrument": "dast10", **answers})
    assert response.status_code == 200
    assert "DAST-10 is switched off in this clinic: No CAMH licence." in response.content.decode()
    assert Administration.objects.count() == 0


# -- link lifetime and guessing ---------------------------------------------------------------


@override_settings(STEPWELL_QUESTIONNAIRE_LINK_HOURS=5)
def test_link_lifetime_follows_the_setting(clinic):
    sent = _send(clinic)
    lifetime = sent.expires_at - timezone.now()
    assert timedelta(hours=4, minutes=59) < lifetime <= timedelta(hours=5)


def test_link_hours_are_read_from_the_environment():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='stepwell.settings.test';"
        "django.setup(); from django.conf import settings;"
        "print(settings.STEPWELL_QUESTIONNAIRE_LINK_HOURS, "
        "settings.STEPWELL_QUESTIONNAIRE_LINK_FAILURES)"
    )
    environment = {
        **os.environ,
        "STEPWELL_QUESTIONNAIRE_LINK_HOURS": "12",
        "STEPWELL_QUESTIONNAIRE_LINK_FAILURES": "4",
    }
    output = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout
    assert output.split() == ["12", "4"]


@override_settings(STEPWELL_QUESTIONNAIRE_LINK_FAILURES=3)
def test_link_guessing_is_throttled_per_address(client, clinic):
    good = f"/measures/q/{_send(clinic).token}/"
    for n in range(3):
        assert client.get(f"/measures/q/guess-{n}/").status_code == 404
    blocked = client.get(good)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) == 15 * 60
    html = blocked.content.decode()
    assert "Too many links that did not work" in html
    assert _has_crisis_line(html)
    assert client.post(good, _post(PHQ9_MILD)).status_code == 429
    assert Administration.objects.filter(status="completed").count() == 0
    events = AuditEvent.objects.filter(object_type="questionnaire_link", outcome="denied")
    assert [e.detail["reason"] for e in events.order_by("seq")] == [
        "invalid, used or expired link"
    ] * 3 + ["too many links that opened nothing from this address"] * 2
    # another address is not affected
    other = client.get(good, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


@override_settings(STEPWELL_QUESTIONNAIRE_LINK_FAILURES=2)
def test_failures_outside_the_window_do_not_count(client, clinic):
    old = timezone.now() - timedelta(minutes=16)
    LinkLookupFailure.objects.create(client_address="127.0.0.1", occurred_at=old)
    LinkLookupFailure.objects.create(client_address="127.0.0.1", occurred_at=old)
    assert client.get(f"/measures/q/{_send(clinic).token}/").status_code == 200
    client.get("/measures/q/guess/")
    assert LinkLookupFailure.objects.count() == 1  # the old ones were dropped


# -- the urgent banner --------------------------------------------------------------------------


@pytest.fixture
def urgent(clinic):
    """An immediate alert: a suicide-risk answer by link; program A's on-call paged."""
    clinic.program_a.on_call_clinician = clinic.prescriber_a
    clinic.program_a.save()
    sent = _send(clinic)
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=sent.token, answers=PHQ9_RISK
    )
    return Alert.objects.get()


BANNER = 'data-testid="safety-banner"'


def _banner(html: str) -> str:
    return html.split(BANNER, 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize(
    ("who", "acts"),
    [
        ("clinician_a", True),
        ("prescriber_a", True),  # the on-call clinician
        ("nurse_a", True),
        ("intake_a", False),  # reads the chart, acts on no alert
        ("director_a", True),
    ],
)
@pytest.mark.parametrize("page", ["/caseload/", "/care/", "/schedule/", "/measures/alerts/"])
def test_banner_on_every_staff_page_of_the_program(client, clinic, urgent, who, acts, page):
    """The banner names no patient: it says what happened and where to act."""
    verified_login(client, getattr(clinic, who))
    response = client.get(page, follow=True)
    html = response.content.decode()
    assert response.status_code in (200, 403)  # a refused page still carries the banner
    banner = _banner(html)
    assert (
        "A patient of Adult MH gave an answer that needs an immediate safety evaluation" in banner
    )
    assert "PHQ-9: suicide-risk answer, answered by one-time link" in banner  # a chart reader
    assert PATIENT_NAME not in banner
    assert clinic.patient_a.mrn not in banner
    assert "On-call clinician" in banner
    worklist_link = f'href="/measures/alerts/#alert-{urgent.pk}"'
    assert (worklist_link in banner) is acts
    assert ("ask the care team" in banner) is not acts
    assert not AuditEvent.objects.filter(object_type="safety_banner").exists()


@pytest.mark.parametrize("who", ["billing_a", "admin", "clinician_b"])
def test_no_banner_for_billing_administrators_or_other_programs(client, clinic, urgent, who):
    verified_login(client, getattr(clinic, who))
    html = client.get("/caseload/").content.decode()
    assert BANNER not in html
    assert not AuditEvent.objects.filter(object_type="safety_banner").exists()


def test_patient_pages_show_no_banner(client, clinic, urgent):
    client.force_login(clinic.patient_user_a)
    assert BANNER not in client.get("/measures/mine/").content.decode()


def test_on_call_clinician_who_cannot_see_the_chart_gets_a_banner_without_the_name(client, clinic):
    outsider = UserFactory(username="oncall_b", roles=["clinician"], programs=[clinic.program_b])
    clinic.program_a.on_call_clinician = outsider
    clinic.program_a.save()
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=_send(clinic).token, answers=PHQ9_RISK
    )
    verified_login(client, outsider)
    html = client.get("/caseload/").content.decode()
    banner = html.split(BANNER, 1)[1].split("</section>", 1)[0]
    assert "A patient of Adult MH gave an answer" in banner
    assert "suicide-risk answer" not in banner.split("</h2>", 1)[1]  # no reason: not a reader
    assert "ask the care team" in banner
    assert PATIENT_NAME not in html
    assert clinic.patient_a.mrn not in html
    assert not AuditEvent.objects.filter(object_type="safety_banner").exists()


def test_banner_audits_nothing_and_the_worklist_it_opens_names_the_patient(client, clinic, urgent):
    """Showing the banner reads no one's record; opening the worklist from it does, and is
    audited with the patient it shows."""
    verified_login(client, clinic.nurse_a)
    before = AuditEvent.objects.count()
    html = client.get("/caseload/").content.decode()
    assert BANNER in html
    written = AuditEvent.objects.order_by("seq")[before:].values_list("object_type", flat=True)
    assert list(written) == ["caseload", "measures_summary"]  # the page's reads, no banner
    worklist = client.get("/measures/alerts/")
    assert PATIENT_NAME in worklist.content.decode()
    event = AuditEvent.objects.filter(object_type="alert_worklist").get()
    assert (event.username, event.detail["patients"], event.detail["alerts"]) == (
        "nurse_a",
        [clinic.patient_a.pk],
        [urgent.pk],
    )


def test_the_banner_is_computed_once_per_page_and_not_for_htmx_fragments(
    rf, clinic, urgent, django_assert_num_queries
):
    from stepwell.core.context_processors import stepwell as context

    request = rf.get("/caseload/")
    request.user, request.htmx = clinic.nurse_a, False
    rows = context(request)["safety_banner"]
    assert [row.alert_id for row in rows] == [urgent.pk]
    with django_assert_num_queries(0):
        assert context(request)["safety_banner"] == rows
    fragment = rf.get("/measures/alerts/", HTTP_HX_REQUEST="true")
    fragment.user, fragment.htmx = clinic.nurse_a, True
    with django_assert_num_queries(0):
        assert context(fragment)["safety_banner"] == []


def test_banner_stays_until_acknowledged(client, clinic, urgent):
    verified_login(client, clinic.clinician_a)
    assert BANNER in client.get("/caseload/").content.decode()
    client.post(f"/measures/alerts/{urgent.pk}/acknowledge/", {"note": "Called; safe."})
    assert BANNER not in client.get("/caseload/").content.decode()


def test_a_same_day_alert_shows_no_banner(client, clinic):
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers=PHQ9_RISK,
    )
    verified_login(client, clinic.clinician_a)
    assert BANNER not in client.get("/caseload/").content.decode()


def test_banner_for_an_acute_asq_in_session(client, clinic):
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="asq",
        answers=ASQ_NON_ACUTE | {"asq_5": "yes"},
    )
    verified_login(client, clinic.director_a)
    html = client.get("/caseload/").content.decode()
    assert "ASQ: suicide-risk answer (thoughts of suicide right now)" in html
    assert "No on-call clinician is set for Adult MH" in html


# -- the worklist names every patient it shows -----------------------------------------------


def test_worklist_audit_names_every_patient_shown(client, clinic, urgent):
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.team_patient_b.pk,
        instrument_key="phq9",
        answers=PHQ9_RISK,
    )
    verified_login(client, clinic.clinician_a)
    client.get("/measures/alerts/")
    event = AuditEvent.objects.get(object_type="alert_worklist")
    assert event.detail["patients"] == sorted([clinic.patient_a.pk, clinic.team_patient_b.pk])
    assert len(event.detail["alerts"]) == 2


def test_worklist_shows_the_immediate_alert_first(client, clinic, urgent):
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.team_patient_b.pk,
        instrument_key="phq9",
        answers=PHQ9_RISK,
    )
    verified_login(client, clinic.clinician_a)
    alerts = client.get("/measures/alerts/").context["alerts"]
    assert [a.immediate for a in alerts] == [True, False]


def test_the_banner_is_two_queries_whatever_the_alerts_and_pages(
    rf, clinic, urgent, django_assert_num_queries
):
    """It runs on every staff page: whether any urgent alert is open, then the alerts,
    whether the user reads each chart or may act, and the latest page, read together."""
    from stepwell.core.context_processors import stepwell as context
    from stepwell.measures.banner import safety_banner

    second = _send(clinic)
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=second.token, answers=PHQ9_RISK
    )
    clinic.nurse_a.role_keys()  # the roles are read once per request, before any page
    with django_assert_num_queries(2):
        rows = safety_banner(clinic.nurse_a)
    assert len(rows) == 2
    assert all(row.reason and row.can_act and row.program == "Adult MH" for row in rows)
    assert {row.on_call for row in rows} == {str(clinic.prescriber_a)}
    assert all(row.paged_at is not None for row in rows)
    request = rf.get("/caseload/")
    request.user, request.htmx = clinic.nurse_a, False
    assert context(request)["safety_banner"] == rows


def test_with_no_urgent_alert_open_anywhere_the_banner_is_one_lookup(
    clinic, urgent, django_assert_num_queries
):
    """The common case on every staff page: nothing urgent is open, so the access rules
    are not built at all; an acknowledged or same-day alert does not count."""
    from stepwell.measures.banner import safety_banner

    services.alert_acknowledge(actor=clinic.clinician_a, alert_id=urgent.pk, note="Called; safe.")
    assert Alert.objects.get(pk=urgent.pk).status == AlertStatus.ACKNOWLEDGED
    clinic.nurse_a.role_keys()
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers=PHQ9_RISK,
    )
    with django_assert_num_queries(1) as lookups:
        assert safety_banner(clinic.nurse_a) == []
    (lookup,) = lookups.captured_queries
    assert "measures_alert" in lookup["sql"]
    assert "patients_" not in lookup["sql"]  # no care-team or program rule was built
