"""`stepwell billing claims --program ID --from DATE --to DATE --format 837i|csv --out FILE`
and `stepwell billing remit --program ID FILE.835`.

The billing page's claims form from the server's shell: every billable day of the program
between the dates that is not billed yet, one claim per patient, coverage, authorization
and week, written to FILE (which must not exist). The claims are recorded as billed, so a
second run bills nothing twice. Audited under the system job's name, which names the
operating-system account that ran it.

`remit` imports a payer's remittance advice (835) for the program: its claims' lines are
marked paid or denied with the reason codes; claims the program never sent are listed.
A file that is not a valid 835 is refused naming the segment, and nothing is written.
"""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stepwell.billing.services import claims_generate, remittance_import
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.actors import system_actor


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "Billing: `claims --program ID --from DATE --to DATE --format 837i|csv --out FILE`."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        claims = actions.add_parser("claims", help="Write a claims file for a program.")
        claims.add_argument("--program", required=True, help="The program's id.")
        claims.add_argument("--from", dest="date_from", required=True, help="First day.")
        claims.add_argument("--to", dest="date_to", required=True, help="Last day.")
        claims.add_argument("--format", dest="file_format", default="837i", help="837i or csv.")
        claims.add_argument("--out", required=True, help="The file to write (must not exist).")
        remit = actions.add_parser("remit", help="Import a remittance advice (835).")
        remit.add_argument("--program", required=True, help="The program's id.")
        remit.add_argument("file", help="The 835 file.")

    def handle(self, *args, action: str, **options):
        if action == "remit":
            return self._remit(options)
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"--out: {out} exists; give a new file.")
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist.")
        program = options["program"]
        if not program.isdigit():
            raise CommandError(f"--program: {program!r} is not a program id.")
        try:
            batch = claims_generate(
                actor=system_actor(f"stepwell billing claims by {getpass.getuser()}"),
                program_id=int(program),
                date_from=_date(options["date_from"]),
                date_to=_date(options["date_to"]),
                file_format=options["file_format"],
            )
        except AccessDenied as error:
            raise CommandError(f"--program: no program with id {program}.") from error
        except ApplicationError as error:
            raise CommandError(_message(error)) from error
        out.write_text(batch.content, encoding="utf-8")
        claims = batch.claims.count()
        self.stdout.write(f"{claims} claim(s) written to {out} (claims file {batch.pk}).")

    def _remit(self, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist.")
        program = options["program"]
        if not program.isdigit():
            raise CommandError(f"--program: {program!r} is not a program id.")
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(f"file: {path} is not a text file (X12 835).") from error
        try:
            result = remittance_import(
                actor=system_actor(f"stepwell billing remit by {getpass.getuser()}"),
                program_id=int(program),
                content=content,
                file_name=path.name,
            )
        except AccessDenied as error:
            raise CommandError(f"--program: no program with id {program}.") from error
        except ApplicationError as error:
            raise CommandError(_message(error)) from error
        self.stdout.write(
            f"Remittance {result.remittance.pk} imported: {result.claims_matched} claim(s), "
            f"{result.lines_paid} line(s) paid, {result.lines_denied} denied."
        )
        for number in result.unknown_claims:
            self.stdout.write(f"Unknown claim (not sent by this program): {number}")
        for line in result.unmatched_lines:
            self.stdout.write(f"Line not matched: {line}")


def _message(error: ApplicationError) -> str:
    fields = "; ".join(f"--{k.replace('_', '-')}: {v}" for k, v in error.field_errors.items())
    return f"{error.message} {fields}".strip()
