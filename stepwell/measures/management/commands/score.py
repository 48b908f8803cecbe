"""``stepwell score INSTRUMENT --answers A,B,... [--sex female|male]``: prints JSON."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stepwell.measures.commandline import score_main


class Command(BaseCommand):
    help = "Score one administration of an instrument and print the result as JSON."

    def run_from_argv(self, argv: list[str]) -> None:
        code = score_main(argv[2:])
        if code:
            raise SystemExit(code)
