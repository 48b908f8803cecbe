"""``stepwell change INSTRUMENT --baseline N --current M``: prints the change as JSON."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stepwell.measures.commandline import change_main


class Command(BaseCommand):
    help = "Classify the change between two totals of one instrument and print it as JSON."

    def run_from_argv(self, argv: list[str]) -> None:
        code = change_main(argv[2:])
        if code:
            raise SystemExit(code)
