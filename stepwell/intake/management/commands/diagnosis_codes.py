import json
import sys

from django.core.management.base import BaseCommand

from stepwell.intake.diagnosis_codes import DATA_FILE, build_code_set, code_set_json


class Command(BaseCommand):
    help = (
        "diagnosis-codes --check | --write: compare or rewrite data/icd10cm.json from the "
        "installed simple-icd-10-cm package (docs/intake-and-plans.md, Diagnosis codes)"
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="exit 1 if the file differs")
        action.add_argument("--write", action="store_true", help="rewrite the file")

    def handle(self, *args, check: bool, write: bool, **options):
        built = build_code_set()
        summary = f"{built['code_set']} ({built['release']}), {len(built['codes'])} codes"
        if write:
            DATA_FILE.write_text(code_set_json(built), encoding="utf-8")
            self.stdout.write(f"wrote {DATA_FILE.name}: {summary}")
            return
        shipped = json.loads(DATA_FILE.read_text(encoding="utf-8"))
        if shipped != built:
            self.stderr.write(
                f"{DATA_FILE.name} differs from the installed package ({summary}); "
                "run: stepwell diagnosis-codes --write"
            )
            sys.exit(1)
        self.stdout.write(f"{DATA_FILE.name} matches the installed package: {summary}")
