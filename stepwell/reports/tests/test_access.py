"""Who opens which report, called on the selector directly (the gate) and through the
pages and API: refused people get AccessDenied, exactly one denied audit event, and
nothing about the program."""

from __future__ import annotations

import pytest

from stepwell.accounts.models import Role
from stepwell.core.errors import AccessDenied
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.reports.registry import SPECS
from stepwell.reports.selectors import report_catalogue, report_run
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PatientFactory, UserFactory

from .conftest import JUNE, NOW

pytestmark = pytest.mark.django_db
BILLING_REPORTS = {"census", "admissions", "attendance", "hours"}


def refused(call) -> AuditEvent:
    before = AuditEvent.objects.count()
    with pytest.raises(AccessDenied):
        call()
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [e.outcome for e in events] == ["denied"]
    return events[0]


@pytest.mark.parametrize("name", [spec.name for spec in SPECS])
def test_director_opens_every_report_of_their_program_and_it_is_audited(hand_clinic, name):
    before = AuditEvent.objects.count()
    result = report_run(user=hand_clinic.director_a, name=name, now=NOW, **JUNE)
    assert [p.pk for p in result.scope.programs] == [hand_clinic.program_a.pk]
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.outcome, e.object_type, e.object_id) for e in events] == [
        ("view", "allowed", "report", name)
    ]
    assert events[0].detail["programs"] == [hand_clinic.program_a.pk]


@pytest.mark.parametrize("name", [spec.name for spec in SPECS])
def test_billing_opens_only_the_non_clinical_reports(hand_clinic, name):
    call = lambda: report_run(user=hand_clinic.billing_a, name=name, now=NOW, **JUNE)  # noqa: E731
    if name in BILLING_REPORTS:
        assert call().scope.programs[0].pk == hand_clinic.program_a.pk
    else:
        event = refused(call)
        assert (event.object_type, event.object_id) == ("report", name)


def test_billing_catalogue_lists_only_its_reports(hand_clinic):
    assert {s.name for s in report_catalogue(user=hand_clinic.billing_a)} == BILLING_REPORTS
    assert len(report_catalogue(user=hand_clinic.director_a)) == len(SPECS)


@pytest.mark.parametrize(
    "who", ["clinician", "nurse", "prescriber", "intake", "administrator", "patient", "job"]
)
def test_other_people_are_refused_every_report(hand_clinic, who):
    program = hand_clinic.program_a
    roles = {
        "clinician": Role.CLINICIAN,
        "nurse": Role.NURSE,
        "prescriber": Role.PRESCRIBER,
        "intake": Role.INTAKE_COORDINATOR,
        "administrator": Role.ADMINISTRATOR,
    }
    if who == "patient":
        user = PatientFactory(user=UserFactory(kind="patient")).user
    elif who == "job":
        user = system_actor("reports-test")
    else:
        user = UserFactory(roles=[roles[who]], programs=[program])
    refused(lambda: report_catalogue(user=user))
    for spec in SPECS:
        refused(lambda spec=spec: report_run(user=user, name=spec.name, now=NOW, **JUNE))


def test_a_director_asking_for_another_program_is_refused_like_a_missing_one(hand_clinic):
    other = hand_clinic.program_b.pk
    event = refused(
        lambda: report_run(user=hand_clinic.director_a, name="census", now=NOW, program_id=other)
    )
    assert event.detail == {"program_id": other}
    refused(
        lambda: report_run(user=hand_clinic.director_a, name="census", now=NOW, program_id=999999)
    )
    refused(lambda: report_run(user=hand_clinic.director_a, name="no-such-report", now=NOW))


def test_roles_count_per_program(hand_clinic):
    """A director of B who is a clinician in A reports on B only."""
    user = UserFactory(
        grants=[
            (Role.PROGRAM_DIRECTOR, hand_clinic.program_b),
            (Role.CLINICIAN, hand_clinic.program_a),
        ]
    )
    result = report_run(user=user, name="outcomes", now=NOW, **JUNE)
    assert [p.pk for p in result.scope.programs] == [hand_clinic.program_b.pk]
    refused(
        lambda: report_run(user=user, name="outcomes", now=NOW, program_id=hand_clinic.program_a.pk)
    )


def test_pages_and_api_refuse_a_clinician(client, hand_clinic):
    verified_login(client, hand_clinic.clinician_a)
    for url in ("/reports/", "/reports/census/", "/reports/census/csv/", "/reports/outcomes/pdf/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/reports/census").status_code == 403
