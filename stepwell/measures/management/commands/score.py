"""``stepwell score INSTRUMENT --answers A,B,... [--sex female|male]``: prints JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from stepwell.measures.commandline import run_score


class Command(BaseCommand):
    help = "Score one administration of an instrument and print the result as JSON."

    def run_from_argv(self, argv: list[str]) -> None:
        code, result = run_score(argv[2:])
        self.stdout.write(json.dumps(result))
        if code:
            raise SystemExit(code)
