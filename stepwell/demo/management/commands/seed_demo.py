from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stepwell.clinic.models import Organization
from stepwell.clinic.time import zone_today
from stepwell.core.collection import collecting_less
from stepwell.demo.chain import build_chain
from stepwell.demo.clinic import DEMO_LOGINS, DEMO_PASSWORD, DEMO_ZONE
from stepwell.demo.full import build_demo


class Command(BaseCommand):
    help = "Build the synthetic demo clinic (demo settings only). `stepwell seed-demo --seed 42`."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=42,
            help="Random seed; the same seed builds the same clinic.",
        )
        parser.add_argument(
            "--patients",
            type=int,
            default=0,
            help="Also build a clinic chain of this many more patients over three more sites "
            "(bulk inserts), for measuring at scale.",
        )

    def handle(self, *args, seed: int, patients: int = 0, **options):
        if patients < 0:
            raise CommandError("--patients: give 0 or more.")
        if not getattr(settings, "STEPWELL_DEMO", False):
            raise CommandError(
                "seed-demo only runs with the demo settings (DJANGO_SETTINGS_MODULE=stepwell.settings.demo): "
                "it creates accounts with a published password."
            )
        if Organization.objects.exists():
            self.stdout.write("The database already holds a clinic; seed-demo left it as it is.")
        else:
            with collecting_less():  # a build of many short-lived ORM objects
                clinic = build_demo(seed=seed)
            self.stdout.write(
                f"Demo clinic built (seed {seed}): {len(clinic.programs)} programs, "
                f"{sum(1 for u in clinic.users.values() if u.kind == 'staff')} staff, {len(clinic.patients)} patients."
            )
            if patients:
                with collecting_less():
                    chain = build_chain(patients=patients, seed=seed, today=zone_today(DEMO_ZONE))
                self.stdout.write(
                    f"Clinic chain added: {len(chain.sites)} sites, {len(chain.programs)} programs, "
                    f"{chain.patients} patients."
                )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, what in DEMO_LOGINS:
            self.stdout.write(f"  {username:<11} {what}")
