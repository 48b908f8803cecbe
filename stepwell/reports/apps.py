from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "stepwell.reports"
    label = "reports"
    verbose_name = "Program reports"
