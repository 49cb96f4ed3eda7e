from django.apps import AppConfig


class TextsConfig(AppConfig):
    """Language versions of what users write (floor 1: imports only core).

    A model becomes translatable by inheriting ``convoca.texts.models.Translatable``
    and naming its translatable fields and its way to a gathering; nothing else
    registers it (see ``convoca.texts.registry``)."""

    name = "convoca.texts"
    label = "texts"
