"""Programmes and the indicators that evaluate them (issue #15).

A *unit* (any directorate: seguridad, DIDECO, salud…) runs *programmes*; each programme states its logical
framework (matriz de marco lógico: fin, propósito, componentes, actividades, each with its indicators, medios de
verificación and supuestos), records *activities* (what, when, where, how many people) and counts its
*beneficiaries* without identities (a keyed hash of the RUT, as for victims).

An *indicator* is DHIS2's numerator / denominator × factor, each side a :class:`Term`: a measure with filters
(computed from the data state), a figure of the programme (activities, participants, beneficiaries, spending), the
population of the area, or a value the unit enters. It has DIPRES's dimension and scope, a polarity, a periodicity,
a baseline and *targets* per period and area. A *measurement* is one period's (and area's) numerator and
denominator, computed or entered, with its history and a light approval (entered → approved → locked).
*Goals* are the year's institutional commitments, each linked to indicators. *Subscriptions* tell a user when an
indicator crosses its target or changes significantly (:class:`Alert`).

The statistics (value, interval, traffic light, trend, XmR) are in :mod:`observatorio.analysis.indicator`,
:mod:`~observatorio.analysis.intervals` and :mod:`~observatorio.analysis.xmr`; this module only keeps the data.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The values of analysis.indicator's Kind and Polarity, written out: importing analysis here would load SciPy and
# pandas into every process at django.setup() (the CLI's start, serve --prod's master); a test keeps them equal.
KINDS = ("value", "rate", "proportion")
POLARITIES = ("higher_is_better", "lower_is_better", "none")


class Unit(models.Model):
    """A directorate or unit of the municipality that is responsible for programmes and indicators."""

    code = models.SlugField(_("código"), max_length=40, unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    head = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="units_headed",
                                  verbose_name=_("jefatura"),
                                  help_text=_("Aprueba las mediciones que ingresa la unidad."))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="units",
                                     verbose_name=_("integrantes"),
                                     help_text=_("Ingresan las mediciones de los indicadores de la unidad."))

    class Meta:
        verbose_name = _("unidad municipal")
        verbose_name_plural = _("unidades municipales")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeKind(models.TextChoices):
    PROGRAMME = "programa", _("Programa")
    PROJECT = "proyecto", _("Proyecto")
    SERVICE = "servicio", _("Servicio")
    PLAN = "plan", _("Plan")


class Programme(models.Model):
    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="programmes",
                             verbose_name=_("unidad responsable"))
    kind = models.CharField(_("tipo"), max_length=12, choices=ProgrammeKind.choices, default=ProgrammeKind.PROGRAMME)
    description = models.TextField(_("descripción"), blank=True)
    start = models.DateField(_("inicio"))
    end = models.DateField(_("término"), null=True, blank=True, help_text=_("Vacío: permanente."))
    budget = models.DecimalField(_("presupuesto (CLP)"), max_digits=14, decimal_places=0, null=True, blank=True)
    spent = models.DecimalField(_("gasto ejecutado (CLP)"), max_digits=14, decimal_places=0, null=True, blank=True)
    target_population = models.CharField(_("población objetivo"), max_length=300, blank=True)
    target_size = models.PositiveIntegerField(_("tamaño de la población objetivo"), null=True, blank=True)
    target_areas = models.ManyToManyField("territory.Area", blank=True, related_name="programmes",
                                          verbose_name=_("áreas de intervención"))
    place_based = models.BooleanField(
        _("intervención territorial"), default=False,
        help_text=_("Actúa sobre lugares (su impacto se evalúa con la diferencia de desplazamiento ponderada)."))

    class Meta:
        verbose_name = _("programa")
        verbose_name_plural = _("programas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Level(models.TextChoices):
    """The rows of the logical-framework matrix, from the top."""

    GOAL = "fin", _("Fin")
    PURPOSE = "proposito", _("Propósito")
    COMPONENT = "componente", _("Componente")
    ACTIVITY = "actividad", _("Actividad")


class Objective(models.Model):
    """One row of a programme's logical framework."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives",
                                  verbose_name=_("programa"))
    level = models.CharField(_("nivel"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                               verbose_name=_("objetivo superior"))
    position = models.PositiveSmallIntegerField(_("orden"), default=1)
    statement = models.TextField(_("enunciado"))
    verification = models.TextField(_("medios de verificación"), blank=True)
    assumptions = models.TextField(_("supuestos"), blank=True)

    class Meta:
        verbose_name = _("objetivo del marco lógico")
        verbose_name_plural = _("objetivos del marco lógico")
        ordering = ["programme", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.statement[:80]}"


class Activity(models.Model):
    """Something a programme did: what, when, where (a point or an area), how many people took part."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="activities",
                                  verbose_name=_("programa"))
    component = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="activities", verbose_name=_("componente"))
    title = models.CharField(_("actividad"), max_length=200)
    date = models.DateField(_("fecha"))
    end_date = models.DateField(_("fecha de término"), null=True, blank=True)
    hours = models.DecimalField(_("horas"), max_digits=7, decimal_places=2, null=True, blank=True)
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="activities", verbose_name=_("área"))
    lon = models.FloatField(_("longitud"), null=True, blank=True)
    lat = models.FloatField(_("latitud"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participantes"), default=0)
    notes = models.TextField(_("observaciones"), blank=True)

    class Meta:
        verbose_name = _("actividad")
        verbose_name_plural = _("actividades")
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["programme", "date"], name="activity_programme_date")]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.title}"


class Beneficiary(models.Model):
    """A person a programme served, known only by the keyed hash of the RUT (never the RUT itself)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="beneficiaries",
                                  verbose_name=_("programa"))
    person_key = models.CharField(_("clave de la persona"), max_length=64,
                                  help_text=_("HMAC del RUT con la clave del observatorio; no se guarda el RUT."))
    first_served = models.DateField(_("primera atención"))
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="beneficiaries", verbose_name=_("área"))

    class Meta:
        verbose_name = _("beneficiario")
        verbose_name_plural = _("beneficiarios")
        constraints = [models.UniqueConstraint(fields=["programme", "person_key"], name="beneficiary_once")]

    def __str__(self) -> str:
        return f"{self.programme} · {self.person_key[:8]}…"


class Dimension(models.TextChoices):
    """DIPRES's dimensions of performance."""

    EFFECTIVENESS = "eficacia", _("Eficacia")
    EFFICIENCY = "eficiencia", _("Eficiencia")
    ECONOMY = "economia", _("Economía")
    QUALITY = "calidad", _("Calidad")


class Scope(models.TextChoices):
    """DIPRES's scope: what the indicator measures of the chain of production."""

    PROCESS = "proceso", _("Proceso")
    PRODUCT = "producto", _("Producto")
    OUTCOME = "resultado", _("Resultado")


class Periodicity(models.TextChoices):
    MONTHLY = "mensual", _("Mensual")
    QUARTERLY = "trimestral", _("Trimestral")
    HALF_YEARLY = "semestral", _("Semestral")
    YEARLY = "anual", _("Anual")


MONTHS_PER_PERIOD = {Periodicity.MONTHLY: 1, Periodicity.QUARTERLY: 3, Periodicity.HALF_YEARLY: 6,
                     Periodicity.YEARLY: 12}


class Term(models.TextChoices):
    """What one side of an indicator's formula reads (its options, in the ``*_options`` JSON, narrow it)."""

    NONE = "", _("Ninguno (1)")
    ENTERED = "ingresado", _("Valor ingresado por la unidad")
    MEASURE = "medida", _("Conteo de una medida")
    MEASURE_MEDIAN = "medida-mediana", _("Mediana de un atributo de una medida")
    MEASURE_IN_HOTSPOTS = "medida-en-focos", _("Conteo de una medida dentro de los focos vigentes")
    REPEAT = "repeticion", _("Eventos de personas con más de un evento en el período")
    ACTIVITIES = "actividades", _("Actividades del programa")
    ACTIVITY_HOURS = "horas", _("Horas de actividad del programa")
    ACTIVITIES_IN_HOTSPOTS = "actividades-en-focos", _("Actividades del programa dentro de los focos vigentes")
    PARTICIPANTS = "participantes", _("Participantes en actividades del programa")
    BENEFICIARIES = "beneficiarios", _("Beneficiarios nuevos del programa")
    SPENT = "gasto", _("Gasto ejecutado del programa (CLP)")
    POPULATION = "poblacion", _("Población del área")


class Indicator(models.Model):
    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=250)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="indicators",
                             verbose_name=_("unidad responsable"))
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="indicators", verbose_name=_("programa"),
                                  help_text=_("Vacío: un indicador institucional de la unidad."))
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="indicators", verbose_name=_("objetivo del marco lógico"))
    dimension = models.CharField(_("dimensión"), max_length=12, choices=Dimension.choices)
    scope = models.CharField(_("ámbito"), max_length=12, choices=Scope.choices)
    definition = models.TextField(_("definición"), blank=True)
    kind = models.CharField(_("tipo de cálculo"), max_length=12,
                            choices=list(zip(KINDS, (_("Valor ingresado o calculado (sin intervalo)"),
                                                     _("Tasa o conteo (intervalo de Poisson)"),
                                                     _("Proporción (intervalo de Wilson)")), strict=True)),
                            default="value")
    numerator = models.CharField(_("numerador"), max_length=24, choices=Term.choices, default=Term.ENTERED)
    numerator_measure = models.ForeignKey("records.Measure", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", verbose_name=_("medida del numerador"))
    numerator_options = models.JSONField(_("filtros del numerador"), default=dict, blank=True)
    numerator_label = models.CharField(_("descripción del numerador"), max_length=250, blank=True)
    denominator = models.CharField(_("denominador"), max_length=24, choices=Term.choices, default=Term.NONE,
                                   blank=True)
    denominator_measure = models.ForeignKey("records.Measure", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", verbose_name=_("medida del denominador"))
    denominator_options = models.JSONField(_("filtros del denominador"), default=dict, blank=True)
    denominator_label = models.CharField(_("descripción del denominador"), max_length=250, blank=True)
    factor = models.FloatField(_("factor"), default=1.0, help_text=_("100 para un porcentaje, 100000 para una tasa."))
    unit_label = models.CharField(_("unidad de medida"), max_length=60, help_text=_("«%», «minutos», «por 100.000»."))
    polarity = models.CharField(_("polaridad"), max_length=20,
                                choices=list(zip(POLARITIES, (_("Más alto es mejor"), _("Más bajo es mejor"),
                                                              _("Sin polaridad (descriptivo)")), strict=True)))
    periodicity = models.CharField(_("periodicidad"), max_length=12, choices=Periodicity.choices,
                                   default=Periodicity.MONTHLY)
    baseline = models.FloatField(_("línea base"), null=True, blank=True)
    baseline_period = models.CharField(_("período de la línea base"), max_length=40, blank=True)
    late_after_days = models.PositiveSmallIntegerField(
        _("días de plazo"), default=15,
        help_text=_("Una medición ingresada falta (atrasada) si no está este número de días después del período."))
    active = models.BooleanField(_("vigente"), default=True)

    class Meta:
        verbose_name = _("indicador")
        verbose_name_plural = _("indicadores")
        ordering = ["unit", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def computed(self) -> bool:
        """Whether the app computes it (no side of the formula is entered by the unit)."""
        return Term.ENTERED not in (self.numerator, self.denominator)


def once_per_period_and_area(name: str) -> list:
    """One row per indicator, period and area, the comuna (no area) included: two partial unique indexes, since
    a NULL area is distinct from every other in SQL (and ``nulls_distinct`` is PostgreSQL's only)."""
    fields = ["indicator", "period_start", "period_end"]
    return [models.UniqueConstraint(fields=[*fields, "area"], condition=models.Q(area__isnull=False),
                                    name=f"{name}_area"),
            models.UniqueConstraint(fields=fields, condition=models.Q(area__isnull=True), name=f"{name}_comuna")]


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets",
                                  verbose_name=_("indicador"))
    period_start = models.DateField(_("inicio del período"))
    period_end = models.DateField(_("fin del período"))
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("área"), help_text=_("Vacío: la comuna."))
    value = models.FloatField(_("meta"))

    class Meta:
        verbose_name = _("meta")
        verbose_name_plural = _("metas")
        ordering = ["indicator", "period_start"]
        constraints = once_per_period_and_area("target_once")

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start:%d-%m-%Y}–{self.period_end:%d-%m-%Y}: {self.value:g}"


class Origin(models.TextChoices):
    COMPUTED = "calculada", _("Calculada")
    ENTERED = "ingresada", _("Ingresada")
    IMPORTED = "importada", _("Importada de planilla")


class Approval(models.TextChoices):
    """The light approval of a measurement: the unit enters, its head approves, approval locks it."""

    ENTERED = "ingresada", _("Ingresada")
    APPROVED = "aprobada", _("Aprobada")
    LOCKED = "cerrada", _("Cerrada")


class Measurement(models.Model):
    """One period's (and area's) numerator and denominator of an indicator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements",
                                  verbose_name=_("indicador"))
    period_start = models.DateField(_("inicio del período"))
    period_end = models.DateField(_("fin del período"))
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("área"), help_text=_("Vacío: la comuna."))
    numerator = models.FloatField(_("numerador"), null=True, blank=True)
    denominator = models.FloatField(_("denominador"), null=True, blank=True)
    origin = models.CharField(_("origen"), max_length=12, choices=Origin.choices)
    approval = models.CharField(_("estado"), max_length=12, choices=Approval.choices, default=Approval.ENTERED)
    note = models.TextField(_("observación"), blank=True)
    data_version = models.PositiveIntegerField(_("versión de los datos"), null=True, blank=True,
                                               help_text=_("Calculada: la versión de los datos que leyó."))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("ingresada por"))
    entered_at = models.DateTimeField(_("ingresada el"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("aprobada por"))
    approved_at = models.DateTimeField(_("aprobada el"), null=True, blank=True)

    class Meta:
        verbose_name = _("medición")
        verbose_name_plural = _("mediciones")
        ordering = ["indicator", "period_start"]
        constraints = once_per_period_and_area("measurement_once")

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start:%d-%m-%Y}"


class MeasurementRevision(models.Model):
    """The history of a measurement: every change of its values or state, who made it and when."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="revisions",
                                    verbose_name=_("medición"))
    action = models.CharField(_("acción"), max_length=20)
    numerator = models.FloatField(_("numerador"), null=True, blank=True)
    denominator = models.FloatField(_("denominador"), null=True, blank=True)
    approval = models.CharField(_("estado"), max_length=12, choices=Approval.choices)
    note = models.TextField(_("observación"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("usuario"))
    at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("revisión de medición")
        verbose_name_plural = _("revisiones de mediciones")
        ordering = ["measurement", "at", "id"]

    def __str__(self) -> str:
        return f"{self.measurement} {self.action} {self.at:%d-%m-%Y %H:%M}"


class Goal(models.Model):
    """An institutional commitment of the year (meta de gestión), evaluated through its indicators."""

    year = models.PositiveSmallIntegerField(_("año"))
    code = models.SlugField(_("código"), max_length=60)
    title = models.CharField(_("compromiso"), max_length=300)
    description = models.TextField(_("descripción"), blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="goals",
                             verbose_name=_("unidad responsable"))
    indicators = models.ManyToManyField(Indicator, related_name="goals", verbose_name=_("indicadores"))
    weight = models.PositiveSmallIntegerField(_("ponderación (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("meta anual")
        verbose_name_plural = _("metas anuales")
        ordering = ["-year", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="goal_year_code")]

    def __str__(self) -> str:
        return f"{self.year} · {self.title}"


class Subscription(models.Model):
    """A user asks to be told when an indicator (or a measure in an area) crosses its target or changes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions",
                             verbose_name=_("usuario"))
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="subscriptions", verbose_name=_("indicador"))
    measure = models.ForeignKey("records.Measure", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("medida"))
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("área"), help_text=_("Vacío: la comuna."))
    by_email = models.BooleanField(_("avisar por correo"), default=True)
    created = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("suscripción")
        verbose_name_plural = _("suscripciones")
        constraints = [models.CheckConstraint(
            condition=models.Q(indicator__isnull=False) | models.Q(measure__isnull=False),
            name="subscription_has_subject")]

    def __str__(self) -> str:
        return f"{self.user} · {self.indicator or self.measure}"


class Alert(models.Model):
    """One notice to one user; ``key`` makes it once per subject, period and kind of change."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="alerts",
                                     verbose_name=_("suscripción"))
    key = models.CharField(_("clave"), max_length=200)
    text = models.TextField(_("aviso"))
    created = models.DateTimeField(_("creado"), auto_now_add=True)
    read_at = models.DateTimeField(_("leído el"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("enviado por correo el"), null=True, blank=True)

    class Meta:
        verbose_name = _("aviso")
        verbose_name_plural = _("avisos")
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "key"], name="alert_once")]

    def __str__(self) -> str:
        return self.text[:80]
