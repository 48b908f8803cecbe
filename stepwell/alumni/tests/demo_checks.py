"""What the demo's alumni community must hold (called by the demo test on its one build)."""

from __future__ import annotations

from django.test import Client

from stepwell.accounts.models import User
from stepwell.alumni.models import AlumniAttendance, AlumniEvent, AlumniRsvp, MentorPairing
from stepwell.demo.clinic import DEMO_LOGINS, DEMO_PASSWORD
from stepwell.privacy.access.alumni import is_alumnus_user


def check_the_alumni_community() -> None:
    alumnus = User.objects.get(username="alumni1")
    assert alumnus.check_password(DEMO_PASSWORD)
    assert is_alumnus_user(alumnus)
    assert "alumni1" in [username for username, _ in DEMO_LOGINS]
    for program_id in AlumniEvent.objects.values_list("program_id", flat=True).distinct():
        events = AlumniEvent.objects.filter(program_id=program_id)
        assert {e.recurrence for e in events} == {"weekly", "monthly", "once"}
        assert {e.format for e in events} == {"in_person", "video"}
        assert AlumniRsvp.objects.filter(meeting__event__program_id=program_id).exists()
        assert AlumniAttendance.objects.filter(
            meeting__event__program_id=program_id, present=True
        ).exists()
    assert AlumniEvent.objects.values("program").distinct().count() == 3
    assert MentorPairing.objects.filter(mentor__patient__user=alumnus).count() == 1
    client = Client()
    client.force_login(alumnus)
    assert client.get("/")["Location"] == "/portal/"
    page = client.get("/alumni/portal/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Alumni evening group" in body and "You said:" in body
