"""``stepwell measures-due``: create the questionnaires the programs' schedules call for.

Idempotent; runs as the system actor `measures-due`, for every program at its own date.
The daily run is `stepwell daily` (stepwell.daily), run every hour by cron or a timer.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from stepwell.daily.registry import DAILY_FLAG_GONE
from stepwell.measures.services import due_questionnaires_generate
from stepwell.measures.tasks import JOB
from stepwell.privacy.actors import system_actor


class Command(BaseCommand):
    help = "Create due questionnaires from the measurement schedules now (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--daily", action="store_true", help="Gone: use `stepwell daily`.")

    def handle(self, *args, daily: bool = False, **options):
        if daily:
            raise CommandError(DAILY_FLAG_GONE)
        created = due_questionnaires_generate(actor=system_actor(JOB))
        self.stdout.write(f"{len(created)} questionnaires now due.")
