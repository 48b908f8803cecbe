"""``stepwell instruments list`` and ``stepwell instruments load FILE``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from stepwell.measures.commandline import run_instruments


class Command(BaseCommand):
    help = "List the shipped instruments, or validate (and store) a definition file."

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            from stepwell.measures.services import instrument_definition_save
        except ImportError:
            save = None
        else:

            def save(definition_data):
                return instrument_definition_save(definition_data=definition_data)

        code, result = run_instruments(argv[2:], save=save)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if code:
            raise SystemExit(code)
