from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic demo clinic and its `seed-demo` command (demo settings only)."""

    name = "stepwell.demo"
    label = "demo"
    verbose_name = "Demo clinic"
