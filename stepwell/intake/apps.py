from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "stepwell.intake"
    label = "intake"
    verbose_name = "Referrals and intake"
