"""Clinic setup (/setup/): switching instruments off through the audited service, and the
programs' on-call clinician and ASQ setting."""

from __future__ import annotations

from stepwell.measures.models import InstrumentSetting
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login


def test_administrator_switches_an_instrument_off_in_clinic_setup(client, clinic):
    verified_login(client, clinic.admin)
    page = client.get("/setup/measures/instrumentsetting/add/")
    assert page.status_code == 200
    assert "DAST-10: Drug Abuse Screening Test" in page.content.decode()
    response = client.post(
        "/setup/measures/instrumentsetting/add/",
        {"instrument_key": "dast10", "reason": "No CAMH licence for commercial use"},
    )
    assert response.status_code == 302
    setting = InstrumentSetting.objects.get()
    assert (setting.instrument_key, setting.enabled, setting.changed_by_id) == (
        "dast10",
        False,
        clinic.admin.pk,
    )
    event = AuditEvent.objects.get(object_type="instrument_setting")
    assert event.detail["enabled"] is False
    switch_on = client.post(
        f"/setup/measures/instrumentsetting/{setting.pk}/change/",
        {"enabled": "on", "reason": ""},
    )
    assert switch_on.status_code == 302
    setting.refresh_from_db()
    assert (setting.instrument_key, setting.enabled) == ("dast10", True)
    assert AuditEvent.objects.filter(object_type="instrument_setting").count() == 2


def test_program_setup_shows_the_on_call_clinician_and_asq_setting(client, clinic):
    verified_login(client, clinic.admin)
    page = client.get(f"/setup/clinic/program/{clinic.program_a.pk}/change/").content.decode()
    assert 'name="on_call_clinician"' in page
    assert 'name="asq_in_session_only"' in page
    options = page.split('name="on_call_clinician"', 1)[1].split("</select>", 1)[0]
    assert "clin_a" in options or str(clinic.clinician_a) in options
    assert str(clinic.billing_a) not in options  # only clinical staff are on call
    listing = client.get("/setup/clinic/program/").content.decode()
    assert "ASQ in session only" in listing


def test_schedule_rules_in_setup_refuse_switched_off_and_unknown_instruments(client, clinic):
    from stepwell.measures import services
    from stepwell.measures.models import ScheduleRule

    services.instrument_setting_set(
        actor=clinic.admin, instrument_key="dast10", enabled=False, reason="No CAMH licence"
    )
    verified_login(client, clinic.admin)
    form = {"program": clinic.program_a.pk, "at_admission": "on", "active": "on"}
    for key, message in (
        (
            "dast10",
            "DAST-10 is switched off in this clinic: No CAMH licence. Its past scores stay on the chart.",
        ),
        ("cssrs", "Unknown instrument."),
    ):
        response = client.post("/setup/measures/schedulerule/add/", form | {"instrument_key": key})
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert errors == {"instrument_key": [message]}
    assert ScheduleRule.objects.count() == 0
    ok = client.post("/setup/measures/schedulerule/add/", form | {"instrument_key": "PHQ9"})
    assert ok.status_code == 302
    assert ScheduleRule.objects.get().instrument_key == "phq9"


def test_schedule_rules_in_setup_go_through_the_audited_service(client, clinic):
    from stepwell.measures.models import ScheduleRule

    verified_login(client, clinic.admin)
    form = {"program": clinic.program_a.pk, "instrument_key": "gad7", "active": "on"}
    added = client.post("/setup/measures/schedulerule/add/", form | {"every_days": "7"})
    assert added.status_code == 302
    rule = ScheduleRule.objects.get()
    change = f"/setup/measures/schedulerule/{rule.pk}/change/"
    page = client.get(change).content.decode()
    assert (
        'name="instrument_key"' in page
        and "disabled" in page.split('name="instrument_key"')[1][:80]
    )
    changed = client.post(change, form | {"every_days": "14", "instrument_key": "phq9"})
    assert changed.status_code == 302
    assert list(ScheduleRule.objects.values_list("instrument_key", "every_days")) == [("gad7", 14)]
    events = AuditEvent.objects.filter(object_type="measurement_schedule").order_by("seq")
    assert [(e.username, e.detail["rule"]) for e in events] == [
        ("admin", "gad7: weekly"),
        ("admin", "gad7: every 14 days"),
    ]
    assert client.get(f"/setup/measures/schedulerule/{rule.pk}/delete/").status_code == 403


def test_a_link_to_a_switched_off_instrument_shows_no_questions(client, clinic):
    from stepwell.measures import services

    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="dast10"
    )
    services.instrument_setting_set(actor=clinic.admin, instrument_key="dast10", enabled=False)
    response = client.get(f"/measures/q/{sent.token}/")
    assert response.status_code == 409
    assert "dast10_1" not in response.content.decode()
