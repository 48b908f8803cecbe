"""Service tests: recording raises alerts, acknowledging closes them, schedules create due
questionnaires, links work once, loaded definitions are stored by version."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.measures import selectors, services
from stepwell.measures.models import (
    Administration,
    AdministrationStatus,
    Alert,
    AlertKind,
    AlertStatus,
    InstrumentDefinition,
    QuestionnaireLink,
    ScheduleRule,
)
from stepwell.patients.models import EpisodeState
from stepwell.privacy.access.measures import questionnaire_link_for_token
from stepwell.privacy.actors import system_actor
from stepwell.privacy.audit import audit_verify
from stepwell.privacy.models import AuditChainHead, AuditEvent
from stepwell.testing.factories import EpisodeFactory, PatientFactory

from .conftest import PHQ9_MILD, PHQ9_RISK, PHQ9_SEVERE

JOB = system_actor("measures-due")
LOADER = system_actor("instruments-load")

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"


def _record(clinic, answers, user=None, **kwargs):
    return services.administration_record(
        actor=user or clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers=answers,
        **kwargs,
    )


def test_record_scores_and_stores_item_answers(clinic):
    recorded = _record(clinic, PHQ9_MILD)
    a = Administration.objects.get(pk=recorded.administration.pk)
    assert (a.status, a.total, a.band, a.flags) == ("completed", 9, "mild", [])
    assert a.answers["phq9_1"] == 2
    assert a.item_scores["phq9_1"] == 2
    assert a.episode_id == clinic.episode_a.pk
    assert a.instrument_version == "1.0.0" or a.instrument_version
    assert a.source == "clinician"
    assert recorded.alerts == ()
    assert Alert.objects.count() == 0
    event = AuditEvent.objects.filter(object_type="administration", action="create").get()
    assert (event.patient_id, event.outcome, event.username) == (
        clinic.patient_a.pk,
        "allowed",
        "clin_a",
    )


def test_suicide_risk_answer_raises_an_alert_at_once(clinic):
    recorded = _record(clinic, PHQ9_RISK)
    assert recorded.risk is True
    alert = Alert.objects.get()
    assert (alert.kind, alert.status, alert.patient_id) == (
        AlertKind.SUICIDE_RISK,
        AlertStatus.OPEN,
        clinic.patient_a.pk,
    )
    assert alert.administration_id == recorded.administration.pk


def test_severe_band_is_a_finding_not_an_alert(clinic):
    recorded = _record(clinic, PHQ9_SEVERE)
    assert (recorded.administration.band, recorded.alerts) == ("severe", ())
    assert Alert.objects.count() == 0


def test_severe_band_with_a_risk_answer_raises_one_suicide_risk_alert(clinic):
    answers = PHQ9_SEVERE | {"phq9_9": 3}
    recorded = _record(clinic, answers)
    assert [(a.kind, a.immediate) for a in recorded.alerts] == [("suicide_risk", False)]
    assert recorded.alerts[0].reason == "PHQ-9: suicide-risk answer. Same-day safety follow-up."


def test_invalid_answers_store_nothing_and_name_the_item(clinic):
    answers = dict(PHQ9_MILD)
    del answers["phq9_4"]
    with pytest.raises(ApplicationError) as error:
        _record(clinic, answers)
    assert "phq9_4" in error.value.field_errors
    assert Administration.objects.count() == 0
    assert Alert.objects.count() == 0


@pytest.mark.parametrize(
    "who", ["billing_a", "admin", "director_a", "clinician_b", "patient_user_a"]
)
def test_record_denied_changes_nothing_and_is_audited(clinic, who):
    with pytest.raises(AccessDenied):
        _record(clinic, PHQ9_RISK, user=getattr(clinic, who))
    assert Administration.objects.count() == 0
    assert Alert.objects.count() == 0
    event = AuditEvent.objects.get(object_type="administration")
    assert (event.outcome, event.patient_id) == ("denied", clinic.patient_a.pk)


def test_record_completes_the_due_questionnaire(clinic):
    due = Administration.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        instrument_key="phq9",
        due_on=date(2026, 10, 8),
        occurrence="day-7",
    )
    recorded = _record(clinic, PHQ9_MILD)
    assert recorded.administration.pk == due.pk
    assert Administration.objects.count() == 1


def test_acknowledge_needs_a_note_and_closes_the_alert(clinic):
    _record(clinic, PHQ9_RISK)
    alert = Alert.objects.get()
    with pytest.raises(ApplicationError) as error:
        services.alert_acknowledge(actor=clinic.nurse_a, alert_id=alert.pk, note="  ")
    assert error.value.field_errors == {"note": "Describe the action taken."}
    services.alert_acknowledge(
        actor=clinic.nurse_a, alert_id=alert.pk, note="Called patient; safety plan reviewed."
    )
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert alert.acknowledged_by == clinic.nurse_a
    assert alert.action_note == "Called patient; safety plan reviewed."
    event = AuditEvent.objects.get(object_type="alert", action="acknowledge")
    assert (event.outcome, event.patient_id, event.username) == (
        "allowed",
        clinic.patient_a.pk,
        "nurse_a",
    )
    with pytest.raises(ApplicationError):
        services.alert_acknowledge(actor=clinic.nurse_a, alert_id=alert.pk, note="again")


@pytest.mark.parametrize("who", ["billing_a", "admin", "intake_a", "clinician_b", "patient_user_a"])
def test_acknowledge_denied_roles(clinic, who):
    _record(clinic, PHQ9_RISK)
    alert = Alert.objects.get()
    with pytest.raises(AccessDenied):
        services.alert_acknowledge(actor=getattr(clinic, who), alert_id=alert.pk, note="done")
    alert.refresh_from_db()
    assert alert.status == "open"
    assert AuditEvent.objects.filter(object_type="alert", outcome="denied").count() == 1


def test_worklist_puts_care_team_patients_first(clinic):
    _record(clinic, PHQ9_RISK)
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.team_patient_b.pk,
        instrument_key="phq9",
        answers=PHQ9_SEVERE | {"phq9_9": 1},
    )
    alerts = list(selectors.alerts_for_user(user=clinic.clinician_a))
    assert [a.patient_id for a in alerts] == [clinic.team_patient_b.pk, clinic.patient_a.pk]
    assert [a.on_my_team for a in alerts] == [True, False]
    assert list(selectors.alerts_for_user(user=clinic.clinician_b)) == [alerts[0]]
    assert list(selectors.alerts_for_user(user=clinic.billing_a)) == []
    assert list(selectors.alerts_for_user(user=clinic.intake_a)) == []


# -- schedules --------------------------------------------------------------------------


@pytest.fixture
def scheduled(clinic):
    ScheduleRule.objects.create(
        program=clinic.program_a, instrument_key="phq9", at_admission=True, every_days=7
    )
    ScheduleRule.objects.create(
        program=clinic.program_a, instrument_key="audit", at_admission=True, at_discharge=True
    )
    episode = clinic.episode_a
    episode.admitted_on = date(2026, 10, 1)
    episode.save()
    return clinic


def _due(episode):
    return sorted(
        Administration.objects.filter(episode=episode).values_list(
            "instrument_key", "occurrence", "due_on", "status"
        )
    )


def test_schedule_creates_admission_questionnaires(scheduled):
    created = services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 1))
    assert len(created) == 2
    assert _due(scheduled.episode_a) == [
        ("audit", "admission", date(2026, 10, 1), "due"),
        ("phq9", "admission", date(2026, 10, 1), "due"),
    ]
    assert services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 3)) == []
    assert AuditEvent.objects.filter(object_type="administration", action="create").count() == 2
    # written as one batch: the chain head moved to the last of them, and it verifies
    assert AuditChainHead.objects.get().last_seq == AuditEvent.objects.order_by("-seq")[0].seq
    assert audit_verify() == []


def test_weekly_schedule_marks_the_previous_week_missed(scheduled):
    services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 1))
    services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 9))
    assert _due(scheduled.episode_a) == [
        ("audit", "admission", date(2026, 10, 1), "due"),
        ("phq9", "admission", date(2026, 10, 1), "missed"),
        ("phq9", "day-7", date(2026, 10, 8), "due"),
    ]
    # Weeks the job did not run are not back-filled: only the current one appears.
    services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 30))
    assert [row[1] for row in _due(scheduled.episode_a) if row[0] == "phq9"] == [
        "admission",
        "day-28",
        "day-7",
    ]


def test_overdue_after_two_days(scheduled):
    services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 9))
    due = Administration.objects.get(instrument_key="phq9")
    assert due.due_on == date(2026, 10, 8)
    assert selectors.is_overdue(due, date(2026, 10, 10)) is False
    assert selectors.is_overdue(due, date(2026, 10, 11)) is True


def test_admission_questionnaire_not_created_late(scheduled):
    services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 20))
    assert [row[:2] for row in _due(scheduled.episode_a)] == [("phq9", "day-14")]


def test_discharge_questionnaire_and_open_weekly_ones_missed(scheduled):
    services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 9))
    episode = scheduled.episode_a
    episode.state = EpisodeState.DISCHARGED
    episode.discharged_on = date(2026, 10, 12)
    episode.save()
    services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 13))
    assert _due(episode) == [
        ("audit", "admission", date(2026, 10, 1), "missed"),
        ("audit", "discharge", date(2026, 10, 12), "due"),
        ("phq9", "day-7", date(2026, 10, 8), "missed"),
    ]


def test_on_hold_and_unadmitted_episodes_get_nothing(scheduled):
    episode = scheduled.episode_a
    episode.state = EpisodeState.ON_HOLD
    episode.save()
    referred = EpisodeFactory(
        patient=PatientFactory(), program=scheduled.program_a, state=EpisodeState.REFERRED
    )
    assert services.due_questionnaires_generate(actor=JOB, today=date(2026, 10, 9)) == []
    assert _due(referred) == []


def test_schedule_rule_set_by_director_only(clinic):
    rule = services.schedule_rule_set(
        actor=clinic.director_a, program_id=clinic.program_a.pk, instrument_key="gad7", every_days=7
    )
    assert str(rule) == "gad7: weekly"
    with pytest.raises(AccessDenied):
        services.schedule_rule_set(
            actor=clinic.clinician_a,
            program_id=clinic.program_a.pk,
            instrument_key="gad7",
            every_days=7,
        )
    with pytest.raises(AccessDenied):
        services.schedule_rule_set(
            actor=clinic.director_a,
            program_id=clinic.program_b.pk,
            instrument_key="gad7",
            every_days=7,
        )
    with pytest.raises(ApplicationError) as error:
        services.schedule_rule_set(
            actor=clinic.director_a, program_id=clinic.program_a.pk, instrument_key="nope"
        )
    assert error.value.field_errors == {"instrument_key": "Unknown instrument."}


# -- one-time links ---------------------------------------------------------------------


def test_link_works_once_and_raises_the_alert(clinic):
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    link = QuestionnaireLink.objects.get()
    assert link.token_hash == services.token_hash(sent.token)
    assert sent.token not in link.token_hash
    recorded = services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=sent.token, answers=PHQ9_RISK
    )
    assert recorded.administration.source == "link"
    assert recorded.administration.recorded_by is None
    assert Alert.objects.get().kind == "suicide_risk"
    assert questionnaire_link_for_token(sent.token) is None
    with pytest.raises(AccessDenied):
        services.questionnaire_complete_by_link(
            actor=AnonymousUser(), token=sent.token, answers=PHQ9_MILD
        )
    assert Administration.objects.filter(status="completed").count() == 1


def test_expired_link_is_refused(clinic):
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="gad7"
    )
    QuestionnaireLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert questionnaire_link_for_token(sent.token) is None
    with pytest.raises(AccessDenied):
        services.questionnaire_complete_by_link(
            actor=AnonymousUser(), token=sent.token, answers={f"gad7_{n}": 0 for n in range(1, 8)}
        )
    assert Administration.objects.get().status == AdministrationStatus.DUE


def test_a_new_link_revokes_the_old_one(clinic):
    first = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    second = services.questionnaire_send(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        administration_id=first.administration.pk,
    )
    assert questionnaire_link_for_token(first.token) is None
    assert questionnaire_link_for_token(second.token) is not None


def test_send_denied_for_other_program(clinic):
    with pytest.raises(AccessDenied):
        services.questionnaire_send(
            actor=clinic.clinician_b, patient_id=clinic.patient_a.pk, instrument_key="phq9"
        )
    assert Administration.objects.count() == 0
    assert QuestionnaireLink.objects.count() == 0


def test_patient_completes_own_in_portal_only(clinic):
    due = Administration.objects.create(
        patient=clinic.patient_a, episode=clinic.episode_a, instrument_key="phq9"
    )
    with pytest.raises(AccessDenied):
        services.questionnaire_complete_own(
            actor=clinic.patient_user_b, administration_id=due.pk, answers=PHQ9_MILD
        )
    recorded = services.questionnaire_complete_own(
        actor=clinic.patient_user_a, administration_id=due.pk, answers=PHQ9_MILD
    )
    assert (recorded.administration.source, recorded.administration.total) == ("portal", 9)


# -- stored definitions -----------------------------------------------------------------


def _licensed(version="1.0.0", text="Felt unsafe?"):
    data = json.loads((DEFINITIONS / "asq.json").read_text())
    data["key"] = "riskscreen"
    data["abbreviation"] = "RS"
    data["name"] = "Licensed risk screen (synthetic)"
    data["version"] = version
    data["items"][0]["text"] = text
    return data


def test_definition_saved_versioned_and_usable(clinic):
    row = services.instrument_definition_save(actor=LOADER, definition_data=_licensed())
    assert (row.key, row.version, row.abbreviation) == ("riskscreen", "1.0.0", "RS")
    assert (
        services.instrument_definition_save(actor=LOADER, definition_data=_licensed()).pk == row.pk
    )
    with pytest.raises(ApplicationError) as error:
        services.instrument_definition_save(actor=LOADER, definition_data=_licensed(text="Changed"))
    assert error.value.field_errors == {"version": "Already stored with different content."}
    services.instrument_definition_save(actor=LOADER, definition_data=_licensed("1.1.0", "Changed"))
    assert InstrumentDefinition.objects.count() == 2
    assert selectors.instrument_for("riskscreen").version == "1.1.0"
    assert selectors.instrument_for("riskscreen", "1.0.0").items[0].text == "Felt unsafe?"
    assert "riskscreen" in [i.key for i in selectors.instruments_available()]
    answers = {f"asq_{n}": "no" for n in range(1, 5)} | {"asq_1": "yes", "asq_5": "no"}
    recorded = services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="riskscreen",
        answers=answers,
    )
    assert recorded.administration.instrument_version == "1.1.0"
    assert [a.kind for a in recorded.alerts] == ["suicide_risk"]


def test_definition_refuses_shipped_keys_and_bad_files(db):
    data = json.loads((DEFINITIONS / "phq9.json").read_text())
    with pytest.raises(ApplicationError) as error:
        services.instrument_definition_save(actor=LOADER, definition_data=data)
    assert error.value.field_errors == {"key": "Is a shipped instrument."}
    broken = _licensed()
    del broken["items"]
    with pytest.raises(ApplicationError) as error:
        services.instrument_definition_save(actor=LOADER, definition_data=broken)
    assert error.value.field_errors == {"items": "is required"}
    assert InstrumentDefinition.objects.count() == 0


def test_instruments_load_command_stores_the_file(db, tmp_path, capsys):
    path = tmp_path / "licensed.json"
    path.write_text(json.dumps(_licensed()))
    from stepwell.measures.management.commands.instruments import Command

    Command().run_from_argv(["stepwell", "instruments", "load", str(path)])
    output = json.loads(capsys.readouterr().out)
    assert (output["stored"], output["key"]) == (True, "riskscreen")
    assert InstrumentDefinition.objects.get().version == "1.0.0"


def test_measures_due_command(scheduled, capsys):
    from django.core.management import call_command

    episode = scheduled.episode_a
    episode.admitted_on = program_today(episode.program)
    episode.save()
    call_command("measures_due")
    assert capsys.readouterr().out == "2 questionnaires now due.\n"
    assert Administration.objects.filter(status="due").count() == 2


def test_a_definition_stored_with_fields_now_refused_still_loads(db):
    """A row saved when unknown fields were ignored stays usable."""
    data = _licensed()
    data["copyright"] = "synthetic"
    data["items"][0]["hint"] = "ask gently"
    InstrumentDefinition.objects.create(
        key="riskscreen", version="1.0.0", name="Risk", abbreviation="RS", definition=data
    )
    assert selectors.instrument_for("riskscreen").items[0].text == "Felt unsafe?"
    assert "riskscreen" in [each.key for each in selectors.instruments_available()]
    with pytest.raises(ApplicationError) as error:
        services.instrument_definition_save(actor=LOADER, definition_data=data)
    assert error.value.field_errors == {"items[0].hint": "unknown field"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("episodes", "chosen"),
    [
        ([], None),
        ([("discharged", 0)], 0),
        ([("discharged", 0), ("discharged", 2)], 1),  # none open: the newest
        ([("active", 0), ("discharged", 2)], 0),  # an open one, older than a closed one
        ([("active", 0), ("on_hold", 1), ("discharged", 2)], 1),  # the newest open one
        ([("referred", 1), ("active", 1)], 1),  # made at the same moment: the later id
    ],
)
def test_the_charts_open_episode_is_the_one_the_database_gives(episodes, chosen):
    """The chart picks the patient's open episode among those it read
    (open_episode_among), the one open_episode_for reads for itself: the newest open one,
    else the newest."""
    from stepwell.measures.selectors import open_episode_among, open_episode_for
    from stepwell.patients.models import Episode
    from stepwell.testing.factories import EpisodeFactory, PatientFactory, ProgramFactory

    patient = PatientFactory()
    made = datetime(2026, 11, 2, 15, tzinfo=UTC)
    created = []
    for state, days in episodes:
        dates = {"admitted_on": date(2026, 10, 5)} if state != "referred" else {}
        if state == "discharged":
            dates["discharged_on"] = date(2026, 11, 1)
        episode = EpisodeFactory(patient=patient, program=ProgramFactory(), state=state, **dates)
        Episode.objects.filter(pk=episode.pk).update(created_at=made + timedelta(days=days))
        created.append(episode)
    expected = open_episode_for(patient)
    assert expected == (None if chosen is None else created[chosen])
    assert open_episode_among(patient.episodes.all()) == expected
    if episodes:
        assert expected is not None
