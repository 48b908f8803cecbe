"""`stepwell schedule <subcommand>`: the schedule command line as a management command.

The work is in `stepwell.schedule.optimizer.commandline` (no Django there); subcommands that need
the database (the calendar `export`) register themselves with `register_subcommand`.
"""

from django.core.management.base import BaseCommand

from stepwell.schedule.optimizer.commandline import register_subcommand, run_solve
from stepwell.schedule.planning.command import export_subcommand

register_subcommand(export_subcommand())


class Command(BaseCommand):
    help = (
        "Weekly schedule: `solve WEEK.json --out PLAN.json [--time-limit S] [--seed N]`, "
        "`export --program P --week 2026-W50 [--out WEEK.json]`."
    )

    def run_from_argv(self, argv: list[str]) -> None:
        # argv is [program, "schedule", subcommand, ...]; argparse there does the rest.
        raise SystemExit(run_solve(argv[2:]))
