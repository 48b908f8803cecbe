"""Move the hours rules to the payers, and the patients' insurance text to coverages.

1. Every care.PayerRule becomes a Payer of the same name (or fills the numbers of the
   payer of that name), so the minimums a clinic configured are kept.
2. Every patient's `insurance_payer` text becomes a Coverage (primary, open-ended, with
   the member and group numbers) of the payer of that name, created when missing. The
   Patient fields stay for now.

The payer kind is read from the name: "medicare" is Medicare (Medicare IOP rule),
"medicaid"/"medi-cal" is Medicaid, "self"-pay / "private pay" / "uninsured" / "none" is
self-pay (the program's rule), anything else commercial. Before this, every patient was
measured against H0015's numbers unless a PayerRule said otherwise; payers other than
Medicare and self-pay keep those numbers, so nobody's week changes silently except
Medicare patients (now the Medicare rule) and patients without any payer (now their
program's rule). Review the payer table in setup afterwards.
"""

from django.db import migrations

H0015 = {"min_weekly_minutes": None, "min_daily_minutes": 180, "min_days": 3, "day_counts_from_minutes": 180}
MEDICARE_IOP = {"min_weekly_minutes": 540, "min_daily_minutes": None, "min_days": 0, "day_counts_from_minutes": 90}
PROGRAM_DEFAULT = {"min_weekly_minutes": None, "min_daily_minutes": None, "min_days": 0, "day_counts_from_minutes": 90}
SELF_PAY_WORDS = ("self", "private pay", "uninsured", "cash", "none")


def _kind(name):
    text = name.casefold()
    if "medicare" in text:
        return "medicare"
    if "medicaid" in text or "medi-cal" in text:
        return "medicaid"
    if any(text == word or text.startswith(word) for word in SELF_PAY_WORDS):
        return "self_pay"
    return "commercial"


def _rule_of(kind):
    if kind == "medicare":
        return "medicare_iop", MEDICARE_IOP
    if kind == "self_pay":
        return "program_default", PROGRAM_DEFAULT
    return "h0015", H0015


def _payer(Payer, name, cache):
    key = name.casefold()
    if key in cache:
        return cache[key]
    payer = next((p for p in Payer.objects.all() if p.name.casefold() == key), None)
    if payer is None:
        kind = _kind(name)
        rule, numbers = _rule_of(kind)
        payer = Payer.objects.create(name=name, kind=kind, hours_rule=rule, **numbers)
    cache[key] = payer
    return payer


def forward(apps, schema_editor):
    Payer = apps.get_model("billing", "Payer")
    Coverage = apps.get_model("billing", "Coverage")
    PayerRule = apps.get_model("care", "PayerRule")
    Patient = apps.get_model("patients", "Patient")
    cache = {}
    for old in PayerRule.objects.all():
        name = old.payer_name.strip()
        if not name:
            continue
        payer = _payer(Payer, name, cache)
        numbers = {
            "min_weekly_minutes": old.min_weekly_minutes,
            "min_daily_minutes": old.min_daily_minutes,
            "min_days": min(old.min_days, 7),
            "day_counts_from_minutes": max(old.min_daily_minutes, 1),
        }
        if payer.kind == "medicare":
            rule = "medicare_iop"
        elif numbers == H0015:
            rule = "h0015"
        else:
            rule = "s9480"  # the payer's own day and week minimums
        for field, value in numbers.items():
            setattr(payer, field, value)
        payer.hours_rule = rule
        payer.save()
    for patient in Patient.objects.exclude(insurance_payer=""):
        name = patient.insurance_payer.strip()
        if not name:
            continue
        payer = _payer(Payer, name, cache)
        if Coverage.objects.filter(patient=patient, payer=payer).exists():
            continue
        Coverage.objects.create(
            patient=patient,
            payer=payer,
            priority="primary",
            member_id=patient.insurance_member_id,
            group_number=patient.insurance_group_number,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_payer_rule_numbers"),
        ("care", "0001_initial"),
        ("patients", "0002_level_of_care_choices"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
