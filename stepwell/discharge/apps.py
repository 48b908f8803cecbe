from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "stepwell.discharge"
    label = "discharge"
    verbose_name = "Discharge summaries and aftercare plans"
