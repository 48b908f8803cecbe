"""The data migration that moves PayerRule and the patients' insurance text to billing."""

from __future__ import annotations

from datetime import date

from stepwell.testing.migrations import migrate

BEFORE = [
    ("billing", "0002_payer_rule_numbers"),
    ("care", "0001_initial"),
    # The patients as they were then (later migrations add columns these rows lack).
    ("patients", "0003_level_of_care_step_directions"),
]
AFTER = [
    ("billing", "0003_payers_from_payer_rules_and_patients"),
    ("care", "0002_payer_rule_moved_to_billing"),
]


def test_payer_rules_and_insurance_text_become_payers_and_coverages(migration_sandbox):
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    PayerRule = apps.get_model("care", "PayerRule")
    Patient = apps.get_model("patients", "Patient")
    PayerRule.objects.create(payer_name="Example Mutual", min_daily_minutes=120, min_days=2)
    PayerRule.objects.create(payer_name="Synthetic Health Plan")  # H0015's numbers

    def patient(mrn, payer, member=""):
        return Patient.objects.create(
            mrn=mrn,
            legal_first_name="Pat",
            legal_last_name=mrn,
            date_of_birth=date(1980, 1, 1),
            sex_assigned_at_birth="female",
            insurance_payer=payer,
            insurance_member_id=member,
            insurance_group_number="G1" if payer else "",
        )

    patient("M1", "example mutual", "SYN1")  # matched case-insensitively
    patient("M2", "Medicare (synthetic)", "SYN2")
    patient("M3", "Self-pay")
    patient("M4", "Demo Medicaid", "SYN4")
    patient("M5", "")
    apps = migrate(AFTER).loader.project_state(AFTER).apps
    Payer = apps.get_model("billing", "Payer")
    Coverage = apps.get_model("billing", "Coverage")
    payers = {
        p.name: (p.kind, p.hours_rule, p.min_weekly_minutes, p.min_daily_minutes, p.min_days)
        for p in Payer.objects.all()
    }
    assert payers == {
        "Example Mutual": ("commercial", "s9480", None, 120, 2),
        "Synthetic Health Plan": ("commercial", "h0015", None, 180, 3),
        "Medicare (synthetic)": ("medicare", "medicare_iop", 540, None, 0),
        "Self-pay": ("self_pay", "program_default", None, None, 0),
        "Demo Medicaid": ("medicaid", "h0015", None, 180, 3),
    }
    coverages = sorted(
        Coverage.objects.values_list(
            "patient__mrn", "payer__name", "priority", "member_id", "group_number"
        )
    )
    assert coverages == [
        ("M1", "Example Mutual", "primary", "SYN1", "G1"),
        ("M2", "Medicare (synthetic)", "primary", "SYN2", "G1"),
        ("M3", "Self-pay", "primary", "", "G1"),
        ("M4", "Demo Medicaid", "primary", "SYN4", "G1"),
    ]
    # The patients keep their text for now.
    assert apps.get_model("patients", "Patient").objects.get(mrn="M1").insurance_payer == (
        "example mutual"
    )
