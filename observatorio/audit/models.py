"""One append-only table of what people and commands did.

Nothing in the application updates or deletes an entry: the model refuses
``save()`` on an existing row and ``delete()``. On PostgreSQL the database
refuses it too when the application connects with its own role, which may
only SELECT and INSERT on this table (docs/deploy.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    SIGN_IN = "ingreso", "Ingreso"
    SIGN_IN_FAILED = "ingreso-fallido", "Ingreso fallido"
    SIGN_OUT = "salida", "Salida"
    LOCKED_OUT = "bloqueo", "Bloqueo por intentos fallidos"
    PASSWORD_CHANGED = "contrasena", "Cambio de contraseña"
    SESSIONS_ENDED = "sesiones-cerradas", "Sesiones cerradas"
    VIEW_PERSONAL = "ver-datos-personales", "Vista de eventos o datos personales"
    DOWNLOAD = "descarga", "Descarga"
    IMPORT = "importacion", "Importación (prueba)"
    COMMIT = "confirmacion", "Importación confirmada"
    ROLLBACK = "reversion", "Reversión de una carga"
    CONFIG = "configuracion", "Cambio de configuración"
    USER = "usuario", "Cambio de usuario o rol"
    BACKUP = "respaldo", "Respaldo"
    RESTORE = "restauracion", "Restauración"
    MEASUREMENT = "medicion", "Medición de indicador"


class AuditEntry(models.Model):
    at = models.DateTimeField("cuándo", auto_now_add=True, db_index=True)
    # DO_NOTHING without a database constraint: deleting a user must not UPDATE the trail (username stays).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                             related_name="+", verbose_name="usuario", db_constraint=False)
    username = models.CharField("nombre de usuario", max_length=150, blank=True,
                                help_text="Guardado aparte: la entrada dice quién fue aunque la cuenta se borre.")
    address = models.GenericIPAddressField("desde", null=True, blank=True)
    action = models.CharField("acción", max_length=24, choices=Action.choices, db_index=True)
    target = models.CharField("sobre qué", max_length=300, blank=True)
    detail = models.JSONField("detalle", default=dict, blank=True)

    class Meta:
        verbose_name = "entrada de auditoría"
        verbose_name_plural = "registro de auditoría"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '—'} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("an audit entry is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("an audit entry is never deleted")
