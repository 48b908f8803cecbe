"""``stepwell messages reminders|sweep``: the outbox's jobs, run once now.

- ``reminders``: queue tomorrow's appointment reminders (idempotent per day).
- ``sweep``: deliver every queued message that is due (retries included).
``--every`` instead starts the repeating background job (``stepwell db_worker`` runs it):
reminders daily at 15:00 UTC, the sweep every few minutes.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stepwell.messaging import jobs, tasks


class Command(BaseCommand):
    help = "Outbox jobs: `reminders` (tomorrow's appointment reminders) or `sweep` (deliver due messages)."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["reminders", "sweep"], help="Which job to run.")
        parser.add_argument(
            "--every", action="store_true", help="Start the repeating background job instead."
        )

    def handle(self, *args, job: str, every: bool = False, **options):
        if every:
            started = tasks.schedule(job)
            self.stdout.write(f"{job} job started." if started else f"{job} job already scheduled.")
            return
        today = timezone.localdate()
        if job == "reminders":
            count = jobs.appointment_reminders(today)
            self.stdout.write(f"{count} reminders queued.")
        elif job == "sweep":
            count = jobs.outbox_retry(today)
            self.stdout.write(f"{count} messages tried.")
        else:  # pragma: no cover - argparse keeps to the choices
            raise CommandError(f"Unknown job {job!r}.")
