from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "stepwell.interop"
    label = "interop"
    verbose_name = "Interoperability (FHIR)"
