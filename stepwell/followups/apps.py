from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "stepwell.followups"
    label = "followups"
    verbose_name = "Follow-ups after discharge"
