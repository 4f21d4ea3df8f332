"""ReportRun: one generated report — what was asked, what it was counted from, where its file is."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "en curso"
        DONE = "done", "terminado"
        FAILED = "failed", "fallido"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        HTML = "html", "HTML"

    kind = models.CharField("tipo", max_length=40)
    start = models.DateField("desde")
    end = models.DateField("hasta")
    options = models.JSONField("opciones", default=dict, blank=True)
    format = models.CharField("formato", max_length=8, choices=Format.choices)
    language = models.CharField("idioma", max_length=8, default="es")
    public = models.BooleanField("público", default=False)
    data_version = models.CharField("versión de los datos", max_length=80, blank=True)
    content_hash = models.CharField("huella del contenido", max_length=64, blank=True)
    sha256 = models.CharField("SHA-256 del archivo", max_length=64, blank=True)
    file = models.CharField("archivo", max_length=300, blank=True, help_text="relativo a OBS_DATA_DIR/reports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="report_runs", verbose_name="creado por")
    created_at = models.DateTimeField("creado", auto_now_add=True)
    status = models.CharField("estado", max_length=10, choices=Status.choices, default=Status.RUNNING)
    progress = models.PositiveSmallIntegerField("avance (%)", default=0)
    error = models.TextField("error", blank=True)

    class Meta:
        verbose_name = "informe generado"
        verbose_name_plural = "informes generados"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.start:%d-%m-%Y}–{self.end:%d-%m-%Y} ({self.format})"


class ReportSubscription(models.Model):
    """A user's subscription to the monthly bulletin, e-mailed as a PDF by ``observatorio report schedule``.

    The version sent follows the user's role when it is sent: full for analysts and administrators, public
    (small counts withheld) for everyone else."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="report_subscription", verbose_name="usuario")
    language = models.CharField("idioma", max_length=8, default="es", choices=[("es", "español"), ("en", "inglés")])
    created_at = models.DateTimeField("desde", auto_now_add=True)

    class Meta:
        verbose_name = "suscripción al boletín mensual"
        verbose_name_plural = "suscripciones al boletín mensual"
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class BulletinDelivery(models.Model):
    """One monthly bulletin e-mailed to one user: what makes a second ``report schedule`` of a month send
    nothing new."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name="usuario")
    month = models.DateField("mes", help_text="primer día del mes del boletín")
    run = models.ForeignKey(ReportRun, on_delete=models.PROTECT, related_name="deliveries",
                            verbose_name="informe enviado")
    address = models.EmailField("dirección")
    sent_at = models.DateTimeField("enviado", auto_now_add=True)

    class Meta:
        verbose_name = "envío del boletín"
        verbose_name_plural = "envíos del boletín"
        ordering = ["-month", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="one_bulletin_per_user_and_month")]

    def __str__(self) -> str:
        return f"{self.user} {self.month:%m-%Y}"
