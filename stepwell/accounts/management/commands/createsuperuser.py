"""Django's `createsuperuser`, replaced: Stepwell has no superusers.

Clinic setup opens for the administrator role only (privacy.access.setup); an account
with Django's is_superuser flag could do nothing. The command says what to run instead.
"""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Stepwell has no superusers: use `stepwell administrator-create USERNAME --email ADDRESS`."
    )

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        raise CommandError(
            "Stepwell has no superusers: clinic setup opens for the administrator role only. "
            "Run `stepwell administrator-create USERNAME --email ADDRESS` instead."
        )
