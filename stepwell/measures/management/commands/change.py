"""``stepwell change INSTRUMENT --baseline N --current M``: prints the change as JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from stepwell.measures.commandline import run_change


class Command(BaseCommand):
    help = "Classify the change between two totals of one instrument and print it as JSON."

    def run_from_argv(self, argv: list[str]) -> None:
        code, result = run_change(argv[2:])
        self.stdout.write(json.dumps(result))
        if code:
            raise SystemExit(code)
