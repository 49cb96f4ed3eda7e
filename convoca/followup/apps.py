from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "convoca.followup"
    label = "followup"
