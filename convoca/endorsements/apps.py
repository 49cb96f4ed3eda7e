from django.apps import AppConfig


class EndorsementsConfig(AppConfig):
    name = "convoca.endorsements"
    label = "endorsements"
