"""The whole demo clinic: the core, then each area's synthetic data, in dependency order."""

from __future__ import annotations

import random
import zoneinfo
from datetime import date

from django.db import transaction
from django.utils import timezone

from .care import seed_care
from .clinic import DemoClinic, build_demo_clinic
from .intake import seed_intake
from .measures import seed_measures
from .schedule import seed_schedule


@transaction.atomic
def build_demo(*, seed: int = 42, today: date | None = None) -> DemoClinic:
    today = today or timezone.localdate(timezone=zoneinfo.ZoneInfo("America/Chicago"))
    clinic = build_demo_clinic(seed=seed, today=today)
    rng = random.Random(seed * 7919 + 1)
    for step in (seed_measures, seed_intake, seed_schedule, seed_care):
        step(clinic, rng, today)
    return clinic
