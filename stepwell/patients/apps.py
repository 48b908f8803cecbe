from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "stepwell.patients"
    label = "patients"
