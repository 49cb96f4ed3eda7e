from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "convoca.network"
    label = "network"
