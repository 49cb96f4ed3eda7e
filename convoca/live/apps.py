from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "convoca.live"
    label = "live"
    verbose_name = "Live pages"
