"""Safety answers are never lost, and acute ones reach the on-call clinician at once:
incomplete submissions with a risk answer are kept from every path, alerts are raised only
for suicide risk and acute items, and immediate alerts are paged and recorded."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.measures import services
from stepwell.measures.models import (
    Administration,
    AdministrationStatus,
    Alert,
    AlertStatus,
    OnCallPage,
)
from stepwell.privacy.access.measures import questionnaire_link_for_token
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import UserFactory

from .conftest import PHQ9_MILD, PHQ9_RISK

JOB = system_actor("measures-due")

# The case: item 9 answered 2, item 3 left blank.
PHQ9_RISK_ITEM_3_BLANK = {k: v for k, v in PHQ9_RISK.items() if k != "phq9_3"}
PHQ9_MILD_ITEM_3_BLANK = {k: v for k, v in PHQ9_MILD.items() if k != "phq9_3"}
GAD7_SEVERE = {f"gad7_{n}": 3 for n in range(1, 8)}
DAST10_SEVERE = {f"dast10_{n}": "yes" for n in range(1, 11)} | {"dast10_3": "no"}
AUDIT_ZONE_IV = {f"audit_{n}": 4 for n in range(1, 11)}
ASQ_ACUTE = {"asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes"}
ASQ_NON_ACUTE = ASQ_ACUTE | {"asq_5": "no"}
ASQ_DECLINED_NO_ACUITY = {"asq_1": "declined", "asq_2": "no", "asq_3": "no", "asq_4": "no"}


@pytest.fixture
def on_call(clinic):
    """Program A's on-call clinician: a prescriber of program A."""
    clinic.program_a.on_call_clinician = clinic.prescriber_a
    clinic.program_a.save()
    return clinic.prescriber_a


def _in_session(clinic, answers, instrument="phq9"):
    return services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key=instrument,
        answers=answers,
    )


def _by_link(clinic, answers, instrument="phq9"):
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key=instrument
    )
    return services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=sent.token, answers=answers
    )


def _in_portal(clinic, answers, instrument="phq9"):
    due = Administration.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        instrument_key=instrument,
        due_on=clinic.episode_a.admitted_on,
    )
    return services.questionnaire_complete_own(
        actor=clinic.patient_user_a, administration_id=due.pk, answers=answers
    )


PATHS = {"in_session": _in_session, "link": _by_link, "portal": _in_portal}


@pytest.mark.parametrize("path", PATHS)
def test_incomplete_phq9_with_item_9_is_kept_and_raises_the_alert(clinic, on_call, path):
    recorded = PATHS[path](clinic, PHQ9_RISK_ITEM_3_BLANK)
    a = Administration.objects.get(pk=recorded.administration.pk)
    assert (a.status, a.total, a.band, a.flags) == ("incomplete", None, "", ["suicide_risk"])
    assert a.answers == {k: v for k, v in PHQ9_RISK_ITEM_3_BLANK.items()}
    assert a.problems == ["item 3 (phq9_3): is required but was not answered"]
    assert a.completed_at is not None
    alert = Alert.objects.get()
    assert (alert.kind, alert.status, alert.administration_id) == ("suicide_risk", "open", a.pk)
    assert "incomplete questionnaire" in alert.reason
    event = AuditEvent.objects.get(object_type="administration", action="create")
    assert (event.patient_id, event.detail["status"]) == (clinic.patient_a.pk, "incomplete")


@pytest.mark.parametrize("path", PATHS)
def test_incomplete_without_a_safety_answer_is_refused_and_nothing_stored(clinic, path):
    before = Administration.objects.filter(status__in=["completed", "incomplete"]).count()
    with pytest.raises(ApplicationError) as error:
        PATHS[path](clinic, PHQ9_MILD_ITEM_3_BLANK)
    assert error.value.field_errors == {"phq9_3": "Choose an answer."}
    assert Administration.objects.filter(status__in=["completed", "incomplete"]).count() == before
    assert Alert.objects.count() == 0


def test_an_invalid_answer_beside_a_risk_answer_is_kept_as_incomplete(clinic):
    recorded = _in_session(clinic, PHQ9_RISK | {"phq9_3": 7})
    a = recorded.administration
    assert (a.status, a.total) == ("incomplete", None)
    assert "phq9_3" not in a.answers
    assert a.problems == ["item 3 (phq9_3): answer 7 is not one of the options 0, 1, 2, 3"]
    assert Alert.objects.get().administration_id == a.pk


def test_incomplete_in_session_completes_the_due_questionnaire_as_incomplete(clinic):
    due = Administration.objects.create(
        patient=clinic.patient_a, episode=clinic.episode_a, instrument_key="phq9"
    )
    recorded = _in_session(clinic, PHQ9_RISK_ITEM_3_BLANK)
    assert recorded.administration.pk == due.pk
    due.refresh_from_db()
    assert due.status == AdministrationStatus.INCOMPLETE


def test_incomplete_by_link_uses_the_link_up(clinic):
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=sent.token, answers=PHQ9_RISK_ITEM_3_BLANK
    )
    assert questionnaire_link_for_token(sent.token) is None


@pytest.mark.parametrize(
    ("instrument", "answers"),
    [
        ("phq9", {f"phq9_{n}": 3 for n in range(1, 9)} | {"phq9_9": 0}),
        ("gad7", GAD7_SEVERE),
        ("dast10", DAST10_SEVERE),
        ("audit", AUDIT_ZONE_IV),
    ],
)
def test_severe_scores_raise_no_safety_alert(clinic, instrument, answers):
    recorded = _in_session(clinic, answers, instrument)
    assert recorded.administration.band in ("severe", "possible_dependence")
    assert recorded.alerts == ()
    assert Alert.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "instrument", "answers", "immediate"),
    [
        # PHQ-9 item 9 at 1 or more: same-day in session, immediate away from the clinic
        ("in_session", "phq9", PHQ9_RISK | {"phq9_9": 1}, False),
        ("link", "phq9", PHQ9_RISK | {"phq9_9": 1}, True),
        ("portal", "phq9", PHQ9_RISK | {"phq9_9": 1}, True),
        ("link", "phq9", PHQ9_RISK_ITEM_3_BLANK, True),
        # ASQ: acute (item 5 yes) or acuity not asked is immediate wherever it is answered
        ("in_session", "asq", ASQ_ACUTE, True),
        ("in_session", "asq", ASQ_DECLINED_NO_ACUITY, True),
        ("in_session", "asq", ASQ_NON_ACUTE, False),
        ("in_session", "asq", {k: v for k, v in ASQ_ACUTE.items() if k != "asq_3"}, True),
    ],
)
def test_immediate_response_pages_the_on_call_clinician(
    clinic, on_call, path, instrument, answers, immediate
):
    recorded = PATHS[path](clinic, answers, instrument)
    alert = Alert.objects.get()
    assert alert.immediate is immediate
    assert recorded.alerts == (alert,)
    pages = list(OnCallPage.objects.all())
    if not immediate:
        assert pages == []
        return
    [page] = pages
    assert (page.alert_id, page.program_id, page.clinician_id, page.channel) == (
        alert.pk,
        clinic.program_a.pk,
        on_call.pk,
        "banner",
    )
    assert page.paged_at is not None
    assert page.delivered_at is None  # for the messaging outbox to deliver
    event = AuditEvent.objects.get(object_type="on_call_page")
    assert (event.action, event.patient_id, event.detail["clinician"]) == (
        "page",
        clinic.patient_a.pk,
        on_call.pk,
    )


def test_page_is_recorded_when_the_program_has_no_on_call_clinician(clinic):
    _by_link(clinic, PHQ9_RISK)
    page = OnCallPage.objects.get()
    assert (page.program_id, page.clinician_id) == (clinic.program_a.pk, None)
    alert = Alert.objects.get()
    assert alert.immediate is True
    assert alert.reason.endswith("Immediate safety evaluation; no on-call clinician is set.")


def test_alert_reasons_say_what_happened(clinic, on_call):
    _by_link(clinic, PHQ9_RISK_ITEM_3_BLANK)
    assert Alert.objects.get().reason == (
        "PHQ-9: suicide-risk answer, answered by one-time link, in an incomplete "
        "questionnaire. Immediate safety evaluation; on-call clinician paged."
    )


def test_acknowledging_an_immediate_alert_closes_it(clinic, on_call):
    _by_link(clinic, PHQ9_RISK)
    alert = Alert.objects.get()
    services.alert_acknowledge(actor=on_call, alert_id=alert.pk, note="Called; safe at home.")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by_id) == (AlertStatus.ACKNOWLEDGED, on_call.pk)
    event = AuditEvent.objects.get(object_type="alert", action="acknowledge")
    assert event.detail == {"kind": "suicide_risk", "immediate": True}


# -- ASQ in session only -------------------------------------------------------------------


def test_asq_by_link_is_refused_by_default_with_a_clear_message(clinic):
    assert clinic.program_a.asq_in_session_only is True
    with pytest.raises(ApplicationError) as error:
        services.questionnaire_send(
            actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="asq"
        )
    assert error.value.message.startswith(
        "The ASQ suicide screen is asked in session only at Adult MH"
    )
    assert "instrument" in error.value.field_errors
    assert Administration.objects.count() == 0


def test_asq_by_link_is_allowed_when_the_program_allows_it(clinic, on_call):
    clinic.program_a.asq_in_session_only = False
    clinic.program_a.save()
    recorded = _by_link(clinic, ASQ_NON_ACUTE, "asq")
    assert (recorded.administration.band, recorded.administration.source) == (
        "non_acute_positive",
        "link",
    )
    assert Alert.objects.get().immediate is True  # a risk answer from home


def test_asq_due_in_the_portal_is_refused_without_a_risk_answer(clinic):
    with pytest.raises(ApplicationError, match="asked in session only"):
        _in_portal(clinic, {f"asq_{n}": "no" for n in range(1, 5)}, "asq")
    assert not Administration.objects.filter(status="completed").exists()


def test_asq_answered_anyway_keeps_its_risk_answer(clinic, on_call):
    """Safety answers are never lost: a risk answer is kept even where the ASQ should not
    have been offered, and the audit trail says so."""
    recorded = _in_portal(clinic, ASQ_ACUTE, "asq")
    assert recorded.administration.band == "acute_positive"
    assert Alert.objects.get().immediate is True
    event = AuditEvent.objects.get(object_type="administration", action="create")
    assert "asked in session only" in event.detail["kept_despite"]


def test_asq_in_session_is_always_allowed(clinic):
    recorded = _in_session(clinic, ASQ_NON_ACUTE, "asq")
    assert recorded.administration.source == "clinician"


# -- instruments switched off ----------------------------------------------------------------


@pytest.fixture
def dast_off(clinic):
    return services.instrument_setting_set(
        actor=clinic.admin, instrument_key="dast10", enabled=False, reason="No CAMH licence"
    )


def test_switched_off_instrument_cannot_be_sent_recorded_or_scheduled(clinic, dast_off):
    message = "DAST-10 is switched off in this clinic: No CAMH licence."
    with pytest.raises(ApplicationError, match=message):
        services.questionnaire_send(
            actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="dast10"
        )
    with pytest.raises(ApplicationError, match=message):
        _in_session(clinic, DAST10_SEVERE, "dast10")
    with pytest.raises(ApplicationError, match=message) as error:
        services.schedule_rule_set(
            actor=clinic.director_a,
            program_id=clinic.program_a.pk,
            instrument_key="dast10",
            at_admission=True,
        )
    assert "instrument_key" in error.value.field_errors
    assert Administration.objects.count() == 0


def test_switched_off_instrument_is_not_made_due_by_the_schedule(clinic):
    services.schedule_rule_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        instrument_key="dast10",
        at_admission=True,
    )
    services.instrument_setting_set(actor=clinic.admin, instrument_key="dast10", enabled=False)
    assert services.due_questionnaires_generate(actor=JOB, today=clinic.episode_a.admitted_on) == []
    services.instrument_setting_set(actor=clinic.admin, instrument_key="dast10", enabled=True)
    created = services.due_questionnaires_generate(actor=JOB, today=clinic.episode_a.admitted_on)
    assert [a.instrument_key for a in created] == ["dast10"]


def test_history_of_a_switched_off_instrument_stays_readable(clinic):
    from stepwell.measures import selectors

    _in_session(clinic, DAST10_SEVERE, "dast10")
    services.instrument_setting_set(actor=clinic.admin, instrument_key="dast10", enabled=False)
    rows = selectors.administrations_for_patient(
        user=clinic.clinician_a, patient_id=clinic.patient_a.pk
    )
    assert [(a.instrument_key, a.total) for a in rows] == [("dast10", 10)]


@pytest.mark.parametrize("who", ["director_a", "clinician_a", "billing_a", "patient_user_a"])
def test_only_administrators_switch_instruments(clinic, who):
    with pytest.raises(AccessDenied):
        services.instrument_setting_set(
            actor=getattr(clinic, who), instrument_key="dast10", enabled=False
        )
    assert AuditEvent.objects.get(object_type="instrument_setting").outcome == "denied"


def test_switching_is_audited_and_unknown_instruments_refused(clinic, dast_off):
    event = AuditEvent.objects.get(object_type="instrument_setting")
    assert (event.username, event.detail) == (
        "admin",
        {"instrument": "dast10", "enabled": False, "reason": "No CAMH licence"},
    )
    with pytest.raises(ApplicationError) as error:
        services.instrument_setting_set(actor=clinic.admin, instrument_key="cssrs", enabled=False)
    assert error.value.field_errors == {"instrument_key": "Unknown instrument."}


def test_on_call_clinician_of_another_program_is_paged_for_that_program(clinic):
    elsewhere = UserFactory(username="oncall_b", roles=["clinician"], programs=[clinic.program_b])
    clinic.program_a.on_call_clinician = elsewhere
    clinic.program_a.save()
    _by_link(clinic, PHQ9_RISK)
    assert OnCallPage.objects.get().clinician_id == elsewhere.pk
