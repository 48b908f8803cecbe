"""The patient's own page: a patient sees only themselves; anyone else is refused."""

from __future__ import annotations

import pytest

from stepwell.core.errors import AccessDenied
from stepwell.portal.selectors import portal_home
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory


def test_a_patient_sees_their_own_program_and_care_team(client, clinic):
    verified_login(client, clinic.patient_user_a)
    response = client.get("/portal/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Avery" in body and "Adult MH" in body
    assert "Blake" not in body and "Substance Use" not in body
    assert AuditEvent.objects.filter(
        object_type="portal", patient_id=clinic.patient_a.pk, outcome="allowed"
    ).exists()


@pytest.mark.parametrize("who", ["clinician_a", "director_a", "admin", "no_record"])
def test_anyone_without_an_own_record_is_refused_and_audited(client, clinic, who):
    user = UserFactory(kind="patient") if who == "no_record" else getattr(clinic, who)
    verified_login(client, user)
    response = client.get("/portal/")
    assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(
            object_type="portal", outcome="denied", username=user.username
        ).count()
        == 1
    )


def test_the_selector_is_the_gate(clinic):
    assert portal_home(user=clinic.patient_user_b).patient == clinic.patient_b
    with pytest.raises(AccessDenied):
        portal_home(user=clinic.nurse_a)
    assert AuditEvent.objects.filter(outcome="denied", username="nurse_a").count() == 1
