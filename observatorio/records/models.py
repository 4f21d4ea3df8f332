"""Sources, the common category tree, events and places of interest.

Every record keeps its source, its batch, its original values and the
homologated ones, so that a wrong crosswalk can be corrected later without
going back to the source files.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SourceKind(models.TextChoices):
    CRIME_REPORT = "denuncia", "Denuncias (Fiscalía)"
    POLICE_EVENT = "stop", "Eventos policiales (STOP)"
    CEAD = "cead", "CEAD casos policiales"
    CALL_1461 = "1461", "Llamados al 1461"
    PATROL = "patrullaje", "Patrullaje preventivo"
    VIF = "vif", "Violencia intrafamiliar"
    DEMAND = "demanda", "Demandas vecinales"
    SURVEY = "encuesta", "Encuesta de percepción"
    PROGRAM = "programa", "Actividades de programas"


class Source(models.Model):
    code = models.SlugField("código", max_length=40, unique=True)
    name = models.CharField("nombre", max_length=200)
    kind = models.CharField("tipo", max_length=20, choices=SourceKind.choices)
    description = models.TextField("descripción", blank=True)
    owner_unit = models.CharField("unidad responsable", max_length=200, blank=True)

    class Meta:
        verbose_name = "fuente"
        verbose_name_plural = "fuentes"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A node of the common category tree.

    ``family`` is the CEAD family (2024 grouping), ``iccs`` the UNODC ICCS code
    (level 1 or 2) and ``dmcs`` marks the legacy "delitos de mayor connotación
    social" set; non-criminal municipal categories have ``is_crime`` False.
    """

    code = models.SlugField("código", max_length=60, unique=True)
    name = models.CharField("nombre", max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="categoría superior")
    family = models.CharField("familia CEAD", max_length=80, blank=True)
    iccs = models.CharField("código ICCS", max_length=10, blank=True)
    dmcs = models.BooleanField("DMCS", default=False)
    is_crime = models.BooleanField("es delito", default=True)

    class Meta:
        verbose_name = "categoría"
        verbose_name_plural = "categorías"
        ordering = ["code"]

    def __str__(self):
        return self.name


class CategoryLabel(models.Model):
    """One entry of a source's versioned crosswalk: its own label → our category."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="labels", verbose_name="fuente")
    label = models.CharField("etiqueta de origen", max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name="categoría")
    version = models.CharField("versión", max_length=40, default="1")

    class Meta:
        verbose_name = "equivalencia de categoría"
        verbose_name_plural = "equivalencias de categorías"
        constraints = [
            models.UniqueConstraint(fields=["source", "label", "version"], name="label_source_version_unique"),
        ]

    def __str__(self):
        return f"{self.source.code}: {self.label} → {self.category.code}"


class BatchStatus(models.TextChoices):
    DRY_RUN = "dry_run", "Prueba (sin escribir)"
    COMMITTED = "committed", "Importado"
    ROLLED_BACK = "rolled_back", "Revertido"


class ImportBatch(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches", verbose_name="fuente")
    file_name = models.CharField("archivo", max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    created_at = models.DateTimeField("fecha", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   verbose_name="usuario")
    rows_read = models.PositiveIntegerField("leídas", default=0)
    rows_imported = models.PositiveIntegerField("importadas", default=0)
    rows_duplicate = models.PositiveIntegerField("duplicadas", default=0)
    rows_rejected = models.PositiveIntegerField("rechazadas", default=0)
    notes = models.TextField("notas", blank=True)
    # Added by the import pipeline. Batches written before it (the demo) are committed ones.
    status = models.CharField("estado", max_length=12, choices=BatchStatus.choices, default=BatchStatus.COMMITTED)
    rows_updated = models.PositiveIntegerField("corregidas", default=0,
                                               help_text="Parte de las importadas que actualizó registros existentes.")
    error_count = models.PositiveIntegerField("errores", default=0)
    sheet = models.CharField("hoja", max_length=100, blank=True)
    mapping = models.JSONField("asignación de columnas usada", default=dict, blank=True)
    report = models.JSONField("informe", default=dict, blank=True)
    rolled_back_at = models.DateTimeField("revertido el", null=True, blank=True)

    class Meta:
        verbose_name = "lote de importación"
        verbose_name_plural = "lotes de importación"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.source.code} {self.file_name}"


class Precision(models.TextChoices):
    POINT = "point", "Punto"
    ADDRESS = "address", "Dirección geocodificada"
    AREA = "area", "Solo área"
    NONE = "none", "Sin ubicación"


class Event(models.Model):
    # source and category are the first column of the (…, occurred_on) indexes below: their own FK indexes
    # would only duplicate them and slow a million-row import.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="events", verbose_name="fuente",
                               db_index=False)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="events",
                              verbose_name="lote")
    external_id = models.CharField("identificador de origen", max_length=100, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="events",
                                 verbose_name="categoría", db_index=False)
    original_label = models.CharField("etiqueta original", max_length=200, blank=True)
    occurred_on = models.DateField("fecha", db_index=True)
    occurred_time = models.TimeField("hora", null=True, blank=True)
    window_start = models.DateTimeField("desde", null=True, blank=True)
    window_end = models.DateTimeField("hasta", null=True, blank=True)
    lon = models.FloatField("longitud", null=True, blank=True)
    lat = models.FloatField("latitud", null=True, blank=True)
    precision = models.CharField("precisión", max_length=10, choices=Precision.choices, default=Precision.POINT)
    address = models.CharField("dirección", max_length=300, blank=True)
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="events", verbose_name="área (nivel más fino)")
    outside = models.BooleanField("fuera de la comuna", default=False)
    victim_sex = models.CharField("sexo víctima", max_length=1, blank=True)
    victim_age_group = models.CharField("edad víctima", max_length=10, blank=True)
    victim_nationality = models.CharField("nacionalidad víctima", max_length=40, blank=True)
    # No index on the people keys: nothing looks events up by them yet (repeat victimisation reads them
    # in bulk); an index can come back with the first query that needs one.
    victim_key = models.CharField("víctima (hash)", max_length=64, blank=True)
    offender_sex = models.CharField("sexo imputado", max_length=1, blank=True)
    offender_age_group = models.CharField("edad imputado", max_length=10, blank=True)
    offender_nationality = models.CharField("nacionalidad imputado", max_length=40, blank=True)
    offender_key = models.CharField("imputado (hash)", max_length=64, blank=True)
    original = models.JSONField("valores originales", default=dict, blank=True)
    attributes = models.JSONField("atributos", default=dict, blank=True)
    # SHA-256 of the homologated values (not the external id): recognises a record that comes back
    # in next month's export without an identifier. Empty for events written outside the pipeline.
    content_hash = models.CharField("huella de contenido", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "evento"
        verbose_name_plural = "eventos"
        # No index on content_hash: the pipeline reads a source's hashes in one scan, and an index on random
        # hashes would slow a million-row insert more than it could ever save.
        indexes = [models.Index(fields=["source", "occurred_on"]), models.Index(fields=["category", "occurred_on"])]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], condition=~models.Q(external_id=""),
                                    name="event_source_external_id_unique"),
        ]

    def __str__(self):
        return f"{self.source.code} {self.occurred_on} {self.original_label}"


class PlaceKind(models.TextChoices):
    SCHOOL = "school", "Establecimiento educacional"
    SPORTS = "sports", "Recinto deportivo"
    GREEN = "green", "Área verde"
    COMMERCIAL = "commercial", "Zona comercial"
    HEALTH = "health", "Centro de salud"
    POLICE = "police", "Unidad policial"
    ALCOHOL = "alcohol", "Patente de alcoholes"
    TRANSPORT = "transport", "Paradero o estación"


class Place(models.Model):
    """A place of interest (espacio priorizado)."""

    kind = models.CharField("tipo", max_length=20, choices=PlaceKind.choices)
    name = models.CharField("nombre", max_length=200)
    lon = models.FloatField("longitud")
    lat = models.FloatField("latitud")
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="places", verbose_name="área")
    prioritized = models.BooleanField("priorizado", default=False)
    attributes = models.JSONField("atributos", default=dict, blank=True)

    class Meta:
        verbose_name = "lugar de interés"
        verbose_name_plural = "lugares de interés"
        ordering = ["kind", "name"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


class AggregateCount(models.Model):
    """A count published only in aggregate, such as CEAD's monthly casos policiales."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="counts", verbose_name="fuente")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.CASCADE, verbose_name="lote")
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.CASCADE, verbose_name="área")
    area_code = models.CharField("código de área", max_length=40)
    period_start = models.DateField("inicio del período")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name="categoría")
    original_label = models.CharField("etiqueta original", max_length=200)
    count = models.PositiveIntegerField("casos")

    class Meta:
        verbose_name = "conteo agregado"
        verbose_name_plural = "conteos agregados"
        # (source, period_start): the comparisons read one reference source's recent years
        # (dashboard/home_data.py, dashboard/peers.py); docs/performance.md "The home page's summary".
        indexes = [models.Index(fields=["area_code", "period_start"]),
                   models.Index(fields=["source", "period_start"], name="records_agg_source_period")]


class SurveyResponse(models.Model):
    """One respondent of a perception survey, with its expansion weight."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="responses", verbose_name="fuente")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.CASCADE, verbose_name="lote")
    survey = models.CharField("encuesta", max_length=100)
    answered_on = models.DateField("fecha")
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="área")
    weight = models.FloatField("factor de expansión", default=1.0)
    feels_unsafe = models.BooleanField("se siente inseguro/a")
    victimized = models.BooleanField("fue víctima (12 meses)", default=False)
    attributes = models.JSONField("atributos", default=dict, blank=True)
    # Added by the survey import: the respondent's id in the survey file, the file's row as read, and the
    # hash of the homologated answers that recognises a respondent sent again without an id.
    external_id = models.CharField("identificador del encuestado", max_length=100, blank=True, default="")
    original = models.JSONField("valores originales", default=dict, blank=True)
    content_hash = models.CharField("huella de contenido", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "respuesta de encuesta"
        verbose_name_plural = "respuestas de encuestas"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], condition=~models.Q(external_id=""),
                                    name="response_source_external_id_unique"),
        ]


class MeasureKind(models.TextChoices):
    COUNT = "conteo", "Conteo de eventos"
    SHARE = "proporcion", "Proporción de encuestados"


class Combine(models.TextChoices):
    """How the events of several sources make one count without counting an incident twice."""

    SINGLE = "una", "Una sola fuente"
    DISJOINT = "disjuntas", "Fuentes disjuntas (describen incidentes distintos)"
    SHARED_ID = "identificador", "Enlace por identificador compartido"
    PROXIMITY = "proximidad", "Enlace por categoría, lugar y hora"


class Measure(models.Model):
    """A named, documented count: which sources and categories, in which unit, how duplicates are removed.

    Every figure the observatory shows counts one measure; sources that describe the same incidents are
    never added unless the measure declares the rule that removes the double counting
    (:mod:`observatorio.records.measures`).
    """

    code = models.SlugField("código", max_length=40, unique=True)
    name = models.CharField("nombre", max_length=200)
    unit = models.CharField("unidad", max_length=60, help_text="En plural: «casos», «llamados», «patrullajes».")
    kind = models.CharField("tipo", max_length=12, choices=MeasureKind.choices, default=MeasureKind.COUNT)
    sources = models.ManyToManyField(Source, blank=True, related_name="measures", verbose_name="fuentes")
    categories = models.ManyToManyField(
        Category, blank=True, related_name="measures", verbose_name="categorías",
        help_text="Vacío: todas las categorías de sus fuentes. Una familia incluye sus categorías.")
    combine = models.CharField("combinación de fuentes", max_length=14, choices=Combine.choices,
                               default=Combine.SINGLE)
    primary_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_of",
        verbose_name="fuente principal",
        help_text="Con enlace: sus eventos cuentan todos; los de las otras fuentes enlazados a uno de ellos, no.")
    link_attribute = models.CharField(
        "atributo de enlace", max_length=60, blank=True,
        help_text="Enlace por identificador: atributo de los eventos secundarios que guarda el identificador "
                  "de origen del evento principal.")
    link_metres = models.PositiveIntegerField("distancia de enlace (m)", default=100)
    link_hours = models.PositiveIntegerField("intervalo de enlace (horas)", default=24)
    reference_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="reference_of",
        verbose_name="cifras oficiales de referencia",
        help_text="Conteos agregados (CEAD) con los que se concilia y compara esta medida.")
    sensitive = models.BooleanField("sensible", default=False)
    definition = models.TextField("definición", help_text="Un párrafo para el anexo metodológico.")
    position = models.PositiveSmallIntegerField("orden", default=100)

    class Meta:
        verbose_name = "medida"
        verbose_name_plural = "medidas"
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class DataVersion(models.Model):
    """A counter bumped whenever events change, so per-process caches know when to reload.

    Bulk writes (imports, the demo, rollbacks) bypass model signals, so every
    writer calls :func:`observatorio.records.snapshot.bump` explicitly; admin
    edits are caught by signals.
    """

    name = models.CharField(max_length=40, unique=True)
    version = models.PositiveBigIntegerField(default=0)
    # A random name for this version, new at every bump: a version number can come back after a rollback,
    # a token never does, so files kept for a version (the shared event columns) are named by it.
    token = models.CharField(max_length=32, default="", blank=True)

    class Meta:
        verbose_name = "versión de datos"
        verbose_name_plural = "versiones de datos"

    def __str__(self):
        return f"{self.name} v{self.version}"


class SourceMapping(models.Model):
    """A saved column mapping of a source: file column per event field, and reading options.

    Versioned like the crosswalk: a change adds a version, so a batch can say
    exactly which mapping it was read with.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="mappings", verbose_name="fuente")
    version = models.PositiveIntegerField("versión")
    columns = models.JSONField("columnas", default=dict, blank=True)
    options = models.JSONField("opciones", default=dict, blank=True)
    created_at = models.DateTimeField("fecha", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   verbose_name="usuario")

    class Meta:
        verbose_name = "asignación de columnas"
        verbose_name_plural = "asignaciones de columnas"
        ordering = ["source", "-version"]
        constraints = [models.UniqueConstraint(fields=["source", "version"], name="mapping_source_version_unique")]

    def __str__(self):
        return f"{self.source.code} v{self.version}"


class EventRevision(models.Model):
    """The values an event had before a batch corrected it; rolling that batch back restores them."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revisions", verbose_name="evento")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="revisions",
                              verbose_name="lote que corrigió")
    previous = models.JSONField("valores anteriores")
    created_at = models.DateTimeField("fecha", auto_now_add=True)

    class Meta:
        verbose_name = "corrección de evento"
        verbose_name_plural = "correcciones de eventos"
        ordering = ["event", "id"]


class CountRevision(models.Model):
    """The count an aggregate had before a batch corrected it (CEAD revises past months)."""

    count = models.ForeignKey(AggregateCount, on_delete=models.CASCADE, related_name="revisions",
                              verbose_name="conteo")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="count_revisions",
                              verbose_name="lote que corrigió")
    previous_count = models.PositiveIntegerField("conteo anterior")

    class Meta:
        verbose_name = "corrección de conteo"
        verbose_name_plural = "correcciones de conteos"


class AddressPoint(models.Model):
    """One entry of the municipal address gazetteer: street and number → coordinates."""

    street = models.CharField("calle", max_length=200)
    street_normalised = models.CharField("calle normalizada", max_length=200)
    street_core = models.CharField("calle sin tipo de vía", max_length=200, db_index=True)
    number = models.PositiveIntegerField("número")
    lon = models.FloatField("longitud")
    lat = models.FloatField("latitud")
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="addresses", verbose_name="área (nivel más fino)")
    source = models.CharField("fuente", max_length=200, blank=True)

    class Meta:
        verbose_name = "dirección del nomenclátor"
        verbose_name_plural = "nomenclátor de direcciones"
        indexes = [models.Index(fields=["street_normalised", "number"], name="address_street_number")]

    def __str__(self):
        return f"{self.street} {self.number}"


class PopulationProjection(models.Model):
    """INE population projection of a comuna (by CUT) for a year: the denominator of CEAD rates.

    Kept apart from territory.Demography because CEAD covers all 345 comunas
    while the territory holds only the ones the observatory set up.
    """

    area_code = models.CharField("código comunal (CUT)", max_length=10)
    name = models.CharField("comuna", max_length=100, blank=True)
    year = models.PositiveSmallIntegerField("año")
    population = models.PositiveIntegerField("población")
    source = models.CharField("fuente", max_length=200, blank=True)

    class Meta:
        verbose_name = "proyección de población"
        verbose_name_plural = "proyecciones de población"
        constraints = [models.UniqueConstraint(fields=["area_code", "year"], name="projection_code_year_unique")]
        ordering = ["area_code", "year"]

    def __str__(self):
        return f"{self.area_code} {self.year}: {self.population}"


class KeyFingerprint(models.Model):
    """The fingerprint of a key the stored data depends on (the RUT hash key), written at its first use.

    An import compares the key in force with it and stops on a mismatch: hashes
    made with another key would never match the stored ones
    (`observatorio.records.identifiers`). The fingerprint reveals nothing of the key.
    """

    name = models.CharField("clave", max_length=40, unique=True)
    fingerprint = models.CharField("huella", max_length=64)
    created_at = models.DateTimeField("registrada el", auto_now_add=True)

    class Meta:
        verbose_name = "huella de clave"
        verbose_name_plural = "huellas de claves"

    def __str__(self):
        return f"{self.name} {self.fingerprint}"
