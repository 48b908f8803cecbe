from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Interventions get their numbers (the old text is kept as `legacy_frequency`);
    certifications keep the attested statement; programs set the first plan's deadline."""

    dependencies = [
        ("clinic", "0002_program_safety_settings"),
        ("plans", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name="intervention", old_name="frequency", new_name="legacy_frequency"
        ),
        migrations.AlterField(
            model_name="intervention",
            name="legacy_frequency",
            field=models.CharField(
                blank=True,
                help_text="The free-text frequency written before the structured numbers; "
                "kept as signed.",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="intervention",
            name="duration_weeks",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="intervention",
            name="minutes_per_session",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="intervention",
            name="needs_review",
            field=models.BooleanField(
                default=False, help_text="The old frequency text could not be read into numbers."
            ),
        ),
        migrations.AddField(
            model_name="intervention",
            name="sessions_per_week",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="physiciancertification",
            name="physician_credentials",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="physiciancertification",
            name="statement_text",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="physiciancertification",
            name="statement_version",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="programplanpolicy",
            name="first_plan_due_days",
            field=models.PositiveSmallIntegerField(
                default=7, help_text="The first plan is due this many days after admission."
            ),
        ),
        migrations.AlterField(
            model_name="intervention",
            name="modality",
            field=models.CharField(
                choices=[
                    ("individual_therapy", "Individual therapy"),
                    ("group_therapy", "Group therapy"),
                    ("psychoeducation", "Psychoeducation"),
                    ("medication_management", "Medication management"),
                    ("family_session", "Family session"),
                ],
                max_length=32,
                verbose_name="type of service",
            ),
        ),
        migrations.AlterField(
            model_name="programplanpolicy",
            name="requires_physician_signature",
            field=models.BooleanField(
                default=False,
                help_text="Every plan needs a physician's signature. Patients with Medicare "
                "coverage need one whatever this says.",
            ),
        ),
        migrations.AlterField(
            model_name="treatmentplan",
            name="requires_physician_signature",
            field=models.BooleanField(
                default=False,
                help_text="Set from the program's policy and the patient's Medicare coverage; "
                "fixed when the clinician signs.",
            ),
        ),
        migrations.AddConstraint(
            model_name="programplanpolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(("first_plan_due_days__gte", 1)),
                name="plan_policy_first_plan_due_positive",
            ),
        ),
    ]
