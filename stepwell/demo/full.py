"""The whole demo clinic: the core, then each area's synthetic data, in dependency order."""

from __future__ import annotations

import random
from datetime import date

from django.db import transaction

from stepwell.clinic.time import zone_today
from stepwell.privacy.audit import audit_batch

from .alumni import seed_alumni
from .billing import seed_billing
from .care import seed_care
from .clinic import DEMO_ZONE, DemoClinic, build_demo_clinic
from .consent import seed_consent
from .discharge import seed_discharge
from .followups import seed_follow_ups
from .intake import seed_intake
from .measures import seed_measures
from .meds import seed_meds
from .milestones import seed_milestones
from .schedule import seed_schedule


@transaction.atomic
def build_demo(*, seed: int = 42, today: date | None = None) -> DemoClinic:
    # Ten thousand audit events in one transaction: the chain head moves once, at the end.
    with audit_batch():
        return _build_demo(seed=seed, today=today)


def _build_demo(*, seed: int, today: date | None) -> DemoClinic:
    today = today or zone_today(DEMO_ZONE)
    clinic = build_demo_clinic(seed=seed, today=today)
    rng = random.Random(seed * 7919 + 1)
    for step in (
        seed_measures,
        seed_intake,
        seed_schedule,
        seed_care,
        seed_billing,
        seed_meds,
        seed_consent,
        seed_milestones,
        seed_alumni,
        seed_follow_ups,
        seed_discharge,
    ):
        step(clinic, rng, today)
    return clinic
