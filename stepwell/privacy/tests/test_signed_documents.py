"""The shared shape of signed documents (privacy/signed_documents.py): the apps use it,
their tables did not change, and the signed-iff-signature-time constraint holds on every
document that carries it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from stepwell.care.models import NoteAddendum
from stepwell.discharge.models import DischargeSummary, SummaryAddendum
from stepwell.intake.models import AssessmentAddendum, IntakeAssessment
from stepwell.privacy.signed_documents import Addendum, SignedDocument, SignedStatus

DOCUMENTS = {
    IntakeAssessment: "assessment_signed_iff_signed_at",
    DischargeSummary: "discharge_summary_signed_iff_signed_at",
}


def test_the_apps_build_on_the_shared_shape():
    for model in DOCUMENTS:
        assert issubclass(model, SignedDocument)
    for model in (AssessmentAddendum, NoteAddendum, SummaryAddendum):
        assert issubclass(model, Addendum)
        assert {"author", "text"} <= {f.name for f in model._meta.concrete_fields}


@pytest.mark.parametrize(("model", "name"), DOCUMENTS.items())
def test_each_document_keeps_its_constraint_name(model, name):
    assert name in {c.name for c in model._meta.constraints}


def test_the_migrations_see_no_change_in_the_tables(db):
    """Moving onto abstract bases must not alter a table; `--check` exits non-zero (a
    SystemExit) when a migration would be written."""
    call_command("makemigrations", "intake", "care", "discharge", check=True, dry_run=True)


def _assessment(clinic, **values) -> IntakeAssessment:
    return IntakeAssessment.objects.create(
        episode=clinic.episode_a, patient=clinic.patient_a, created_by=clinic.clinician_a, **values
    )


@pytest.mark.parametrize(
    ("status", "signed"),
    [(SignedStatus.SIGNED, False), (SignedStatus.DRAFT, True), ("other", False)],
)
def test_signed_means_a_signature_time_and_nothing_else(clinic, status, signed):
    with pytest.raises(IntegrityError), transaction.atomic():
        _assessment(clinic, status=status, signed_at=timezone.now() if signed else None)
    assert not IntakeAssessment.objects.exists()


def test_is_signed_follows_the_status(clinic):
    draft = _assessment(clinic)
    assert (draft.status, draft.is_signed) == ("draft", False)
    signed = _assessment(
        clinic, status="signed", signed_at=timezone.now(), signed_by=clinic.clinician_a
    )
    assert signed.is_signed
