"""Existing payers get the billing rules their hours rule implies (billing/services/payers.py
BILLING_DEFAULTS): per diem with H0015 or S9480 from 3 hours a day, Medicare IOP with
condition code 92, self-pay not claimed."""

from django.db import migrations

DEFAULTS = {
    "h0015": {"claim_method": "per_diem", "per_diem_code": "H0015", "billable_day_minutes": 180},
    "s9480": {"claim_method": "per_diem", "per_diem_code": "S9480", "billable_day_minutes": 180},
    "medicare_iop": {"claim_method": "medicare_iop", "condition_code": "92"},
}


def forwards(apps, schema_editor):
    Payer = apps.get_model("billing", "Payer")
    for payer in Payer.objects.all():
        values = DEFAULTS.get(payer.hours_rule, {})
        if payer.kind == "self_pay":
            values = {"claim_method": "not_claimed"}
        for field, value in values.items():
            setattr(payer, field, value)
        payer.save()


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_billing_rules_authorizations_claims")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
