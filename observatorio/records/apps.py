from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "observatorio.records"
    verbose_name = "Registros"
