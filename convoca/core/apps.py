from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "convoca.core"
    label = "core"
