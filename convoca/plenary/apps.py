from django.apps import AppConfig


class PlenaryConfig(AppConfig):
    name = "convoca.plenary"
    label = "plenary"
