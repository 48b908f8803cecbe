"""Each alumni service called directly as someone who may not: AccessDenied, exactly one
denied audit row, nothing changed. And the hooks: an alumnus reaches none of the active
program's clinical pages, and only their own alumni record."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.test import Client

from stepwell.alumni import services
from stepwell.alumni.models import (
    AlumniAttendance,
    AlumniChoice,
    AlumniEvent,
    AlumniMeeting,
    AlumniRsvp,
    MentorPairing,
    PeerMentor,
)
from stepwell.core.errors import AccessDenied
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import NOW
from .test_services import AFTER

TABLES = (AlumniEvent, AlumniMeeting, AlumniRsvp, AlumniAttendance, AlumniChoice, PeerMentor)


def _state():
    rows = [list(model.objects.order_by("pk").values()) for model in (*TABLES, MentorPairing)]
    return rows


def _mentor(community):
    clinic = community.clinic
    mentor = services.peer_mentor_volunteer(actor=clinic.patient_user_a, about="Hi", now=NOW)
    return mentor


CALLS = {
    "event_create": lambda c, m, actor: services.alumni_event_create(
        actor=actor,
        program_id=c.clinic.program_a.pk,
        title="Picnic",
        format="in_person",
        place="Park",
        recurrence="once",
        first_day=date(2026, 12, 5),
        start_time=time(12),
        duration_minutes=120,
        now=NOW,
    ),
    "meeting_cancel": lambda c, m, actor: services.alumni_meeting_cancel(
        actor=actor, meeting_id=c.meeting.pk, now=NOW
    ),
    "attendance": lambda c, m, actor: services.alumni_attendance_record(
        actor=actor,
        meeting_id=c.meeting.pk,
        present_ids={c.alumnus.pk},
        absent_ids=set(),
        now=AFTER,
    ),
    "opt_out_record": lambda c, m, actor: services.alumni_opt_out_record(
        actor=actor, patient_id=c.alumnus.pk, reason="phone", now=NOW
    ),
    "rejoin": lambda c, m, actor: services.alumni_rejoin_record(
        actor=actor, patient_id=c.alumnus.pk, now=NOW
    ),
    "mentor_approve": lambda c, m, actor: services.peer_mentor_approve(
        actor=actor, mentor_id=m.pk, now=NOW
    ),
    "mentor_pair": lambda c, m, actor: services.mentor_pair(
        actor=actor,
        mentor_id=m.pk,
        patient_id=c.current.pk,
        patient_agreed_on=date(2026, 11, 16),
        agreed_how="phone",
        now=NOW,
    ),
}
STAFF_REFUSED = ["intake_a", "billing_a", "admin", "clinician_b", "patient_user_a"]


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("who", STAFF_REFUSED)
def test_staff_services_refuse_who_does_not_run_the_programs_alumni(community, name, who):
    mentor = _mentor(community)
    actor = getattr(community.clinic, who)
    before = _state()
    denied = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        CALLS[name](community, mentor, actor)
    assert AuditEvent.objects.filter(outcome="denied").count() == denied + 1
    assert _state() == before


OWN_CALLS = {
    "rsvp": lambda c, actor: services.alumni_rsvp_set(
        actor=actor, meeting_id=c.meeting.pk, answer="yes", now=NOW
    ),
    "volunteer": lambda c, actor: services.peer_mentor_volunteer(
        actor=actor, about="I can help", now=NOW
    ),
    "opt_out_self": lambda c, actor: services.alumni_opt_out_self(actor=actor, now=NOW),
}


@pytest.mark.parametrize("name", sorted(OWN_CALLS))
@pytest.mark.parametrize("who", ["current", "patient_user_b", "clinician_a", "director_a"])
def test_the_alumnus_services_refuse_anyone_but_an_alumnus(community, name, who):
    actor = community.current.user if who == "current" else getattr(community.clinic, who)
    before = _state()
    denied = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        OWN_CALLS[name](community, actor)
    assert AuditEvent.objects.filter(outcome="denied").count() == denied + 1
    assert _state() == before
    assert actor.is_active


def _client(user):
    return verified_login(Client(), user)


@pytest.mark.parametrize("path", ["/measures/mine/", "/meds/mine/"])
def test_an_alumnus_reaches_no_clinical_page_of_the_program(community, path):
    client = _client(community.clinic.patient_user_a)
    denied = AuditEvent.objects.filter(outcome="denied").count()
    assert client.get(path).status_code == 403
    assert AuditEvent.objects.filter(outcome="denied").count() == denied + 1
    # A current patient still reaches them.
    assert _client(community.current.user).get(path).status_code == 200


def test_the_portal_front_door_leads_an_alumnus_to_the_alumni_page(community):
    client = _client(community.clinic.patient_user_a)
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"] == "/alumni/portal/"
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/alumni/portal/"
    assert _client(community.current.user).get("/portal/").status_code == 200


def test_an_alumnus_still_reaches_their_consents(community):
    assert _client(community.clinic.patient_user_a).get("/consent/mine/").status_code == 200


def test_the_portal_selector_refuses_an_alumnus_even_when_called_directly(community):
    from stepwell.portal.selectors import portal_home

    with pytest.raises(AccessDenied):
        portal_home(user=community.clinic.patient_user_a)


def test_a_current_patient_is_refused_the_alumni_portal(community):
    client = _client(community.current.user)
    assert client.get("/alumni/portal/").status_code == 403
