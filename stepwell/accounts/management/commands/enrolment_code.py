"""`stepwell enrolment-code USERNAME`: a one-time code to enrol an authenticator app.

For the operator at the server (the first administrator after `administrator-create`,
or when no administrator can log in). Audited as the system job
"enrolment-code by <operating-system account>", with "via": "command line".
"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from stepwell.accounts.enrolment import enrolment_code_create
from stepwell.accounts.models import User
from stepwell.core.errors import ApplicationError
from stepwell.privacy.actors import system_actor


class Command(BaseCommand):
    help = (
        "Create a one-time enrolment code so a staff member can set up their authenticator "
        "app at next login. Shown once; voids earlier codes; audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The staff member's username.")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account with the username {username!r}.")
        try:
            issued = enrolment_code_create(
                actor=system_actor(f"enrolment-code by {getpass.getuser()}"), user=user
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Enrolment code for {user.username}: {issued.plaintext}\n"
            f"Valid once, until {issued.record.expires_at:%Y-%m-%d %H:%M} UTC. "
            "Give it to them in person or by phone; it is not shown again."
        )
