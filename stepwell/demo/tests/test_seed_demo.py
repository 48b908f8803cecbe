from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stepwell.accounts.models import User
from stepwell.demo.clinic import DEMO_PASSWORD, build_demo_clinic
from stepwell.patients.models import Episode, EpisodeState, Patient
from stepwell.privacy.audit import audit_verify


def test_seed_demo_is_refused_outside_demo_settings(db, settings):
    settings.STEPWELL_DEMO = False
    with pytest.raises(CommandError, match="only runs with the demo settings"):
        call_command("seed_demo")
    assert Patient.objects.count() == 0


def test_demo_clinic_has_every_state_and_the_documented_logins(db):
    clinic = build_demo_clinic(seed=42)
    assert len(clinic.programs) == 3
    assert 14 <= User.objects.filter(kind="staff").count() <= 16
    assert Patient.objects.count() == 80
    states = Counter(Episode.objects.values_list("state", flat=True))
    assert set(states) == set(EpisodeState.values)
    for username in [
        "director",
        "intake",
        "therapist",
        "therapist2",
        "prescriber",
        "billing",
        "admin",
        "patient1",
    ]:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert audit_verify() == []


def test_demo_is_deterministic_for_a_seed(db):
    from django.db import transaction

    def snapshot():
        return (
            sorted(
                Patient.objects.values_list(
                    "legal_first_name", "legal_last_name", "date_of_birth", "insurance_member_id"
                )
            ),
            sorted(
                Episode.objects.values_list(
                    "patient__legal_last_name", "patient__legal_first_name", "state", "admitted_on"
                )
            ),
        )

    savepoint = transaction.savepoint()
    build_demo_clinic(seed=7)
    first = snapshot()
    transaction.savepoint_rollback(savepoint)
    assert Patient.objects.count() == 0
    build_demo_clinic(seed=7)
    assert snapshot() == first
    transaction.savepoint_rollback(savepoint)
    build_demo_clinic(seed=8)
    assert snapshot() != first
