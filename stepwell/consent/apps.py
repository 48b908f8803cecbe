from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "stepwell.consent"
    label = "consent"
    verbose_name = "Consent and disclosures"
