from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stepwell.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import RecordIdConverter

        # Before any urls.py is imported: every page route names its ids `<id:...>`.
        register_converter(RecordIdConverter, "id")

        from django.apps import apps

        from .constraints import install

        # Every Stepwell model with check constraints validates them in one query a save.
        install(model for model in apps.get_models() if model.__module__.startswith("stepwell."))
