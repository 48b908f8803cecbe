"""The interop services are the gate: called directly, as no page or endpoint would, a
refused caller gets AccessDenied, one denied audit event, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from stepwell.core.errors import AccessDenied
from stepwell.intake.models import Referral
from stepwell.interop.bulk import (
    bulk_export_file,
    bulk_export_for,
    bulk_export_start,
    system_export_run,
)
from stepwell.interop.models import BulkExport
from stepwell.interop.referrals import referral_import
from stepwell.patients.models import Patient
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent

EXAMPLE = Path(settings.BASE_DIR) / "examples" / "fhir" / "referral-bundle.json"


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.STEPWELL_EXPORT_DIR = tmp_path / "exports"
    return settings.STEPWELL_EXPORT_DIR


def denied(object_type: str):
    return AuditEvent.objects.filter(outcome="denied", object_type=object_type)


@pytest.mark.parametrize("name", ["clinician_a", "admin", "billing_a", "patient_user_a"])
def test_bulk_export_start_refuses_anyone_but_the_programs_director(clinic, name):
    with pytest.raises(AccessDenied):
        bulk_export_start(actor=getattr(clinic, name), program_id=clinic.program_a.pk)
    assert denied("fhir_bulk_export").count() == 1
    assert not BulkExport.objects.exists()


def test_bulk_export_files_are_refused_to_another_director(clinic):
    from stepwell.accounts.models import Role
    from stepwell.testing.factories import UserFactory

    job = bulk_export_start(actor=clinic.director_a, program_id=clinic.program_a.pk)
    other = UserFactory(roles=[Role.PROGRAM_DIRECTOR], programs=[clinic.program_a])
    with pytest.raises(AccessDenied):
        bulk_export_for(actor=other, job_id=job.pk)
    with pytest.raises(AccessDenied):
        bulk_export_file(actor=other, job_id=job.pk, file_name="Patient.ndjson")
    assert denied("fhir_bulk_export").count() == 2
    assert not AuditEvent.objects.filter(object_type="fhir_bulk_file").exists()


def test_the_shell_export_is_for_a_named_system_job_only(clinic, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(AccessDenied):
        system_export_run(actor=clinic.director_a, program=clinic.program_a, directory=out)
    assert denied("fhir_bulk_export").count() == 1
    assert not BulkExport.objects.exists()
    assert not out.exists()
    job = system_export_run(
        actor=system_actor("stepwell fhir export by test"),
        program=clinic.program_a,
        directory=out,
    )
    assert job.system_job == "stepwell fhir export by test"
    exported = AuditEvent.objects.filter(
        object_type="fhir_bulk_export", action="export", outcome="allowed"
    )
    assert set(exported.values_list("username", "role")) == {
        ("system:stepwell fhir export by test", "system")
    }


@pytest.mark.parametrize("name", ["billing_a", "nurse_a", "admin", "clinician_b"])
def test_referral_import_refuses_who_takes_no_referrals_for_the_program(clinic, name):
    before = (Patient.objects.count(), Referral.objects.count())
    with pytest.raises(AccessDenied):
        referral_import(
            actor=getattr(clinic, name),
            program_id=clinic.program_a.pk,
            bundle_data=json.loads(EXAMPLE.read_text()),
        )
    assert denied("fhir_referral_import").count() == 1
    assert (Patient.objects.count(), Referral.objects.count()) == before
