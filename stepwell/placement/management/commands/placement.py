from django.core.management.base import BaseCommand

from stepwell.placement.commandline import main


class Command(BaseCommand):
    help = "placement recommend FILE.json: recommend a level of care (docs/placement-input.md)"

    def run_from_argv(self, argv: list[str]) -> None:
        raise SystemExit(main(argv[2:]))
