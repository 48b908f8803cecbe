"""Weekly availability: kept by the patient on the portal or by intake and clinicians."""

import pytest

from stepwell.intake.models import AvailabilityWindow
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login


def test_patient_edits_own_availability(client, clinic):
    client.force_login(clinic.patient_user_a)
    assert "My availability" in client.get("/portal/").content.decode()
    url = f"/intake/patients/{clinic.patient_a.pk}/availability/"
    assert client.post(url, {"weekday": 0, "start": "17:00", "end": "21:00"}).status_code == 302
    window = AvailabilityWindow.objects.get(patient=clinic.patient_a)
    assert (window.weekday, window.start.hour, window.end.hour) == (0, 17, 21)
    overlapping = client.post(url, {"weekday": 0, "start": "20:00", "end": "22:00"})
    assert overlapping.status_code == 200
    assert "start" in overlapping.context["form"].errors
    backwards = client.post(url, {"weekday": 1, "start": "12:00", "end": "09:00"})
    assert "end" in backwards.context["form"].errors
    assert AvailabilityWindow.objects.filter(patient=clinic.patient_a).count() == 1
    client.post(f"{url}{window.pk}/remove/")
    assert not AvailabilityWindow.objects.filter(patient=clinic.patient_a).exists()
    updates = AuditEvent.objects.filter(
        object_type="availability",
        patient_id=clinic.patient_a.pk,
        username="pat_a",
        action="update",
    )
    assert updates.count() == 2  # added, removed


def test_clinician_edits_availability_from_chart(client, clinic):
    verified_login(client, clinic.clinician_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert f"/intake/patients/{clinic.patient_a.pk}/availability/" in chart
    client.post(
        f"/intake/patients/{clinic.patient_a.pk}/availability/",
        {"weekday": 2, "start": "08:30", "end": "12:00"},
    )
    assert AvailabilityWindow.objects.filter(patient=clinic.patient_a, weekday=2).exists()


@pytest.mark.parametrize("who", ["patient_user_b", "clinician_b", "billing_a", "admin"])
def test_others_cannot_see_or_change_availability(client, clinic, who):
    user = getattr(clinic, who)
    if user.kind == "patient":
        client.force_login(user)
    else:
        verified_login(client, user)
    url = f"/intake/patients/{clinic.patient_a.pk}/availability/"
    page = client.get(url)
    assert page.status_code == 403
    assert "Alder" not in page.content.decode()
    assert client.post(url, {"weekday": 0, "start": "17:00", "end": "21:00"}).status_code == 403
    assert not AvailabilityWindow.objects.filter(patient=clinic.patient_a).exists()
    assert AuditEvent.objects.filter(
        object_type="availability", outcome="denied", username=user.username
    ).exists()
