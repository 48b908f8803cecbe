from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "stepwell.plans"
    label = "plans"
    verbose_name = "Treatment plans"
