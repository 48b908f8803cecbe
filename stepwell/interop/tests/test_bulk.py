"""Bulk export: kick-off, status, NDJSON files per resource type, who gets them, how
long they stay, and the shell command. The background job runs synchronously here (the
test settings use django-tasks' immediate backend)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.interop.models import BulkExport, BulkExportStatus
from stepwell.interop.record import RecordCollector
from stepwell.privacy.audit import audit_verify
from stepwell.privacy.models import AuditChainHead, AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, PatientFactory, UserFactory

from .checks import assert_references_resolve, assert_valid_resource, is_part2

NOT_AVAILABLE = {"detail": "Not found, or you do not have access to this record.", "errors": {}}
EXPECTED_TYPES = {
    "Appointment",
    "CarePlan",
    "Condition",
    "DocumentReference",
    "Encounter",
    "EpisodeOfCare",
    "Goal",
    "Observation",
    "Organization",
    "Patient",
    "Practitioner",
    "Provenance",
    "QuestionnaireResponse",
}


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.STEPWELL_EXPORT_DIR = tmp_path / "exports"
    return settings.STEPWELL_EXPORT_DIR


@pytest.fixture
def second_patient(record):
    patient = PatientFactory(legal_first_name="Dana", legal_last_name="Dogwood")
    EpisodeFactory(
        patient=patient, program=record.clinic.program_a, referred_on=record.episode.referred_on
    )
    return patient


def read_ndjson(content: bytes) -> list[dict]:
    return [json.loads(line) for line in content.decode().splitlines()]


def test_bulk_export_end_to_end(client, record, second_patient, monkeypatch):
    from stepwell.interop import bulk

    monkeypatch.setattr(bulk, "DOWNLOAD_AUDIT_BATCH", 1)  # each patient's event its own batch
    director = record.clinic.director_a
    verified_login(client, director)
    started = client.get(f"/api/v1/fhir/$export?program={record.clinic.program_a.pk}")
    assert started.status_code == 202
    status_url = started["Content-Location"]
    job = BulkExport.objects.get()
    assert status_url == f"http://testserver/api/v1/fhir/bulk-status/{job.pk}"
    manifest = client.get(status_url.removeprefix("http://testserver"))
    assert manifest.status_code == 200
    body = manifest.json()
    assert body["requiresAccessToken"] is True
    assert {o["type"] for o in body["output"]} == EXPECTED_TYPES
    assert len(body["output"]) == len(EXPECTED_TYPES)  # one file per resource type
    resources = []
    for output in body["output"]:
        assert output["url"].endswith(f"/bulk-files/{job.pk}/{output['type']}.ndjson")
        response = client.get(output["url"].removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+ndjson"
        lines = read_ndjson(b"".join(response.streaming_content))
        assert len(lines) == output["count"]
        assert {r["resourceType"] for r in lines} == {output["type"]}
        resources += lines
    for resource in resources:
        assert_valid_resource(resource)
    assert_references_resolve(resources)
    patients = {r["id"] for r in resources if r["resourceType"] == "Patient"}
    assert patients == {str(record.patient.pk), str(second_patient.pk)}
    per_patient = AuditEvent.objects.filter(object_type="fhir_bulk_export", action="export")
    assert sorted(per_patient.values_list("patient_id", flat=True)) == sorted(
        [record.patient.pk, second_patient.pk]
    )
    assert set(per_patient.values_list("user_id", flat=True)) == {director.pk}
    downloads = AuditEvent.objects.filter(
        object_type="fhir_bulk_file", object_id=f"{job.pk}/Patient.ndjson"
    )
    assert sorted(downloads.values_list("patient_id", flat=True)) == sorted(
        [record.patient.pk, second_patient.pk]
    )
    head = AuditChainHead.objects.get()  # the downloads were batches: the head followed
    assert head.last_seq == AuditEvent.objects.order_by("-seq")[0].seq
    assert audit_verify() == []


def test_only_program_directors_start_an_export(client, record):
    for who in ("clinician_a", "admin", "billing_a"):
        user = getattr(record.clinic, who)
        verified_login(client, user)
        response = client.get(f"/api/v1/fhir/$export?program={record.clinic.program_a.pk}")
        assert (response.status_code, response.json()) == (403, NOT_AVAILABLE)
    verified_login(client, record.clinic.director_a)
    other = client.get(f"/api/v1/fhir/$export?program={record.clinic.program_b.pk}")
    assert other.status_code == 403
    assert BulkExport.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="fhir_bulk_export", outcome="denied").count() == 4


def test_files_are_served_only_to_the_director_who_asked(client, record):
    verified_login(client, record.clinic.director_a)
    client.get(f"/api/v1/fhir/$export?program={record.clinic.program_a.pk}")
    job = BulkExport.objects.get()
    other = UserFactory(roles=[Role.PROGRAM_DIRECTOR], programs=[record.clinic.program_a])
    for user in (other, record.clinic.clinician_a):
        verified_login(client, user)
        for path in (f"bulk-status/{job.pk}", f"bulk-files/{job.pk}/Patient.ndjson"):
            response = client.get(f"/api/v1/fhir/{path}")
            assert (response.status_code, response.json()) == (403, NOT_AVAILABLE)
    assert not AuditEvent.objects.filter(object_type="fhir_bulk_file").exists()
    denied = AuditEvent.objects.filter(object_type="fhir_bulk_export", outcome="denied")
    assert denied.count() == 4


def test_status_answers_202_with_progress_while_running(client, record):
    director = record.clinic.director_a
    job = BulkExport.objects.create(
        program=record.clinic.program_a,
        requested_by=director,
        status=BulkExportStatus.RUNNING,
        progress=40,
        message="Exported 2 of 5 patients",
    )
    verified_login(client, director)
    response = client.get(f"/api/v1/fhir/bulk-status/{job.pk}")
    assert response.status_code == 202
    assert response["X-Progress"] == "40%: Exported 2 of 5 patients"
    assert response.json()["progress"] == 40
    early = client.get(f"/api/v1/fhir/bulk-files/{job.pk}/Patient.ndjson")
    assert early.status_code == 404
    assert early.json()["resourceType"] == "OperationOutcome"


def test_a_failed_job_keeps_no_half_written_file(client, record, monkeypatch, export_dir):
    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(RecordCollector, "collect", broken)
    verified_login(client, record.clinic.director_a)
    client.get(f"/api/v1/fhir/$export?program={record.clinic.program_a.pk}")
    job = BulkExport.objects.get()
    assert job.status == BulkExportStatus.FAILED
    assert list(Path(job.directory).glob("*")) == []
    response = client.get(f"/api/v1/fhir/bulk-status/{job.pk}")
    assert response.status_code == 500
    issue = response.json()["issue"][0]
    assert (issue["code"], issue["diagnostics"]) == ("exception", "The export failed: disk full")


def test_files_are_deleted_after_the_keeping_time(client, record, settings, export_dir):
    settings.STEPWELL_EXPORT_KEEP_HOURS = 24
    director = record.clinic.director_a
    verified_login(client, director)
    client.get(f"/api/v1/fhir/$export?program={record.clinic.program_a.pk}")
    job = BulkExport.objects.get()
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    assert (Path(job.directory) / "Patient.ndjson").is_file()
    BulkExport.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("fhir", "purge")
    job.refresh_from_db()
    assert job.status == BulkExportStatus.EXPIRED
    assert not Path(job.directory).exists()
    assert client.get(f"/api/v1/fhir/bulk-status/{job.pk}").status_code == 410
    assert client.get(f"/api/v1/fhir/bulk-files/{job.pk}/Patient.ndjson").status_code == 410


def test_the_shell_command_writes_one_file_per_type_as_an_audited_system_job(
    record, tmp_path, capsys
):
    out = tmp_path / "registry"
    call_command("fhir", "export", "--program", str(record.clinic.program_b.pk), "--out", str(out))
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["patients"] == 2  # Blake, and Casey (on clinician A's care team)
    files = {p.name for p in out.iterdir()}
    assert files == {f"{o['type']}.ndjson" for o in manifest["output"]}
    patients = read_ndjson((out / "Patient.ndjson").read_bytes())
    assert all(is_part2(p) for p in patients)  # program B is a Part 2 program
    events = AuditEvent.objects.filter(object_type="fhir_bulk_export", action="export")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(
        [record.part2_patient.pk, record.clinic.team_patient_b.pk]
    )
    for event in events:
        assert (event.user_id, event.role) == (None, "system")
        assert event.username.startswith("system:stepwell fhir export by ")
        assert event.detail["system_job"].startswith("stepwell fhir export by ")
    job = BulkExport.objects.get()
    assert (job.requested_by, job.expires_at) == (None, None)


def test_the_shell_command_refuses_a_used_folder_and_an_unknown_program(record, tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "Patient.ndjson").write_text("{}\n")
    with pytest.raises(CommandError, match="must be a new or empty folder"):
        call_command(
            "fhir", "export", "--program", str(record.clinic.program_a.pk), "--out", str(used)
        )
    with pytest.raises(CommandError, match="no program with id '999'"):
        call_command("fhir", "export", "--program", "999", "--out", str(tmp_path / "new"))
    assert BulkExport.objects.count() == 0
