"""``stepwell messages reminders|sweep``: the outbox's jobs, run once now.

- ``reminders``: queue tomorrow's appointment reminders (idempotent per day).
- ``sweep``: deliver every queued message that is due (retries included).
``sweep --every`` instead starts the repeating sweep (``stepwell db_worker`` runs it every
few minutes). The reminders run once a day from ``stepwell daily``.
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
            "--every", action="store_true", help="sweep only: start the repeating sweep instead."
        )

    def handle(self, *args, job: str, every: bool = False, **options):
        if every:
            if job != "sweep":
                raise CommandError(
                    "--every: the reminders run once a day from `stepwell daily` "
                    "(cron or a systemd timer, docs/production.md); only `sweep` repeats."
                )
            started = tasks.sweep_schedule()
            self.stdout.write("sweep job started." if started else "sweep job already scheduled.")
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
