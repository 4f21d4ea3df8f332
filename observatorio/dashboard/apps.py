from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "observatorio.dashboard"
    verbose_name = "Tablero"
