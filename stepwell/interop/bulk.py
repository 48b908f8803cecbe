"""Bulk export of a program's patients as NDJSON, one file per resource type, in the
style of FHIR Bulk Data: start, poll the status, fetch the files.

- Who: a director of the program asks through the API; the files are served to that
  director only. An operator runs `stepwell fhir export` on the server as a named system
  job. Both are audited per patient (docs/clinical-sources.md §5).
- What: for each patient with an episode in the program, the episodes in that program,
  exactly as a director's $everything would give them (record.py), Part 2 labels included.
- Where and how long: API exports are written under STEPWELL_EXPORT_DIR/fhir/job-N and
  deleted STEPWELL_EXPORT_KEEP_HOURS (24 by default) after the job ends, when the next
  export starts or `stepwell fhir purge` runs. A shell export writes to the folder named
  on the command line and Stepwell keeps no copy.
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.patients.models import Episode
from stepwell.privacy.access.interop import (
    JOB_OBJECT,
    ExportScope,
    access_fhir_bulk_export_by_id,
    access_fhir_bulk_export_program_by_id,
    access_fhir_system_export,
)
from stepwell.privacy.actors import system_actor
from stepwell.privacy.audit import AuditAction, audit_batch, audit_record
from stepwell.privacy.refusals import refuse

from .export import has_part2_label
from .models import BulkExport, BulkExportStatus
from .outcomes import FhirInputError, Issue
from .record import RecordCollector

logger = logging.getLogger(__name__)
FILE_OBJECT = "fhir_bulk_file"
NO_PATIENT_DATA = ("Practitioner", "Organization")


def export_root() -> Path:
    return Path(settings.STEPWELL_EXPORT_DIR) / "fhir"


def keep_for() -> timedelta:
    return timedelta(hours=settings.STEPWELL_EXPORT_KEEP_HOURS)


def bulk_export_start(*, actor, program_id: int) -> BulkExport:
    """Queue a program's export for its director; the background job writes the files."""
    from .tasks import fhir_bulk_export_execute

    program = access_fhir_bulk_export_program_by_id(actor, program_id)
    bulk_exports_purge()
    job = BulkExport.objects.create(program=program, requested_by=actor)
    job.directory = str(export_root() / f"job-{job.pk}")
    job.save(update_fields=["directory"])
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        object_type=JOB_OBJECT,
        object_id=job.pk,
        detail={"program": program.pk},
    )
    fhir_bulk_export_execute.enqueue(job.pk)
    job.refresh_from_db()
    return job


def system_export_run(*, actor, program: Program, directory: Path) -> BulkExport:
    """The shell's export: a named system job (`system_actor`), audited under its name."""
    if not access_fhir_system_export(actor):
        raise refuse(
            actor=actor, action=AuditAction.EXPORT, object_type=JOB_OBJECT, object_id="new"
        )
    job_name = actor.job
    job = BulkExport.objects.create(program=program, system_job=job_name, directory=str(directory))
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        object_type=JOB_OBJECT,
        object_id=job.pk,
        detail={"system_job": job_name, "program": program.pk, "directory": str(directory)},
    )
    return bulk_export_run(job)


def _program_patients(program: Program) -> list[tuple[object, tuple[Episode, ...]]]:
    episodes = (
        Episode.objects.filter(program=program)
        .select_related("patient", "program")
        .order_by("patient__legal_last_name", "patient__legal_first_name", "patient_id", "pk")
    )
    grouped: dict[int, list[Episode]] = {}
    patients = {}
    for episode in episodes:
        grouped.setdefault(episode.patient_id, []).append(episode)
        patients[episode.patient_id] = episode.patient
    return [(patients[pk], tuple(grouped[pk])) for pk in grouped]


def _progress(job: BulkExport, percent: int, message: str, **fields) -> None:
    job.progress = percent
    job.message = message[:300]
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["progress", "message", *fields])


def _exporter(job: BulkExport):
    """Who the export's audit events name: the director who asked, or the system job."""
    return job.requested_by if job.requested_by_id else system_actor(job.system_job)


def bulk_export_run(job: BulkExport, *, now: datetime | None = None) -> BulkExport:
    """Write the program's NDJSON files; on failure keep no half-written file.

    Run by the background job or the shell command once the export was allowed
    (bulk_export_start, system_export_run)."""
    exporter = _exporter(job)
    directory = Path(job.directory)
    parts: dict[str, Path] = {}
    try:
        _progress(job, 1, "Finding the program's patients", status=BulkExportStatus.RUNNING)
        patients = _program_patients(job.program)
        directory.mkdir(parents=True, exist_ok=True)
        written: set[tuple[str, str]] = set()
        counts: dict[str, int] = {}
        patients_of: dict[str, list[int]] = {}
        handles = {}
        try:
            for number, (patient, episodes) in enumerate(patients, 1):
                scope = ExportScope(episodes=episodes, whole_record=False)
                resources = RecordCollector(patient, scope, now=now).collect()
                for resource in resources:
                    kind = resource["resourceType"]
                    key = (kind, resource["id"])
                    if key in written:
                        continue
                    written.add(key)
                    if kind not in handles:
                        parts[kind] = directory / f"{kind}.ndjson.part"
                        handles[kind] = parts[kind].open("w", encoding="utf-8")
                    handles[kind].write(json.dumps(resource, separators=(",", ":")) + "\n")
                    counts[kind] = counts.get(kind, 0) + 1
                    if kind not in NO_PATIENT_DATA and patient.pk not in patients_of.get(kind, []):
                        patients_of.setdefault(kind, []).append(patient.pk)
                audit_record(
                    user=exporter,
                    action=AuditAction.EXPORT,
                    patient_id=patient.pk,
                    object_type=JOB_OBJECT,
                    object_id=job.pk,
                    detail={
                        "format": "FHIR NDJSON",
                        "system_job": job.system_job,
                        "episodes": [e.pk for e in episodes],
                        "part2": any(has_part2_label(r) for r in resources),
                        "counts": resources.counts(),
                    },
                )
                _progress(
                    job,
                    1 + int(98 * number / max(len(patients), 1)),
                    f"Exported {number} of {len(patients)} patients",
                )
        finally:
            for handle in handles.values():
                handle.close()
        output = []
        for kind in sorted(parts):
            final = directory / f"{kind}.ndjson"
            parts[kind].replace(final)
            output.append(
                {
                    "type": kind,
                    "file": final.name,
                    "count": counts[kind],
                    "patients": patients_of.get(kind, []),
                }
            )
        finished = timezone.now()
        _progress(
            job,
            100,
            f"{len(patients)} patients, {sum(counts.values())} resources",
            status=BulkExportStatus.DONE,
            output=output,
            patient_ids=[p.pk for p, _ in patients],
            finished_at=finished,
            expires_at=finished + keep_for() if job.requested_by_id else None,
        )
    except Exception as error:
        logger.exception("FHIR bulk export %s failed", job.pk)
        for part in parts.values():
            part.unlink(missing_ok=True)
        _progress(
            job,
            100,
            f"The export failed: {error}",
            status=BulkExportStatus.FAILED,
            finished_at=timezone.now(),
        )
    return job


def bulk_export_for(*, actor, job_id: int) -> BulkExport:
    """The job, for the director who asked for it; anyone else is refused and audited."""
    return access_fhir_bulk_export_by_id(actor, job_id)


DOWNLOAD_AUDIT_BATCH = 500


def bulk_export_file(*, actor, job_id: int, file_name: str) -> Path:
    """One NDJSON file of a finished job; each patient in it is audited as exported."""
    job = access_fhir_bulk_export_by_id(actor, job_id)
    if job.status == BulkExportStatus.EXPIRED:
        raise FhirInputError([Issue("", "This export has expired; start a new one.")], status=410)
    entry = next((o for o in job.output if o["file"] == file_name), None)
    path = Path(job.directory) / file_name
    if job.status != BulkExportStatus.DONE or entry is None or not path.is_file():
        raise FhirInputError([Issue("", f"This export has no file {file_name!r}.")], status=404)
    object_id = f"{job.pk}/{file_name}"
    if not entry["patients"]:
        audit_record(
            user=actor,
            action=AuditAction.EXPORT,
            object_type=FILE_OBJECT,
            object_id=object_id,
            detail={"type": entry["type"], "count": entry["count"]},
        )
    # One event per patient in the file, in batches: the head moves once a batch, and the
    # events of other requests (every page writes one) wait at most one batch.
    patients = entry["patients"]
    for start in range(0, len(patients), DOWNLOAD_AUDIT_BATCH):
        with audit_batch():
            for patient_id in patients[start : start + DOWNLOAD_AUDIT_BATCH]:
                audit_record(
                    user=actor,
                    action=AuditAction.EXPORT,
                    patient_id=patient_id,
                    object_type=FILE_OBJECT,
                    object_id=object_id,
                    detail={"type": entry["type"]},
                )
    return path


def bulk_exports_purge(*, now: datetime | None = None) -> int:
    """Delete the files of API exports past their time; returns how many were deleted."""
    moment = now or timezone.now()
    root = export_root().resolve()
    purged = 0
    for job in BulkExport.objects.filter(expires_at__lte=moment).exclude(
        status=BulkExportStatus.EXPIRED
    ):
        directory = Path(job.directory).resolve()
        if directory.is_relative_to(root) and directory != root:
            shutil.rmtree(directory, ignore_errors=True)
        job.status = BulkExportStatus.EXPIRED
        job.save(update_fields=["status"])
        purged += 1
    return purged
