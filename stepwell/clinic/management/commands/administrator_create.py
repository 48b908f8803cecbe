"""`stepwell administrator-create USERNAME --email ADDRESS`: the first administrator.

Stepwell has no superusers: clinic setup opens for the administrator role only. The
operator at the server runs this once (or when no administrator can log in). It creates
the staff account if there is none, with no password, grants it the administrator role,
and prints a one-time link where its owner sets the password. Audited as the system job
"administrator-create by <operating-system account>". Then `stepwell enrolment-code
USERNAME` gives the code to enrol an authenticator app.
"""

from __future__ import annotations

import getpass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stepwell.accounts.passwords import password_reset_path
from stepwell.clinic.services import administrator_create
from stepwell.core.errors import ApplicationError
from stepwell.privacy.actors import system_actor


class Command(BaseCommand):
    help = (
        "Grant the administrator role (clinic setup), creating the staff account if needed; "
        "prints a one-time link to set its password. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The administrator's username.")
        parser.add_argument("--email", default="", help="Their own email address (new account).")
        parser.add_argument("--first-name", default="", help="First name (new account).")
        parser.add_argument("--last-name", default="", help="Last name (new account).")
        parser.add_argument(
            "--base-url",
            default="",
            help="Where Stepwell is served, e.g. https://stepwell.example.org, to print a "
            "full link rather than its path.",
        )

    def handle(self, *args, username: str, **options):
        try:
            user, created = administrator_create(
                actor=system_actor(f"administrator-create by {getpass.getuser()}"),
                username=username,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ApplicationError as error:
            fields = "; ".join(
                f"--{k.replace('_', '-')}: {v}" for k, v in error.field_errors.items()
            )
            raise CommandError(f"{error.message} {fields}".strip()) from error
        self.stdout.write(
            f"{'Created' if created else 'Updated'} {user.username}: administrator (clinic setup)."
        )
        if not user.has_usable_password():
            link = options["base_url"].rstrip("/") + password_reset_path(user)
            hours = settings.PASSWORD_RESET_TIMEOUT // 3600
            self.stdout.write(
                f"Set the password at {link}\n"
                f"The link works once, for {hours} hours; give it only to {user.username}."
            )
        self.stdout.write(
            f"Then run `stepwell enrolment-code {user.username}` for the code to enrol "
            "their authenticator app."
        )
