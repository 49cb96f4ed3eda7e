from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "convoca.audit"
    label = "audit"
    verbose_name = "Audit trail"
