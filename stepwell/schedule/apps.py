from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "stepwell.schedule"
    label = "schedule"
