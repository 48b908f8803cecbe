from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stepwell.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import RecordIdConverter

        # Before any urls.py is imported: every page route names its ids `<id:...>`.
        register_converter(RecordIdConverter, "id")

        from django.db.models import Field, ForeignObject

        from .lookups import AnyOf

        # field__any_of=[...]: a list as one parameter, which a kept query can take (on a
        # foreign key, its ids: relations keep lookups of their own).
        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(AnyOf)

        from django.apps import apps

        from . import constraints, foreign_keys

        # Every Stepwell model validates its check constraints in one query a save, and
        # looks up the targets of its foreign keys in one more.
        ours = [model for model in apps.get_models() if model.__module__.startswith("stepwell.")]
        constraints.install(ours)
        foreign_keys.install(ours)
