"""An acute-positive answer away from the clinic pages the on-call clinician at once
through the outbox (issue 9 asked for this once messaging landed); the staff banner stays
until the alert is acknowledged, and the page is marked delivered when the email is sent."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from stepwell.measures import services
from stepwell.measures.models import OnCallPage
from stepwell.messaging import delivery
from stepwell.messaging.models import Message

PHQ9_ITEM9 = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 1, "phq9_10": 1}


def test_a_risk_answer_by_link_emails_the_on_call_clinician(clinic, mailoutbox):
    on_call = clinic.prescriber_a
    on_call.email = "oncall@example.org"
    on_call.save()
    clinic.program_a.on_call_clinician = on_call
    clinic.program_a.save()
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=sent.token, answers=PHQ9_ITEM9
    )
    page = OnCallPage.objects.get()
    message = Message.objects.get()
    assert (message.purpose, message.staff, message.address) == (
        "safety_page",
        on_call,
        "oncall@example.org",
    )
    assert message.related == f"on_call_page:{page.pk}"
    assert clinic.patient_a.legal_first_name not in message.body
    delivery.message_deliver(message.pk)
    page.refresh_from_db()
    assert page.delivered_at is not None
    assert mailoutbox[0].to == ["oncall@example.org"]


def test_with_no_on_call_clinician_the_program_director_is_paged(clinic):
    clinic.director_a.email = "director@example.org"
    clinic.director_a.save()
    assert clinic.program_a.on_call_clinician is None
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="phq9"
    )
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=sent.token, answers=PHQ9_ITEM9
    )
    page = OnCallPage.objects.get()
    [message] = Message.objects.all()
    assert (message.purpose, message.staff, message.address) == (
        "safety_page",
        clinic.director_a,
        "director@example.org",
    )
    assert message.related == f"on_call_page:{page.pk}"
    assert message.body.startswith("Stepwell: an urgent safety alert needs a response now.")


def _follow_up(clinic):
    from datetime import timedelta

    from stepwell.followups import services as followups
    from stepwell.followups.services.links import new_link
    from stepwell.followups.tests.conftest import DISCHARGED_ON, JOB, discharge

    discharge(clinic.episode_a)
    [follow_up] = followups.follow_ups_create_due(
        actor=JOB, program_id=clinic.program_a.pk, today=DISCHARGED_ON + timedelta(days=30)
    )
    return follow_up, new_link(follow_up)[1]


def _short():
    from stepwell.followups.rules import Employment, ShortAnswers

    return ShortAnswers(
        in_treatment=True,
        in_treatment_where="Community clinic",
        readmitted_higher_level=False,
        days_of_use_last_30=0,
        employment=Employment.WORKING,
    )


def test_a_follow_up_safety_answer_pages_the_on_call_clinician(clinic):
    from stepwell.followups import services as followups

    on_call = clinic.prescriber_a
    on_call.email = "oncall@example.org"
    on_call.save()
    clinic.program_a.on_call_clinician = on_call
    clinic.program_a.save()
    follow_up, token = _follow_up(clinic)
    done = followups.follow_up_complete_by_link(
        actor=AnonymousUser(), token=token, answers={"phq9_9": "2"}, short=_short()
    )
    assert done.safety_answer is True
    [message] = Message.objects.filter(purpose="safety_page")
    assert (message.staff, message.address, message.channel) == (
        on_call,
        "oncall@example.org",
        "email",
    )
    assert message.related == f"follow_up_safety:{follow_up.pk}"
    assert message.body == (
        "Stepwell: an urgent safety alert needs a response now. "
        f"{settings.STEPWELL_BASE_URL.rstrip('/')}{reverse('followups:worklist')}"
    )
    for detail in (
        clinic.patient_a.legal_first_name,
        clinic.patient_a.legal_last_name,
        clinic.patient_a.mrn,
        clinic.program_a.name,
    ):
        assert detail not in message.body and detail not in message.subject


def test_a_follow_up_by_phone_with_a_safety_answer_pages_the_director_when_none_is_set(clinic):
    from stepwell.followups import services as followups
    from stepwell.followups.tests.conftest import GAD7_MILD, PHQ9_MILD

    clinic.director_a.email = "director@example.org"
    clinic.director_a.save()
    follow_up, _ = _follow_up(clinic)
    followups.follow_up_phone_record(
        actor=clinic.clinician_a,
        follow_up_id=follow_up.pk,
        reached=True,
        note="Reached at home.",
        answers=PHQ9_MILD | {"phq9_9": "1"} | GAD7_MILD,
        short=_short(),
    )
    [message] = Message.objects.filter(purpose="safety_page")
    assert (message.staff, message.address) == (clinic.director_a, "director@example.org")


def test_a_follow_up_without_a_safety_answer_pages_no_one(clinic):
    from stepwell.followups import services as followups
    from stepwell.followups.tests.conftest import GAD7_MILD, PHQ9_MILD

    clinic.director_a.email = "director@example.org"
    clinic.director_a.save()
    _, token = _follow_up(clinic)
    done = followups.follow_up_complete_by_link(
        actor=AnonymousUser(), token=token, answers=PHQ9_MILD | GAD7_MILD, short=_short()
    )
    assert done.safety_answer is False
    assert not Message.objects.filter(purpose="safety_page").exists()
