from django.apps import AppConfig


class AlumniConfig(AppConfig):
    name = "stepwell.alumni"
    label = "alumni"
    verbose_name = "Alumni"
