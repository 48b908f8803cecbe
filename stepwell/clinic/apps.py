from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "stepwell.clinic"
    label = "clinic"
