"""Which models are translatable, and how each belongs to a gathering.

Nothing registers here by hand and texts imports no domain app: a model is
translatable because it inherits ``Translatable`` and names its
``TRANSLATABLE_FIELDS`` and ``GATHERING_LOOKUP``; Django's app registry is
asked for every such model. The model whose lookup is ``"pk"`` is the
gathering itself (the scope of the translators' queue).
"""

from functools import cache

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .models import Translatable

SCOPE_LOOKUP = "pk"
TEXT_FIELDS = (models.CharField, models.TextField)


def label_of(model_or_obj):
    """The name that translations and snapshots keep: ``app_label.modelname``."""
    return model_or_obj._meta.label_lower


def _check(model):
    if not model.TRANSLATABLE_FIELDS or not model.GATHERING_LOOKUP:
        raise ImproperlyConfigured(f"{model._meta.label}: name TRANSLATABLE_FIELDS and GATHERING_LOOKUP")
    for name in model.TRANSLATABLE_FIELDS:
        if not isinstance(model._meta.get_field(name), TEXT_FIELDS):
            raise ImproperlyConfigured(f"{model._meta.label}.{name}: only text fields can be translated")


@cache
def translatable_models():
    """Every installed translatable model, the gathering first, then in INSTALLED_APPS order."""
    found = [model for model in apps.get_models() if issubclass(model, Translatable)]
    for model in found:
        _check(model)
    return tuple(sorted(found, key=lambda model: model.GATHERING_LOOKUP != SCOPE_LOOKUP))


def model_for(label):
    """The translatable model named ``label``, or None."""
    return {label_of(model): model for model in translatable_models()}.get(label)


def is_translatable(obj):
    return isinstance(obj, Translatable) and type(obj)._meta.concrete_model in translatable_models()


def scope_model():
    """The gathering model (whose ``GATHERING_LOOKUP`` is ``"pk"``), or None."""
    return next((model for model in translatable_models() if model.GATHERING_LOOKUP == SCOPE_LOOKUP), None)


def field_limit(model, name, default=20000):
    """The longest text the field may hold (its ``max_length``, or ``default`` for a TextField)."""
    return model._meta.get_field(name).max_length or default


def is_long(model, name):
    return isinstance(model._meta.get_field(name), models.TextField)


def field_label(model, name):
    return model._meta.get_field(name).verbose_name
