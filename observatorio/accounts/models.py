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
