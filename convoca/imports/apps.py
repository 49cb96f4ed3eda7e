from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "convoca.imports"
    label = "imports"
