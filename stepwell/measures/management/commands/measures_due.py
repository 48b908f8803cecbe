"""``stepwell measures-due``: create the questionnaires the programs' schedules call for.

Run it daily (cron, or a scheduled django-tasks job); it is idempotent.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stepwell.measures.services import due_questionnaires_generate


class Command(BaseCommand):
    help = "Create due questionnaires from the measurement schedules (idempotent; run daily)."

    def handle(self, *args, **options):
        created = due_questionnaires_generate()
        self.stdout.write(f"{len(created)} questionnaires now due.")
