"""Payers, coverages and the hours rule a coverage brings."""

from __future__ import annotations

from datetime import date

import pytest

from stepwell.accounts.models import Role
from stepwell.billing import selectors, services
from stepwell.billing.models import Coverage, Payer, ProgramHoursRule
from stepwell.care.hours.rules import RuleKind
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.access import billing as access
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import CoverageFactory, PayerFactory, UserFactory
from stepwell.testing.people import CLINIC_PEOPLE

ROLES = CLINIC_PEOPLE


@pytest.mark.parametrize("name", ROLES)
def test_coverage_edit_matrix(clinic, name):
    expected = name in {"intake_a", "director_a", "billing_a"}
    assert access.access_coverage_edit(getattr(clinic, name), clinic.patient_a) is expected


def test_coverage_edit_needs_the_patients_program(clinic):
    other_billing = UserFactory(roles=[Role.BILLING], programs=[clinic.program_b])
    assert access.access_coverage_edit(other_billing, clinic.patient_a) is False
    assert access.access_coverage_edit(system_actor("job"), clinic.patient_a) is False
    with pytest.raises(TypeError):
        access.access_coverage_edit(None, clinic.patient_a)


def test_coverage_edit_follows_the_role_held_in_the_patients_program(clinic):
    """A director of program A who is a clinician in program B (and on a B patient's care
    team) records coverage in A only: roles are per program."""
    user = UserFactory(
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_a), (Role.CLINICIAN, clinic.program_b)]
    )
    assert access.access_coverage_edit(user, clinic.patient_a) is True
    assert access.access_coverage_edit(user, clinic.patient_b) is False


def denied_rows(object_type: str):
    return AuditEvent.objects.filter(outcome="denied", object_type=object_type)


@pytest.mark.parametrize("name", ["clinician_a", "director_a", "billing_a", "patient_user_a"])
def test_payer_create_called_directly_by_a_non_administrator_is_refused(clinic, name):
    with pytest.raises(AccessDenied):
        services.payer_create(
            actor=getattr(clinic, name), name="Sneaky plan", kind="commercial", hours_rule="h0015"
        )
    assert denied_rows("payer").count() == 1
    assert not Payer.objects.exists()


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "admin", "patient_user_a"])
def test_coverage_add_called_directly_by_a_refused_role_is_refused(clinic, name):
    payer = PayerFactory()
    with pytest.raises(AccessDenied):
        services.coverage_add(
            actor=getattr(clinic, name), patient_id=clinic.patient_a.pk, payer_id=payer.pk
        )
    event = denied_rows("coverage").get()
    assert (event.username, event.patient_id) == (
        getattr(clinic, name).username,
        clinic.patient_a.pk,
    )
    assert not Coverage.objects.exists()


def test_coverage_add_for_an_unknown_patient_is_refused_like_a_hidden_one(clinic):
    with pytest.raises(AccessDenied):
        services.coverage_add(
            actor=clinic.billing_a, patient_id=987654321, payer_id=PayerFactory().pk
        )
    assert denied_rows("coverage").get().patient_id is None
    assert not Coverage.objects.exists()


@pytest.mark.parametrize("name", ROLES)
def test_payer_edit_is_setup(clinic, name):
    assert access.access_payer_edit(getattr(clinic, name)) is (name == "admin")


@pytest.mark.parametrize(
    ("rule", "numbers"),
    [
        ("h0015", (None, 180, 3, 180)),
        ("medicare_iop", (540, None, 0, 90)),
        ("s9480", (540, 180, 2, 180)),
        ("program_default", (None, None, 0, 90)),
    ],
)
def test_a_new_payer_starts_from_its_rules_defaults(clinic, rule, numbers):
    payer = services.payer_create(
        actor=clinic.admin, name=f" Plan {rule} ", kind="commercial", hours_rule=rule
    )
    assert payer.name == f"Plan {rule}"
    assert (
        payer.min_weekly_minutes,
        payer.min_daily_minutes,
        payer.min_days,
        payer.day_counts_from_minutes,
    ) == numbers
    assert AuditEvent.objects.filter(object_type="payer", object_id=str(payer.pk)).exists()


def test_payer_numbers_can_be_the_payers_own(clinic):
    payer = services.payer_create(
        actor=clinic.admin, name="Demo Medicaid", kind="medicaid", hours_rule="s9480", min_days=3
    )
    assert (payer.min_weekly_minutes, payer.min_days) == (540, 3)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hours_rule": "h0016"}, "hours_rule"),
        ({"kind": "barter"}, "kind"),
        ({"name": "  "}, "name"),
        ({"min_days": 8}, "min_days"),
    ],
)
def test_bad_payer_input_names_the_field(clinic, kwargs, field):
    data = {"name": "Plan", "kind": "commercial", "hours_rule": "h0015", **kwargs}
    with pytest.raises(ApplicationError) as error:
        services.payer_create(actor=clinic.admin, **data)
    assert field in error.value.field_errors
    assert not Payer.objects.exists()


def test_only_an_administrator_creates_payers(clinic):
    with pytest.raises(AccessDenied):
        services.payer_create(
            actor=clinic.billing_a, name="Plan", kind="commercial", hours_rule="h0015"
        )
    assert not Payer.objects.exists()


def test_coverage_add_is_audited_and_refuses_a_second_primary(clinic):
    payer = PayerFactory(name="Example Mutual")
    coverage = services.coverage_add(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        payer_id=payer.pk,
        member_id=" SYN1 ",
        effective_from=date(2026, 1, 1),
    )
    assert coverage.member_id == "SYN1"
    assert AuditEvent.objects.filter(
        object_type="coverage", patient_id=clinic.patient_a.pk, object_id=str(coverage.pk)
    ).exists()
    with pytest.raises(ApplicationError) as error:
        services.coverage_add(
            actor=clinic.billing_a,
            patient_id=clinic.patient_a.pk,
            payer_id=PayerFactory().pk,
            effective_from=date(2026, 6, 1),
        )
    assert error.value.field_errors == {"priority": "Already taken for those dates."}
    # A secondary coverage, or a primary after the first ended, is fine.
    services.coverage_add(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        payer_id=PayerFactory().pk,
        priority="secondary",
    )
    coverage.effective_to = date(2026, 5, 31)
    coverage.save()
    services.coverage_add(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        payer_id=PayerFactory().pk,
        effective_from=date(2026, 6, 1),
    )
    assert Coverage.objects.filter(patient=clinic.patient_a).count() == 3


def test_coverage_add_bad_input_changes_nothing(clinic):
    with pytest.raises(ApplicationError) as error:
        services.coverage_add(actor=clinic.billing_a, patient_id=clinic.patient_a.pk, payer_id=0)
    assert error.value.field_errors == {"payer": "Unknown payer."}
    with pytest.raises(ApplicationError) as error:
        services.coverage_add(
            actor=clinic.billing_a,
            patient_id=clinic.patient_a.pk,
            payer_id=PayerFactory().pk,
            effective_from=date(2026, 6, 1),
            effective_to=date(2026, 5, 1),
        )
    assert error.value.field_errors == {"effective_to": "On or after the start date."}
    with pytest.raises(ApplicationError) as error:
        services.coverage_add(
            actor=clinic.billing_a,
            patient_id=clinic.patient_a.pk,
            payer_id=PayerFactory().pk,
            priority="quaternary",
        )
    assert "priority" in error.value.field_errors
    with pytest.raises(AccessDenied):
        services.coverage_add(
            actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, payer_id=PayerFactory().pk
        )
    assert not Coverage.objects.exists()


def test_hours_rules_for_a_week(clinic):
    monday = date(2026, 11, 23)
    medicare = PayerFactory(name="Medicare (synthetic)", kind="medicare", hours_rule="medicare_iop")
    self_pay = PayerFactory(name="Self-pay", kind="self_pay", hours_rule="program_default")
    CoverageFactory(patient=clinic.patient_a, payer=medicare, effective_from=date(2026, 11, 27))
    CoverageFactory(patient=clinic.patient_b, payer=self_pay)
    rules = selectors.hours_rules_for(
        patient_ids=[clinic.patient_a.pk, clinic.patient_b.pk, clinic.team_patient_b.pk],
        program=clinic.program_a,
        monday=monday,
    )
    # Coverage starting on the Friday of the week covers the week.
    assert rules[clinic.patient_a.pk].rule.kind == RuleKind.MEDICARE_IOP
    assert rules[clinic.patient_a.pk].rule.min_weekly_minutes == 540
    assert rules[clinic.patient_a.pk].source == "Medicare (synthetic), primary coverage."
    assert rules[clinic.patient_b.pk].rule.kind == RuleKind.PROGRAM_DEFAULT
    assert rules[clinic.patient_b.pk].source == "Self-pay, primary coverage: the program's rule."
    assert rules[clinic.team_patient_b.pk].source == "No coverage on file: the program's rule."
    # Not yet in force the week before.
    earlier = selectors.hours_rule_for(
        patient=clinic.patient_a, program=clinic.program_a, monday=date(2026, 11, 16)
    )
    assert earlier.coverage is None
    ProgramHoursRule.objects.create(program=clinic.program_a, min_days=3, min_daily_minutes=180)
    rule = selectors.program_default_rule(clinic.program_a)
    assert (rule.min_days, rule.min_daily_minutes, rule.min_weekly_minutes) == (3, 180, None)


def test_patient_has_medicare(clinic):
    medicare = PayerFactory(kind="medicare", hours_rule="medicare_iop")
    CoverageFactory(
        patient=clinic.patient_a,
        payer=medicare,
        priority="secondary",
        effective_to=date(2026, 6, 30),
    )
    assert selectors.patient_has_medicare(patient=clinic.patient_a, on=date(2026, 6, 30)) is True
    assert selectors.patient_has_medicare(patient=clinic.patient_a, on=date(2026, 7, 1)) is False


def test_a_payer_added_in_setup_starts_from_its_rules_defaults(client, clinic):
    from stepwell.testing.auth import verified_login

    verified_login(client, clinic.admin)
    data = {
        "name": "Example Mutual",
        "kind": "commercial",
        "hours_rule": "h0015",
        "min_weekly_minutes": "",
        "min_daily_minutes": "",
        "min_days": "0",
        "day_counts_from_minutes": "90",
    }
    assert client.post("/setup/billing/payer/add/", data).status_code == 302
    payer = Payer.objects.get(name="Example Mutual")
    assert (payer.min_daily_minutes, payer.min_days, payer.day_counts_from_minutes) == (180, 3, 180)
    given = {**data, "name": "Strict plan", "hours_rule": "s9480", "min_days": "4"}
    assert client.post("/setup/billing/payer/add/", given).status_code == 302
    strict = Payer.objects.get(name="Strict plan")
    assert (strict.min_weekly_minutes, strict.min_days) == (540, 4)
    assert AuditEvent.objects.filter(object_type="payer").count() == 2
