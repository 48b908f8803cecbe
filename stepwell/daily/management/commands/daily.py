"""``stepwell daily``: run the daily jobs that are due, each program at its own date.

Safe to run every hour, on several servers at once: each (job, program, local date) runs
once (stepwell.daily.runs). Exits with code 1 when a job failed; the next run tries it
again. ``--every SECONDS`` keeps running in the foreground (``make demo`` uses it); in
production a cron line or a systemd timer runs it every hour (docs/production.md).
"""

from __future__ import annotations

import argparse
from time import sleep

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from stepwell.daily.registry import registered_jobs
from stepwell.daily.runs import RunOutcome, daily_jobs_run

LONGEST_WAIT = 7 * 24 * 3600


def seconds(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= LONGEST_WAIT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a wait: give whole seconds from 1 to {LONGEST_WAIT}, e.g. 3600"
        )
    return int(text)


class Command(BaseCommand):
    help = (
        "Run the daily jobs that are due (each program at its own local date). "
        "Safe to run every hour from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            metavar="SECONDS",
            type=seconds,
            help="Keep running: check again every SECONDS (e.g. 3600) until stopped (Ctrl-C).",
        )
        parser.add_argument(
            "--list",
            action="store_true",
            dest="list_jobs",
            help="List the registered daily jobs and stop.",
        )

    def handle(self, *args, every: int | None = None, list_jobs: bool = False, **options):
        if list_jobs:
            for job in registered_jobs():
                self.stdout.write(f"{job.name} ({job.scope})")
            return
        if every is None:
            failed = [outcome for outcome in self._round() if outcome.failed]
            if failed:
                raise CommandError(
                    f"{len(failed)} daily job run(s) failed; the next run tries again."
                )
            return
        self.stdout.write(f"Running the daily jobs that are due every {every} s (Ctrl-C stops).")
        try:
            while True:
                try:
                    self._round()
                except Exception as error:  # the loop outlives a bad round (database away)
                    self.stderr.write(f"This round stopped: {type(error).__name__}: {error}")
                self.stdout.flush()
                sleep(every)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _round(self) -> list[RunOutcome]:
        if not connection.in_atomic_block:  # a long-lived loop: no stale connection (a
            close_old_connections()  # caller's transaction, as in tests, stays open)
        outcomes = daily_jobs_run()
        for outcome in outcomes:
            (self.stderr if outcome.failed else self.stdout).write(outcome.line())
        if not outcomes:
            self.stdout.write("Nothing due: every daily job has run for its current day.")
        return outcomes
