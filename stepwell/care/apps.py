from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "stepwell.care"
    label = "care"
    verbose_name = "Attendance and clinical notes"
