from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stepwell.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import RecordIdConverter

        # Before any urls.py is imported: every page route names its ids `<id:...>`.
        register_converter(RecordIdConverter, "id")
