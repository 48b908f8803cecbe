import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stepwell.demo.clinic import build_demo_clinic
from stepwell.patients.models import Episode, Patient


def test_seed_demo_is_refused_outside_demo_settings(db, settings):
    settings.STEPWELL_DEMO = False
    with pytest.raises(CommandError, match="only runs with the demo settings"):
        call_command("seed_demo")
    assert Patient.objects.count() == 0


@pytest.mark.demo_engine
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
