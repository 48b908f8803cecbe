"""Open "severe score" alerts become clinical findings (docs/measures.md, "Clinical findings").

Only suicide-risk answers and acute safety items raise safety alerts now. A severe PHQ-9,
GAD-7 or DAST-10 band or AUDIT zone IV is shown to the care team as a finding on the chart
and caseload, from the patient's latest administration. The open alerts of that kind are
closed as ``reclassified`` with a note saying so; acknowledged ones keep their history.
An acute positive ASQ also raised a suicide-risk alert from the same questionnaire, which
stays open. Nothing is deleted; reversing the migration reopens the alerts it closed.
"""

from django.db import migrations
from django.utils import timezone

NOTE = (
    "Closed when Stepwell stopped raising safety alerts for severe scores: a severe score "
    "is a clinical finding for the care team, shown on the chart and the caseload."
)
ASQ_NOTE = (
    "Closed when Stepwell stopped raising severe-score alerts: the acute positive ASQ is "
    "covered by the suicide-risk alert of the same questionnaire."
)


def reclassify(apps, schema_editor):
    Alert = apps.get_model("measures", "Alert")
    now = timezone.now()
    open_severe = Alert.objects.filter(kind="severe_band", status="open")
    open_severe.filter(administration__instrument_key="asq").update(
        status="reclassified", acknowledged_at=now, action_note=ASQ_NOTE
    )
    open_severe.update(status="reclassified", acknowledged_at=now, action_note=NOTE)


def reopen(apps, schema_editor):
    Alert = apps.get_model("measures", "Alert")
    Alert.objects.filter(
        kind="severe_band", status="reclassified", action_note__in=[NOTE, ASQ_NOTE]
    ).update(status="open", acknowledged_at=None, action_note="")


class Migration(migrations.Migration):
    dependencies = [("measures", "0002_safety_answers_findings_on_call_pages")]

    operations = [migrations.RunPython(reclassify, reopen)]
