from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "stepwell.privacy"
    label = "privacy"
