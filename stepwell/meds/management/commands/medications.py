"""`stepwell medications load-rxnorm RXNCONSO.RRF`: load a clinic's RxNorm release.

The ingredient concepts (IN, PIN, MIN of RxNorm's own atoms) are added to the
formulary's look-up table, so a medication may then be entered with any of their codes.
Run it again with a newer release to refresh the names. A line that is not an RXNCONSO
row refuses the whole file, naming the line; nothing is written then.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stepwell.meds.rxnorm import RrfError
from stepwell.meds.services import rxnorm_load
from stepwell.meds.services.rxnorm_load import LOAD_JOB
from stepwell.privacy.actors import system_actor


class Command(BaseCommand):
    help = "Medications: `load-rxnorm RXNCONSO.RRF` loads a clinic's RxNorm release."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load-rxnorm", help="Load RXNCONSO.RRF (RxNorm full release).")
        load.add_argument("file", help="The RXNCONSO.RRF file of the release.")

    def handle(self, *args, action: str, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file: {path} is not a file.")
        try:
            with path.open(encoding="utf-8") as lines:
                count = rxnorm_load(actor=system_actor(f"{LOAD_JOB}"), lines=lines)
        except UnicodeDecodeError as error:
            raise CommandError(f"file: {path} is not UTF-8 text ({error.reason}).") from error
        except RrfError as error:
            raise CommandError(f"file: {error}; nothing was loaded.") from error
        self.stdout.write(
            f"Loaded {count} RxNorm ingredient concepts from {path.name} (by {getpass.getuser()})."
        )
