from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "observatorio.territory"
    verbose_name = "Territorio"
