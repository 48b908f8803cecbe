from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stepwell.accounts"
    label = "accounts"
