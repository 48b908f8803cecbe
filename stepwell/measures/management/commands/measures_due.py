"""``stepwell measures-due``: create the questionnaires the programs' schedules call for.

Idempotent; runs as the system actor `measures-due`. `--daily` instead starts the background job that does it every day (the
`stepwell db_worker` runs it); `make demo` starts it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stepwell.measures.services import due_questionnaires_generate
from stepwell.measures.tasks import JOB, measures_due_schedule
from stepwell.privacy.actors import system_actor


class Command(BaseCommand):
    help = "Create due questionnaires from the measurement schedules (idempotent); --daily runs it every day."

    def add_arguments(self, parser):
        parser.add_argument(
            "--daily", action="store_true", help="Start the daily background job (once)."
        )

    def handle(self, *args, daily: bool = False, **options):
        if daily:
            started = measures_due_schedule()
            self.stdout.write(
                "Daily questionnaire job started."
                if started
                else "Daily questionnaire job already scheduled."
            )
            return
        created = due_questionnaires_generate(actor=system_actor(JOB))
        self.stdout.write(f"{len(created)} questionnaires now due.")
