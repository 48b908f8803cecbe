"""`stepwell billing claims --program ID --from DATE --to DATE --format 837i|csv --out FILE`.

The billing page's claims form from the server's shell: every billable day of the program
between the dates that is not billed yet, one claim per patient, coverage, authorization
and week, written to FILE (which must not exist). The claims are recorded as billed, so a
second run bills nothing twice. Audited under the system job's name, which names the
operating-system account that ran it.
"""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stepwell.billing.services import claims_generate
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

    def handle(self, *args, action: str, **options):
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
            fields = "; ".join(
                f"--{k.replace('_', '-')}: {v}" for k, v in error.field_errors.items()
            )
            raise CommandError(f"{error.message} {fields}".strip()) from error
        out.write_text(batch.content, encoding="utf-8")
        claims = batch.claims.count()
        self.stdout.write(f"{claims} claim(s) written to {out} (claims file {batch.pk}).")
