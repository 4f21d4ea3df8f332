from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "observatorio.audit"
    verbose_name = "Auditoría"

    def ready(self):
        from . import receivers

        receivers.connect()
