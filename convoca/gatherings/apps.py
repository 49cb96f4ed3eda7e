from django.apps import AppConfig


class GatheringsConfig(AppConfig):
    name = "convoca.gatherings"
    label = "gatherings"
