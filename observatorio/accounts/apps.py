from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "observatorio.accounts"
    verbose_name = "Cuentas y roles"
