from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "convoca.proposals"
    label = "proposals"
