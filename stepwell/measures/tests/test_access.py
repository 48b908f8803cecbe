"""Each branch of stepwell.privacy.access.measures, roles held per program."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from stepwell.accounts.models import Role
from stepwell.core.errors import AccessDenied
from stepwell.measures import services
from stepwell.measures.models import Administration, Alert
from stepwell.privacy.access import measures as access
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import UserFactory
from stepwell.testing.people import CLINIC_PEOPLE

from .conftest import PHQ9_RISK


@pytest.mark.parametrize(
    ("who", "read", "record", "alerts"),
    [
        ("clinician_a", True, True, True),
        ("prescriber_a", True, True, True),
        ("nurse_a", True, True, True),
        ("intake_a", True, True, False),
        ("director_a", True, False, True),
        ("billing_a", False, False, False),
        ("admin", False, False, False),
        ("clinician_b", False, False, False),
        ("patient_user_a", True, False, False),
        ("patient_user_b", False, False, False),
    ],
)
def test_patient_a_matrix(clinic, who, read, record, alerts):
    user = getattr(clinic, who)
    patient = clinic.patient_a
    assert access.access_measures_read(user, patient) is read
    assert access.access_administration_record(user, patient) is record
    assert access.access_alerts_see(user, patient) is alerts
    assert access.access_alert_acknowledge(user, patient) is alerts
    assert (patient in access.alert_patients_visible_to(user)) is alerts
    assert (patient in access.recording_patients_visible_to(user)) is record
    assert (patient in access.measures_patients_visible_to(user)) is read


def test_care_team_reaches_another_program(clinic):
    assert access.access_administration_record(clinic.clinician_a, clinic.team_patient_b)
    assert access.access_alerts_see(clinic.clinician_a, clinic.team_patient_b)
    assert not access.access_administration_record(clinic.clinician_a, clinic.patient_b)


@pytest.fixture
def director_a_nurse_b(clinic):
    """Directs program A and is a nurse in program B."""
    return UserFactory(
        username="dir_a_nurse_b",
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_a), (Role.NURSE, clinic.program_b)],
    )


def test_a_role_counts_only_in_its_program(clinic, director_a_nurse_b):
    """A nurse of B who directs A records for B's patients, not A's: the nurse role is not
    held in A. (Before roles were per program, any role anywhere counted.)"""
    user = director_a_nurse_b
    assert access.access_measures_read(user, clinic.patient_a)
    assert not access.access_administration_record(user, clinic.patient_a)
    assert access.access_administration_record(user, clinic.patient_b)
    assert access.access_alerts_see(user, clinic.patient_a)  # as A's director
    assert access.access_schedule_manage(user, clinic.program_a.pk)
    assert not access.access_schedule_manage(user, clinic.program_b.pk)


def test_intake_of_a_who_nurses_b_sees_no_alerts_of_a(clinic):
    user = UserFactory(
        username="intake_a_nurse_b",
        grants=[(Role.INTAKE_COORDINATOR, clinic.program_a), (Role.NURSE, clinic.program_b)],
    )
    assert not access.access_alerts_see(user, clinic.patient_a)
    assert access.access_alerts_see(user, clinic.patient_b)
    assert access.access_alert_worklist(user)


def test_billing_of_a_who_is_clinician_in_b_reads_no_scores_of_a(clinic):
    user = UserFactory(
        username="billing_a_clin_b",
        grants=[(Role.BILLING, clinic.program_a), (Role.CLINICIAN, clinic.program_b)],
    )
    assert not access.access_measures_read(user, clinic.patient_a)
    assert not access.access_administration_record(user, clinic.patient_a)
    assert access.access_administration_record(user, clinic.patient_b)


def test_anonymous_and_inactive_users_get_nothing(clinic):
    assert not access.access_measures_read(AnonymousUser(), clinic.patient_a)
    assert not access.access_administration_record(AnonymousUser(), clinic.patient_a)
    assert not access.access_questionnaire_complete_own(AnonymousUser(), clinic.patient_a)
    assert not access.measures_patients_visible_to(AnonymousUser()).exists()
    assert not access.access_alert_worklist(AnonymousUser())
    clinic.clinician_a.is_active = False
    clinic.clinician_a.save()
    assert not access.access_measures_read(clinic.clinician_a, clinic.patient_a)
    assert not access.access_alerts_see(clinic.clinician_a, clinic.patient_a)


def test_no_actor_is_a_programming_error(clinic):
    with pytest.raises(TypeError):
        access.access_measures_read(None, clinic.patient_a)
    with pytest.raises(TypeError):
        access.access_questionnaire_link_by_token(None, "token")


def test_complete_own_only_for_the_patient_themselves(clinic):
    assert access.access_questionnaire_complete_own(clinic.patient_user_a, clinic.patient_a)
    assert not access.access_questionnaire_complete_own(clinic.patient_user_b, clinic.patient_a)
    assert not access.access_questionnaire_complete_own(clinic.clinician_a, clinic.patient_a)


def test_schedule_manage(clinic):
    assert access.access_schedule_manage(clinic.director_a, clinic.program_a.pk)
    assert not access.access_schedule_manage(clinic.director_a, clinic.program_b.pk)
    assert access.access_schedule_manage(clinic.admin, clinic.program_b.pk)
    assert not access.access_schedule_manage(clinic.clinician_a, clinic.program_a.pk)
    assert not access.access_schedule_manage(clinic.patient_user_a, clinic.program_a.pk)
    assert not access.access_schedule_manage(AnonymousUser(), clinic.program_a.pk)
    assert not access.access_schedule_manage(system_actor("measures-due"), clinic.program_a.pk)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (lambda c: system_actor("measures-due"), True),
        (lambda c: system_actor("seed-demo"), True),
        (lambda c: system_actor("fhir-export"), False),
        (lambda c: c.director_a, False),
        (lambda c: c.admin, False),
        (lambda c: AnonymousUser(), False),
    ],
)
def test_only_the_named_jobs_create_due_questionnaires(clinic, actor, allowed):
    assert access.access_due_questionnaires_generate(actor(clinic)) is allowed


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (lambda c: system_actor("instruments-load"), True),
        (lambda c: system_actor("measures-due"), False),
        (lambda c: c.admin, True),
        (lambda c: c.director_a, False),
        (lambda c: c.clinician_a, False),
    ],
)
def test_instrument_definitions_are_loaded_by_administrators_and_the_command(
    clinic, actor, allowed
):
    assert access.access_instrument_definition_load(actor(clinic)) is allowed


def test_instrument_settings_are_for_administrators(clinic):
    assert access.access_instrument_settings(clinic.admin)
    assert not access.access_instrument_settings(clinic.director_a)
    assert not access.access_instrument_settings(system_actor("measures-due"))


# --- fetch and check in one call ------------------------------------------------------


def _denials(object_type: str):
    return AuditEvent.objects.filter(outcome="denied", object_type=object_type)


@pytest.mark.parametrize("patient_id", ["other", 987654321, 0, -1, 2**63, "abc"])
def test_recording_target_refused_alike_whether_missing_or_forbidden(clinic, patient_id):
    target = clinic.patient_b.pk if patient_id == "other" else patient_id
    with pytest.raises(AccessDenied):
        access.access_patient_for_recording_by_id(clinic.clinician_a, target)
    event = _denials("administration").get()
    assert (event.username, event.action) == ("clin_a", "create")
    assert event.patient_id == (clinic.patient_b.pk if patient_id == "other" else None)


def test_measures_of_a_patient_refused_to_billing(clinic):
    with pytest.raises(AccessDenied):
        access.access_patient_measures_by_id(clinic.billing_a, clinic.patient_a.pk)
    assert _denials("administration").get().patient_id == clinic.patient_a.pk
    assert access.access_patient_measures_by_id(clinic.intake_a, clinic.patient_a.pk) == (
        clinic.patient_a
    )


def test_alert_by_id_names_the_patient_of_a_refused_alert(clinic):
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers=PHQ9_RISK,
    )
    alert = Alert.objects.get()
    assert access.access_alert_by_id(clinic.director_a, alert.pk) == alert
    with pytest.raises(AccessDenied):
        access.access_alert_by_id(clinic.intake_a, alert.pk)
    with pytest.raises(AccessDenied):
        access.access_alert_by_id(clinic.clinician_a, 10**9)
    denials = _denials("alert").order_by("seq")
    assert [e.patient_id for e in denials] == [clinic.patient_a.pk, None]


def test_own_administration_only_for_its_patient(clinic):
    due = Administration.objects.create(
        patient=clinic.patient_a, episode=clinic.episode_a, instrument_key="phq9"
    )
    assert access.access_own_administration_by_id(clinic.patient_user_a, due.pk) == due
    for user in (clinic.patient_user_b, clinic.clinician_a):
        with pytest.raises(AccessDenied):
            access.access_own_administration_by_id(user, due.pk)
    assert [e.patient_id for e in _denials("administration")] == [clinic.patient_a.pk] * 2


def test_own_patient_refused_to_staff(clinic):
    assert access.access_own_patient(clinic.patient_user_a) == clinic.patient_a
    with pytest.raises(AccessDenied):
        access.access_own_patient(clinic.clinician_a)
    assert _denials("portal_questionnaires").count() == 1


@pytest.mark.parametrize("token", ["", "x" * 101, "not-a-token", None])
def test_a_token_that_opens_nothing_is_refused_without_a_patient(clinic, token):
    with pytest.raises(AccessDenied):
        access.access_questionnaire_link_by_token(AnonymousUser(), token)
    assert _denials("questionnaire_link").get().patient_id is None


# --- the urgent banner's reach --------------------------------------------------------


def test_banner_alerts_reach_chart_readers_program_readers_and_the_paged(clinic):
    outsider = UserFactory(username="oncall_b", roles=[Role.CLINICIAN], programs=[clinic.program_b])
    clinic.program_a.on_call_clinician = outsider
    clinic.program_a.save()
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=sent.token, answers=PHQ9_RISK
    )
    alert = Alert.objects.get(immediate=True)
    for who in ("clinician_a", "intake_a", "director_a", "nurse_a"):
        assert list(access.banner_alerts_visible_to(getattr(clinic, who))) == [alert], who
    assert list(access.banner_alerts_visible_to(outsider)) == [alert]  # paged
    for who in ("clinician_b", "billing_a", "admin", "patient_user_a"):
        assert not access.banner_alerts_visible_to(getattr(clinic, who)).exists(), who


@pytest.mark.parametrize("who", CLINIC_PEOPLE)
def test_the_charts_three_measures_rules_in_one_query_agree_with_each_rule(
    clinic, who, django_assert_max_num_queries
):
    user = getattr(clinic, who)
    user.role_keys()  # roles are read once per request
    for patient in (clinic.patient_a, clinic.patient_b, clinic.team_patient_b):
        with django_assert_max_num_queries(1):
            rights = access.measures_rights(user, patient)
        assert (rights.read, rights.see_alerts, rights.record) == (
            access.access_measures_read(user, patient),
            access.access_alerts_see(user, patient),
            access.access_administration_record(user, patient),
        ), (who, patient)
