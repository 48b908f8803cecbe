"""Read each intervention's old frequency text into numbers; mark the rest for review.

The parser (stepwell/plans/legacy_frequency.py) takes only what the text states plainly.
An intervention with any number missing is marked `needs_review`; the plan page shows it
and the next version cannot be signed until a clinician states the numbers.
"""

from django.db import migrations

from stepwell.plans.legacy_frequency import parse_frequency_text


def read_frequency_text(apps, schema_editor):
    Intervention = apps.get_model("plans", "Intervention")
    for intervention in Intervention.objects.all().iterator():
        parsed = parse_frequency_text(intervention.legacy_frequency)
        intervention.sessions_per_week = parsed.sessions_per_week
        intervention.minutes_per_session = parsed.minutes_per_session
        intervention.duration_weeks = parsed.duration_weeks
        intervention.needs_review = not parsed.complete
        intervention.save(
            update_fields=[
                "sessions_per_week",
                "minutes_per_session",
                "duration_weeks",
                "needs_review",
            ]
        )


def write_frequency_text(apps, schema_editor):
    """Going back: interventions written with numbers only get a text the old code reads."""
    Intervention = apps.get_model("plans", "Intervention")
    for intervention in Intervention.objects.filter(legacy_frequency="").iterator():
        intervention.legacy_frequency = (
            f"{intervention.sessions_per_week or 1} times a week, "
            f"{intervention.minutes_per_session or 0} minutes, "
            f"for {intervention.duration_weeks or 0} weeks"
        )
        intervention.save(update_fields=["legacy_frequency"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_structured_interventions_and_certification")]

    operations = [migrations.RunPython(read_frequency_text, write_frequency_text)]
