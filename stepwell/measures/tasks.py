"""The daily due-questionnaire job, run by `stepwell daily` for each program at its date.

It creates what the program's measurement schedule calls for on the program's local date
(services.due_questionnaires_generate, as the system actor `measures-due`). Registered
with stepwell.daily; `stepwell measures-due` does the same for every program at once.
"""

from __future__ import annotations

from datetime import date

from stepwell.daily.registry import daily_job

from .services import due_questionnaires_generate

JOB = "measures-due"  # the system actor the audit trail names (privacy.access.measures)


@daily_job(JOB)
def measures_due_daily(*, actor, program, local_date: date) -> str:
    created = due_questionnaires_generate(actor=actor, program_id=program.pk, today=local_date)
    return f"{len(created)} questionnaires now due"
