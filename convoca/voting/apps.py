from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "convoca.voting"
    label = "voting"
