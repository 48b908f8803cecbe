"""Staff press Send: the portal invitation (chart), a questionnaire link (chart's measures
panel) and a follow-up link (aftercare worklist) go through the outbox by the channel the
patient chose (email, text, or neither: then nothing is sent and the page says so). The
body is the fixed wording and a link: no program, diagnosis or substance."""

from __future__ import annotations

import re

import pytest

from stepwell.core.errors import AccessDenied
from stepwell.messaging.models import Message
from stepwell.messaging.services import (
    contact_preference_set,
    portal_invite_send,
    questionnaire_link_send,
)
from stepwell.messaging.wording import forbidden_words_in
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

LINK = re.compile(r"https?://\S+")


def reachable(clinic, channel="email", *, portal_login=True):
    patient = clinic.patient_a
    patient.email = "avery@example.org"
    patient.phone = "+15550123"
    if not portal_login:
        patient.user = None  # registered without a portal login: the chart offers an invitation
    patient.save()
    contact_preference_set(
        actor=clinic.clinician_a, patient_id=patient.pk, channel=channel, reminders=False
    )
    return patient


def assert_minimum_necessary(clinic, message):
    text = f"{message.subject} {message.body}"
    assert forbidden_words_in(text) == []
    for name in (clinic.program_a.name, clinic.program_b.name, clinic.patient_a.legal_last_name):
        assert name.lower() not in text.lower()


def test_the_chart_sends_the_portal_invitation_by_email(client, clinic):
    reachable(clinic, "email", portal_login=False)
    verified_login(client, clinic.clinician_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    response = client.post(
        f"/patients/{clinic.patient_a.pk}/portal-invite/", {"deliver": "on"}, follow=True
    )
    page = response.content.decode()
    message = Message.objects.get(purpose="portal_invite")
    assert (message.channel, message.address, message.patient_id) == (
        "email",
        "avery@example.org",
        clinic.patient_a.pk,
    )
    [link] = LINK.findall(message.body)
    assert link.startswith("http://testserver/accounts/")
    assert message.body == (
        f"Stepwell: you are invited to the patient portal. Set your password here: {link}"
    )
    assert message.subject == "Stepwell: your portal invitation"
    assert_minimum_necessary(clinic, message)
    assert "Portal invitation sent by email to avery@example.org" in page
    assert link not in page  # sent, not shown
    assert 'data-testid="portal-invite-send"' in chart


def test_the_portal_invitation_goes_by_text_when_the_patient_chose_text(clinic):
    reachable(clinic, "text", portal_login=False)
    sent = portal_invite_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, site_url="https://s.test/"
    )
    assert (sent.message.channel, sent.message.address) == ("text", "+15550123")
    assert sent.message.body.startswith("Stepwell: you are invited to the patient portal.")


def test_neither_sends_nothing_and_the_chart_says_so(client, clinic):
    reachable(clinic, "none", portal_login=False)
    verified_login(client, clinic.clinician_a)
    invites = AuditEvent.objects.filter(object_type="portal_invite", outcome="allowed").count()
    response = client.post(
        f"/patients/{clinic.patient_a.pk}/portal-invite/", {"deliver": "on"}, follow=True
    )
    assert "Not sent: the patient chose to get no messages" in response.content.decode()
    assert not Message.objects.exists()
    assert (
        AuditEvent.objects.filter(object_type="portal_invite", outcome="allowed").count() == invites
    )


def test_the_measures_panel_sends_a_questionnaire_link(client, clinic):
    reachable(clinic, "email")
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/send/",
        {"instrument": "phq9", "deliver": "on"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    message = Message.objects.get(purpose="questionnaire")
    [link] = LINK.findall(message.body)
    assert message.body == f"Stepwell: you have a new questionnaire. {link}"
    assert message.subject == "Stepwell: you have a new questionnaire"
    assert link.startswith("http://testserver/measures/q/")
    assert_minimum_necessary(clinic, message)
    assert "Sent by email to avery@example.org" in page
    assert link in page  # shown once as well, to give another way if needed


def test_the_questionnaire_link_without_deliver_sends_nothing(client, clinic):
    reachable(clinic, "email")
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/send/", {"instrument": "phq9"}
    )
    assert response.status_code == 200 and not Message.objects.exists()


def test_a_questionnaire_link_to_a_patient_who_chose_neither_is_not_made(client, clinic):
    reachable(clinic, "none")
    verified_login(client, clinic.clinician_a)
    response = client.post(
        f"/measures/patients/{clinic.patient_a.pk}/send/",
        {"instrument": "phq9", "deliver": "on"},
        follow=True,
    )
    assert "Not sent: the patient chose to get no messages" in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("who", "call"),
    [
        (
            "billing_a",
            lambda c: portal_invite_send(
                actor=c.billing_a, patient_id=c.patient_a.pk, site_url="https://s.test/"
            ),
        ),
        (
            "clinician_b",
            lambda c: questionnaire_link_send(
                actor=c.clinician_b,
                patient_id=c.patient_a.pk,
                site_url="https://s.test/",
                instrument_key="phq9",
            ),
        ),
    ],
)
def test_a_send_by_a_refused_role_changes_nothing_and_is_audited_once(clinic, who, call):
    reachable(clinic, "email", portal_login=False)
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with pytest.raises(AccessDenied):
        call(clinic)
    new = AuditEvent.objects.filter(seq__gt=seq)
    assert [(e.outcome, e.user_id) for e in new] == [("denied", getattr(clinic, who).pk)]
    assert not Message.objects.exists()
