from django.conf import settings
from django.db import models


class OperatorScope(models.Model):
    """The sources a unit operator may register or upload.

    Operators of the 1461 call centre must not load VIF cases and the other way
    round, so the scope is explicit per user rather than per group.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_scope",
                                verbose_name="usuario")
    sources = models.ManyToManyField("records.Source", blank=True, verbose_name="fuentes")

    class Meta:
        verbose_name = "ámbito de operador"
        verbose_name_plural = "ámbitos de operadores"

    def __str__(self):
        return f"{self.user}"


class RolePolicy(models.Model):
    """What a role requires at sign-in, editable by an administrator: the second factor (TOTP)."""

    role = models.CharField("rol", max_length=20, unique=True,
                            choices=[("admin", "Administrador"), ("analyst", "Analista"),
                                     ("operator", "Operador de unidad"), ("authority", "Autoridad")])
    second_factor = models.BooleanField(
        "exige segundo factor", default=False,
        help_text="Quien tenga este rol debe ingresar además un código de una aplicación de autenticación (TOTP).")

    class Meta:
        verbose_name = "política de rol"
        verbose_name_plural = "políticas de roles"
        ordering = ["role"]

    def __str__(self):
        return f"{self.get_role_display()}: {'con' if self.second_factor else 'sin'} segundo factor"
