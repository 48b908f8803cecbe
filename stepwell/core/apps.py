from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stepwell.core"
    label = "core"
