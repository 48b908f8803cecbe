from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "stepwell.messaging"
    label = "messaging"
    verbose_name = "Messages (outbox)"
