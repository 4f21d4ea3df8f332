from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "observatorio.audit"
    verbose_name = "Auditoría"
