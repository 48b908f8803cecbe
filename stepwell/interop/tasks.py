"""The bulk export as a background job (django-tasks; `stepwell db_worker` runs it).

The status URL polls BulkExport.progress while it runs.
"""

from __future__ import annotations

from django_tasks import task

from .bulk import bulk_export_run
from .models import BulkExport


@task()
def fhir_bulk_export_execute(job_id: int) -> str:
    job = BulkExport.objects.select_related("program", "requested_by").get(pk=job_id)
    return bulk_export_run(job).status
