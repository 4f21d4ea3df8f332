from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "observatorio.reports"
    verbose_name = "Informes"
