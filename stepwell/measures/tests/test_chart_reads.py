"""The chart's lists of its patient's records are kept compiled (stepwell/core/kept.py):
each reads what the ORM's query it keeps reads, for a patient with records of every kind
(and one with none)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stepwell.core.kept import LISTS
from stepwell.measures import panels
from stepwell.measures.models import Administration, AdministrationStatus, Alert, AlertStatus
from stepwell.patients import selectors
from stepwell.patients.models import FamilyContact
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record
from stepwell.testing.factories import PatientFactory, UserFactory
from stepwell.testing.kept import assert_records_as_orm

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

START = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)
CHART_LISTS = [
    panels._QUESTIONNAIRES,
    panels._NEWEST_RECORDED,
    panels._OPEN_ALERTS,
    selectors._FAMILY_CONTACTS,
    selectors._RECENT_VIEWERS,
]


def _patient_with_records():
    patient, other = PatientFactory(), PatientFactory()
    questionnaires = [
        Administration.objects.create(
            patient=who,
            instrument_key="phq9",
            instrument_version="1.1.0",
            status=status,
            answers={"q1": 2},
            flags=["item9_positive"] if n == 1 else [],
            total=None if status == AdministrationStatus.DUE else 7 + n,
            due_on=START.date(),
            completed_at=None if status == AdministrationStatus.DUE else START + timedelta(days=n),
        )
        for n, (who, status) in enumerate(
            [
                (patient, AdministrationStatus.COMPLETED),
                (patient, AdministrationStatus.COMPLETED),
                (patient, AdministrationStatus.DUE),
                (other, AdministrationStatus.COMPLETED),
            ]
        )
    ]
    for administration, status in zip(
        questionnaires,
        [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.OPEN, AlertStatus.OPEN],
        strict=True,
    ):
        Alert.objects.create(
            patient=administration.patient,
            administration=administration,
            kind="suicide_risk",
            reason="Synthetic",
            status=status,
            acknowledged_at=START if status != AlertStatus.OPEN else None,
            action_note="Called." if status != AlertStatus.OPEN else "",
        )
    for who, name in [(patient, "Robin Zed"), (patient, "Ash Ay"), (other, "Kim Other")]:
        FamilyContact.objects.create(patient=who, name=name, relationship="sibling")
    staff = UserFactory()
    for outcome in [AuditOutcome.ALLOWED] * 12 + [AuditOutcome.DENIED]:
        audit_record(user=staff, action=AuditAction.VIEW, patient_id=patient.pk, outcome=outcome)
    audit_record(action=AuditAction.VIEW, patient_id=patient.pk)  # no one named: not shown
    audit_record(user=staff, action=AuditAction.VIEW, patient_id=other.pk)
    return patient, other


def test_the_charts_lists_read_what_the_orm_reads():
    assert all(kept in LISTS for kept in CHART_LISTS)
    patient, other = _patient_with_records()
    for kept in CHART_LISTS:
        assert kept.records(patient=patient.pk), kept  # something to compare
        assert_records_as_orm(kept, patient=patient.pk)
        assert_records_as_orm(kept, patient=other.pk)
        assert_records_as_orm(kept, patient=PatientFactory().pk)  # none
    viewers = selectors.patient_recent_viewers(patient=patient)
    assert len(viewers) == selectors.RECENT_VIEWERS
    assert [v.seq for v in viewers] == sorted((v.seq for v in viewers), reverse=True)
