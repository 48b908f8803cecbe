"""The clinic's date for tests: what a service calls "today" in the program's zone.

The server's date is UTC's; from midnight UTC it is a day ahead of an American program's
date, and a record dated "today" by UTC would be in the program's future."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.clinic.time import program_today


def clinic_today() -> date:
    """The earliest of the programs' dates (UTC's date when there is no program)."""
    days = [program_today(program) for program in Program.objects.all()]
    return min(days) if days else timezone.localdate()
