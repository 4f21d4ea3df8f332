from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "observatorio.records"
    verbose_name = "Registros"

    def ready(self):
        from . import signals  # noqa: F401
