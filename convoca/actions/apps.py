from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "convoca.actions"
    label = "actions"
    verbose_name = _("Days of action")
    default_auto_field = "django.db.models.BigAutoField"
