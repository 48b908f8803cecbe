from django.apps import AppConfig


class MilestonesConfig(AppConfig):
    name = "stepwell.milestones"
    label = "milestones"
    verbose_name = "Progress and milestones"
