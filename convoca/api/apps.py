from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "convoca.api"
    label = "api"
