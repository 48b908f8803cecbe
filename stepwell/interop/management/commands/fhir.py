"""`stepwell fhir export --program ID --out DIR` and `stepwell fhir purge`.

The export is the API's bulk export run from the server's shell: one NDJSON file per
resource type in DIR, every patient audited under the system job's name (it names the
operating-system account that ran it). DIR must be new or empty so two exports never mix.
`purge` deletes API exports past their keeping time (STEPWELL_EXPORT_KEEP_HOURS); run it
from cron, or let the next export do it.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stepwell.clinic.models import Program
from stepwell.interop.bulk import bulk_exports_purge, system_export_run
from stepwell.interop.models import BulkExportStatus
from stepwell.privacy.actors import system_actor


class Command(BaseCommand):
    help = "FHIR: `export --program ID --out DIR` (NDJSON per resource type), `purge`."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Export a program's patients as NDJSON.")
        export.add_argument("--program", required=True, help="The program's id.")
        export.add_argument("--out", required=True, help="A new or empty folder.")
        actions.add_parser("purge", help="Delete API exports past their keeping time.")

    def handle(self, *args, action: str, **options):
        if action == "purge":
            self.stdout.write(f"{bulk_exports_purge()} expired exports deleted.")
            return
        program = self._program(options["program"])
        out = Path(options["out"])
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CommandError(f"--out: {out} must be a new or empty folder.")
        job = system_export_run(
            actor=system_actor(f"stepwell fhir export by {getpass.getuser()}"),
            program=program,
            directory=out,
        )
        if job.status != BulkExportStatus.DONE:
            raise CommandError(job.message)
        manifest = {
            "program": program.pk,
            "patients": len(job.patient_ids),
            "output": [
                {"type": o["type"], "file": str(out / o["file"]), "count": o["count"]}
                for o in job.output
            ],
        }
        self.stdout.write(json.dumps(manifest, indent=2))

    def _program(self, value: str) -> Program:
        program = Program.objects.filter(pk=int(value)).first() if value.isdigit() else None
        if program is None:
            raise CommandError(f"--program: no program with id {value!r}.")
        return program
