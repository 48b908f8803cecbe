from django.db import migrations, models


class Migration(migrations.Migration):
    """Once every intervention has its numbers or is marked for review, the database holds
    the rule: numbers stated (or under review), each within its limits."""

    dependencies = [("plans", "0003_interventions_from_frequency_text")]

    operations = [
        migrations.AddConstraint(
            model_name="intervention",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("needs_review", True),
                    models.Q(
                        ("minutes_per_session__isnull", False),
                        ("sessions_per_week__isnull", False),
                        ("duration_weeks__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="intervention_numbers_stated",
            ),
        ),
        migrations.AddConstraint(
            model_name="intervention",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("minutes_per_session__isnull", True),
                    models.Q(("minutes_per_session__gte", 1), ("minutes_per_session__lte", 480)),
                    _connector="OR",
                ),
                name="intervention_minutes_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="intervention",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("sessions_per_week__isnull", True),
                    models.Q(("sessions_per_week__gte", 1), ("sessions_per_week__lte", 7)),
                    _connector="OR",
                ),
                name="intervention_sessions_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="intervention",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("duration_weeks__isnull", True),
                    models.Q(("duration_weeks__gte", 1), ("duration_weeks__lte", 52)),
                    _connector="OR",
                ),
                name="intervention_duration_in_range",
            ),
        ),
    ]
