from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "observatorio.programmes"
    verbose_name = "Programas e indicadores"
