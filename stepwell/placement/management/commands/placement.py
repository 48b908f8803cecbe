import json
import sys

from django.core.management.base import BaseCommand

from stepwell.placement.commandline import run_recommend


class Command(BaseCommand):
    help = "placement recommend FILE.json: recommend a level of care (docs/placement-input.md)"

    def run_from_argv(self, argv: list[str]) -> None:
        code, result = run_recommend(argv[2:])
        self.stdout.write(json.dumps(result, indent=2))
        sys.exit(code)
