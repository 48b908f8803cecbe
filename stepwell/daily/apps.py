from django.apps import AppConfig


class DailyConfig(AppConfig):
    name = "stepwell.daily"
    label = "daily"
    verbose_name = "Daily jobs"
