"""Areas, their versioned boundaries and their demography.

Geometry is kept as WKB in WGS84 (EPSG:4326) in an ordinary binary column plus
its bounding box, so the same schema works on SQLite and PostgreSQL without
SpatiaLite or PostGIS. Spatial work happens in Shapely/NumPy on load.
"""

from __future__ import annotations

import datetime as dt

import shapely
from django.db import models
from django.db.models import Q


class Level(models.TextChoices):
    COMUNA = "comuna", "Comuna"
    MACROSECTOR = "macrosector", "Macrosector"
    UV = "uv", "Unidad vecinal"
    CENSUS_ZONE = "zona_censal", "Zona censal"
    QUADRANT = "cuadrante", "Cuadrante policial"
    CUSTOM = "custom", "Zona personalizada"


# Nesting order of the main hierarchy; other levels hang from the comuna.
HIERARCHY = (Level.COMUNA, Level.MACROSECTOR, Level.UV)


class Area(models.Model):
    """The identity of an area; its boundary may change over time."""

    code = models.CharField("código", max_length=40)
    name = models.CharField("nombre", max_length=200)
    level = models.CharField("nivel", max_length=20, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                               verbose_name="área superior")
    illustrative = models.BooleanField(
        "ilustrativa", default=False,
        help_text="Límites inventados para la demostración; no son oficiales.")
    source = models.CharField("fuente", max_length=200, blank=True)

    class Meta:
        verbose_name = "área"
        verbose_name_plural = "áreas"
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="area_level_code_unique")]
        ordering = ["level", "code"]

    def __str__(self):
        return f"{self.get_level_display()} {self.code} {self.name}"

    def boundary_on(self, day: dt.date | None = None) -> Boundary | None:
        return Boundary.in_force(day).filter(area=self).first()

    def ancestors(self) -> list[Area]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Boundary(models.Model):
    """One version of an area's boundary with its period of validity.

    Like MapIt's generations: a boundary is valid from ``valid_from`` up to, not
    including, ``valid_to`` (open when null), so a rate for a period uses the
    boundary in force then, and redrawing a UV never rewrites history.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="boundaries", verbose_name="área")
    valid_from = models.DateField("vigente desde", default=dt.date(1900, 1, 1))
    valid_to = models.DateField("vigente hasta", null=True, blank=True)
    geometry = models.BinaryField("geometría (WKB, WGS84)")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    area_km2 = models.FloatField("superficie (km²)")
    source = models.CharField("fuente", max_length=200, blank=True)

    class Meta:
        verbose_name = "límite"
        verbose_name_plural = "límites"
        ordering = ["area", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["area", "valid_from"], name="boundary_area_from_unique"),
        ]

    def __str__(self):
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.area.code} [{self.valid_from.isoformat()}, {end})"

    @classmethod
    def in_force(cls, day: dt.date | None = None):
        day = day or dt.date.today()
        return cls.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))

    @property
    def shape(self):
        return shapely.from_wkb(bytes(self.geometry))

    def set_shape(self, geom, area_km2: float) -> None:
        self.geometry = shapely.to_wkb(geom)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = (float(v) for v in geom.bounds)
        self.area_km2 = float(area_km2)


class Demography(models.Model):
    """Population and social composition of an area for one year."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="demography", verbose_name="área")
    year = models.PositiveSmallIntegerField("año")
    population = models.PositiveIntegerField("población")
    households = models.PositiveIntegerField("hogares", null=True, blank=True)
    women = models.PositiveIntegerField("mujeres", null=True, blank=True)
    children_youth = models.PositiveIntegerField("niños, niñas y jóvenes", null=True, blank=True)
    migrants = models.PositiveIntegerField("migrantes", null=True, blank=True)
    indigenous = models.PositiveIntegerField("pueblos originarios", null=True, blank=True)
    poverty_pct = models.FloatField("pobreza multidimensional (%)", null=True, blank=True)
    source = models.CharField("fuente", max_length=200, blank=True)

    class Meta:
        verbose_name = "demografía"
        verbose_name_plural = "demografía"
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="demography_area_year_unique")]
        ordering = ["area", "year"]

    def __str__(self):
        return f"{self.area.code} {self.year}: {self.population}"

    @classmethod
    def population_for(cls, area: Area, year: int) -> int | None:
        """The population in force for ``year``: that year's or the closest earlier one, else the closest later."""
        rows = cls.objects.filter(area=area)
        row = rows.filter(year__lte=year).order_by("-year").first() or rows.filter(year__gt=year).order_by("year").first()
        return row.population if row else None


class ReferenceKind(models.TextChoices):
    STREETS = "streets", "Calles"
    BLOCKS = "blocks", "Manzanas"
    OTHER = "other", "Otra"


class ReferenceLayer(models.Model):
    """A reference layer the municipality imports (streets, city blocks…), drawn under everything on the map.

    Its features are kept as one GeoJSON FeatureCollection in WGS84, each with the one property ``name``
    (from the file's ``name_field``); importing the same name again replaces it (a new row: the data
    state's territory key moves) with the next ``version``.
    """

    name = models.CharField("nombre", max_length=200, unique=True)
    kind = models.CharField("tipo", max_length=20, choices=ReferenceKind.choices)
    name_field = models.CharField("atributo del nombre", max_length=100, blank=True)
    source = models.CharField("fuente", max_length=300, blank=True)
    features = models.PositiveIntegerField("elementos", default=0)
    geojson = models.TextField("GeoJSON (WGS84)")
    version = models.PositiveIntegerField("versión", default=1)
    imported_at = models.DateTimeField("importada", auto_now_add=True)

    class Meta:
        verbose_name = "capa de referencia"
        verbose_name_plural = "capas de referencia"
        ordering = ["kind", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}, v{self.version})"
