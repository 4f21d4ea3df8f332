from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "observatorio.accounts"
    verbose_name = "Cuentas y roles"

    def ready(self):
        from . import signin_cache

        signin_cache.connect_signals()
