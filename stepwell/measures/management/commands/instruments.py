"""``stepwell instruments list`` and ``stepwell instruments load FILE``.

Loading stores the definition as the system actor `instruments-load` (whoever can run
the command can change the installation anyway); the audit trail names it."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stepwell.core.command_line import CommandInputError
from stepwell.core.errors import ApplicationError
from stepwell.measures.commandline import instruments_main
from stepwell.measures.services import instrument_definition_save
from stepwell.privacy.access.measures import INSTRUMENT_LOAD_JOB
from stepwell.privacy.actors import system_actor


class Command(BaseCommand):
    help = "List the shipped instruments, or validate (and store) a definition file."

    def run_from_argv(self, argv: list[str]) -> None:
        def save(definition_data):
            try:
                return instrument_definition_save(
                    actor=system_actor(INSTRUMENT_LOAD_JOB), definition_data=definition_data
                )
            except ApplicationError as error:  # e.g. that version is already stored
                field = next(iter(error.field_errors), "file")
                raise CommandInputError(field, error.message) from error

        code = instruments_main(argv[2:], save=save)
        if code:
            raise SystemExit(code)
