from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "stepwell.portal"
    label = "portal"
