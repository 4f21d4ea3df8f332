"""Measures: what each figure counts, as data.

A :class:`~observatorio.records.models.Measure` names one count (its sources,
its categories, its unit, how duplicates are removed, whether it is sensitive,
a definition for the methods annex). Everything that shows a number takes a
measure; there is no total over all sources. This module holds the standard
measures every observatory starts with (:data:`STANDARD`), seeds them, gives
each new source to the standard measure of its kind, and reads the measures
into plain :class:`MeasureDef` records for the data state's catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Combine, MeasureKind, SourceKind

DEFAULT_MEASURE = "casos-policiales"


@dataclass(frozen=True)
class Standard:
    code: str
    name: str
    unit: str
    source_kind: str
    definition: str
    kind: str = MeasureKind.COUNT
    reference_kind: str = ""
    sensitive: bool = False


STANDARD: tuple[Standard, ...] = (
    Standard("casos-policiales", "Casos policiales", "casos", SourceKind.POLICE_EVENT,
             "Casos policiales según la definición del CEAD (Subsecretaría de Prevención del Delito): las "
             "denuncias de delitos que la comunidad hace en Carabineros y la PDI más las detenciones en "
             "flagrancia, contados una vez por hecho, en la fecha y el lugar del hecho. Se cuentan los eventos "
             "policiales cargados (STOP); para comparar con la región y el país se usan los conteos mensuales "
             "publicados por el CEAD.", reference_kind=SourceKind.CEAD),
    Standard("denuncias", "Denuncias (Fiscalía)", "denuncias", SourceKind.CRIME_REPORT,
             "Denuncias ingresadas a la Fiscalía por hechos ocurridos en la comuna, una por RUC, en la fecha del "
             "hecho. Describen en buena parte los mismos hechos que los casos policiales: nunca se suman a ellos."),
    Standard("llamados-1461", "Llamados al 1461", "llamados", SourceKind.CALL_1461,
             "Llamados recibidos por la central municipal de seguridad 1461, uno por folio, clasificados por el "
             "motivo que registró el operador. Un llamado no es un delito: se muestran al lado de los casos "
             "policiales, nunca sumados."),
    Standard("patrullajes", "Patrullajes preventivos", "patrullajes", SourceKind.PATROL,
             "Procedimientos del patrullaje preventivo municipal, uno por folio, en la fecha y el lugar del "
             "procedimiento. Miden actividad del servicio, no delitos."),
    Standard("casos-vif", "Casos de violencia intrafamiliar", "casos", SourceKind.VIF,
             "Casos atendidos por el programa municipal de violencia intrafamiliar, uno por caso. Datos sensibles: "
             "solo se publican agregados.", sensitive=True),
    Standard("demandas-vecinales", "Demandas vecinales", "demandas", SourceKind.DEMAND,
             "Solicitudes de vecinos y organizaciones registradas por el municipio, una por folio."),
    Standard("percepcion", "Percepción de inseguridad", "% de encuestados", SourceKind.SURVEY,
             "Porcentaje ponderado (factores de expansión) de encuestados que declaran sentirse inseguros en su "
             "barrio. Es una proporción de personas encuestadas, no un conteo de hechos.", kind=MeasureKind.SHARE),
)


@dataclass(frozen=True)
class MeasureDef:
    """One measure as the figures use it (no Django): ids of its sources and categories."""

    id: int
    code: str
    name: str
    unit: str
    kind: str
    sources: tuple[int, ...]
    categories: tuple[int, ...]  # empty: every category of its sources; families already expanded
    combine: str
    primary: int | None
    link_attribute: str
    link_metres: int
    link_hours: int
    reference: int | None  # a source of aggregate counts (CEAD) to reconcile and compare with
    sensitive: bool
    definition: str

    @property
    def is_count(self) -> bool:
        return self.kind == MeasureKind.COUNT

    @property
    def links(self) -> bool:
        """Whether some events of its sources are left out as duplicates of others."""
        return self.combine in (Combine.SHARED_ID, Combine.PROXIMITY) and len(self.sources) > 1

    def rule(self) -> str:
        """The combination rule in words (Spanish, as the measure's own texts)."""
        if self.combine == Combine.SHARED_ID:
            return (f"un evento de otra fuente cuyo atributo «{self.link_attribute}» es el identificador de un "
                    f"evento de la fuente principal se cuenta una sola vez")
        if self.combine == Combine.PROXIMITY:
            return (f"un evento de otra fuente de la misma categoría a menos de {self.link_metres} m y "
                    f"{self.link_hours} h de un evento de la fuente principal se cuenta una sola vez")
        if self.combine == Combine.DISJOINT:
            return "las fuentes describen incidentes distintos y se suman"
        return "una sola fuente"


def problems(kind: str, combine: str, sources: list, primary, link_attribute: str) -> list[str]:
    """What keeps a measure from counting honestly (empty: nothing); ``sources`` and ``primary`` as objects
    with ``kind`` (Source rows)."""
    found = []
    if kind == MeasureKind.SHARE:
        if any(s.kind != SourceKind.SURVEY for s in sources):
            found.append("una proporción se calcula solo con fuentes de encuesta")
        return found
    if any(s.kind in (SourceKind.SURVEY, SourceKind.CEAD) for s in sources):
        found.append("un conteo de eventos no puede usar encuestas ni conteos agregados del CEAD "
                     "(estos van en «cifras oficiales de referencia»)")
    if len(sources) > 1 and combine == Combine.SINGLE:
        found.append("con varias fuentes, declare cómo se combinan sin contar dos veces el mismo hecho: "
                     "fuentes disjuntas, enlace por identificador o enlace por categoría, lugar y hora")
    if len(sources) <= 1 and combine != Combine.SINGLE:
        found.append("una regla de combinación necesita al menos dos fuentes")
    if combine in (Combine.SHARED_ID, Combine.PROXIMITY):
        if primary is None or primary not in sources:
            found.append("un enlace necesita una fuente principal que sea una de las fuentes de la medida")
        if combine == Combine.SHARED_ID and not link_attribute.strip():
            found.append("el enlace por identificador necesita el nombre del atributo que guarda el identificador")
    return found


def load_measures() -> tuple[MeasureDef, ...]:
    from .models import Category, Measure

    children: dict[int, list[int]] = {}
    for cid, parent in Category.objects.exclude(parent=None).values_list("id", "parent_id"):
        children.setdefault(parent, []).append(cid)
    sources: dict[int, list[int]] = {}
    for mid, sid in Measure.sources.through.objects.values_list("measure_id", "source_id"):
        sources.setdefault(mid, []).append(sid)
    categories: dict[int, set[int]] = {}
    for mid, cid in Measure.categories.through.objects.values_list("measure_id", "category_id"):
        categories.setdefault(mid, set()).update([cid, *children.get(cid, ())])
    return tuple(
        MeasureDef(m.id, m.code, m.name, m.unit, m.kind, tuple(sorted(sources.get(m.id, ()))),
                   tuple(sorted(categories.get(m.id, ()))), m.combine, m.primary_source_id, m.link_attribute,
                   m.link_metres, m.link_hours, m.reference_source_id, m.sensitive, m.definition)
        for m in Measure.objects.order_by("position", "code"))


def seed_measures(using: str = "default") -> int:
    """Create the standard measures that are missing and give them their sources; returns how many were made.

    Run after every ``migrate`` (records' post_migrate). Existing measures are not changed beyond getting a
    source when they have none (an administrator's edits stand).
    """
    from .models import Measure, Source

    made = 0
    for position, std in enumerate(STANDARD, start=1):
        measure, created = Measure.objects.using(using).get_or_create(code=std.code, defaults={
            "name": std.name, "unit": std.unit, "kind": std.kind, "definition": std.definition,
            "sensitive": std.sensitive, "position": position * 10})
        made += created
        kinds = [std.source_kind, std.reference_kind]
        for source in Source.objects.using(using).filter(kind__in=kinds).order_by("id"):
            _attach(measure, source, std)
    return made


def _attach(measure, source, std: Standard) -> None:
    if source.kind == std.source_kind and not measure.sources.exists():
        measure.sources.add(source)
    elif std.reference_kind and source.kind == std.reference_kind and measure.reference_source_id is None:
        measure.reference_source = source
        measure.save(update_fields=["reference_source"])


def attach_new_source(source) -> None:
    """A new source joins the standard measure of its kind when that measure has no source yet.

    A second source of the same kind is not added: the administrator decides whether it describes other
    incidents (fuentes disjuntas) or the same ones (a link rule), or makes a measure of its own.
    """
    from .models import Measure

    for std in STANDARD:
        if source.kind in (std.source_kind, std.reference_kind):
            measure = Measure.objects.filter(code=std.code).first()
            if measure is not None:
                _attach(measure, source, std)
