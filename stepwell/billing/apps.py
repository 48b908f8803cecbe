from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "stepwell.billing"
    label = "billing"
    verbose_name = "Coverage and billing"
