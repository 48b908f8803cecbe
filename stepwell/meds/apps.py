from django.apps import AppConfig


class MedsConfig(AppConfig):
    name = "stepwell.meds"
    label = "meds"
    verbose_name = "Medications, allergies and drug testing"
