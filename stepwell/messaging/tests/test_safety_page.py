"""An acute-positive answer away from the clinic pages the on-call clinician at once
through the outbox (issue 9 asked for this once messaging landed); the staff banner stays
until the alert is acknowledged, and the page is marked delivered when the email is sent."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

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
