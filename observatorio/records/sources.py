"""What each kind of source sends, as configuration: default column mapping and crosswalk.

DESIGN.md: a new source is configuration plus, at most, a small reader. For
each `SourceKind` this module lists, per event field, the column names the
source's exports usually use (matched ignoring case, accents, spaces and
underscores), the extra columns worth keeping as attributes, and the
default crosswalk of its labels onto the common category tree. A saved
`SourceMapping` overrides the defaults field by field; the crosswalk lives
in `CategoryLabel` and is seeded from here the first time a source is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from observatorio.taxonomy import CEAD_CROSSWALK_VERSION, CEAD_LABELS, MUNICIPAL_CATEGORIES

from .models import SourceKind
from .pipeline.fields import AGGREGATE, EVENT, SURVEY

DEFAULT_CROSSWALK_VERSION = "1"

_WHERE = {
    "lon": ["lon", "longitud", "long", "x", "coord x", "coordenada x", "este", "utm este"],
    "lat": ["lat", "latitud", "y", "coord y", "coordenada y", "norte", "utm norte"],
    "address": ["direccion", "domicilio", "direccion hecho", "lugar", "calle"],
    "address_number": ["numero", "nro", "numeracion"],
    "area_code": ["uv", "unidad vecinal", "codigo uv", "cod uv", "codigo area", "area"],
}
_WHEN = {
    "occurred_on": ["fecha", "fecha hecho", "fecha delito", "fecha ocurrencia", "fecha evento", "fecha llamado",
                    "fecha atencion", "fecha actividad", "fecha ingreso"],
    "occurred_time": ["hora", "hora hecho", "hora delito", "hora evento", "hora llamado"],
    # Events known only within a from–to window (a burglary found on return from holidays).
    "window_start_on": ["fecha desde", "desde", "desde fecha", "fecha inicio", "fecha inicial"],
    "window_start_time": ["hora desde", "desde hora", "hora inicio", "hora inicial"],
    "window_end_on": ["fecha hasta", "hasta", "hasta fecha", "fecha termino", "fecha final"],
    "window_end_time": ["hora hasta", "hasta hora", "hora termino", "hora final"],
}
_PEOPLE = {
    "victim_rut": ["rut victima", "run victima"],
    "victim_sex": ["sexo victima"],
    "victim_age": ["edad victima"],
    "victim_nationality": ["nacionalidad victima"],
    "offender_rut": ["rut imputado", "run imputado", "rut agresor"],
    "offender_sex": ["sexo imputado", "sexo agresor"],
    "offender_age": ["edad imputado", "edad agresor"],
    "offender_nationality": ["nacionalidad imputado", "nacionalidad agresor"],
}


@dataclass(frozen=True)
class SourceConfig:
    kind: str
    target: str
    columns: dict[str, list[str]]
    attributes: dict[str, list[str]] = field(default_factory=dict)
    crosswalk: dict[str, str] = field(default_factory=dict)
    crosswalk_version: str = DEFAULT_CROSSWALK_VERSION
    options: dict = field(default_factory=dict)
    rest_as_attributes: bool = False  # every column no field maps is kept as an attribute (surveys)


def _events(ids: list[str], labels: list[str], attributes=None, crosswalk=None, people=True,
            version=DEFAULT_CROSSWALK_VERSION, kind="") -> SourceConfig:
    columns = {"external_id": ids, **_WHEN, "label": labels, **_WHERE}
    if people:
        columns.update(_PEOPLE)
    return SourceConfig(kind, EVENT, columns, attributes or {}, crosswalk or {}, version)


_MUNICIPAL = {name: code for code, name in MUNICIPAL_CATEGORIES}
_CALL_TYPES = {
    **_MUNICIPAL,
    # What 1461 operators type, beyond the category names themselves.
    "Ruidos": "ruidos", "Bebedores en la vía pública": "alcohol-via-publica", "Vehículo sospechoso": "sospechoso",
    "Persona sospechosa": "sospechoso", "Luminaria apagada": "alumbrado", "Perros vagos": "perros",
    "Emergencia médica": "emergencia-medica", "Incendio": "incendio", "Solicitud de patrullaje": "solicitud-patrullaje",
    "Riña": "amenaza-rina", "Robo": "robo-violencia", "Hurto": "hurto", "Violencia intrafamiliar": "vif",
    "Daños": "danos", "Desórdenes": "desordenes", "Consumo de drogas": "consumo-via-publica",
    "Ruido molesto": "ruidos", "Fiesta ruidosa": "ruidos", "Consumo de alcohol": "alcohol-via-publica",
    "Perro suelto": "perros", "Luminaria": "alumbrado", "Microbasural": "microbasural",
    "Basura": "microbasural", "Conflicto entre vecinos": "conflicto-vecinal", "Amenazas": "amenazas",
    "Robo en domicilio": "robo-lugar-habitado", "Robo de vehículo": "robo-vehiculo",
    "Robo desde vehículo": "robo-desde-vehiculo", "Auto abandonado": "vehiculo-abandonado",
    "Patrullaje preventivo": "solicitud-patrullaje", "Otros": "otros-servicios",
}
# What police and prosecutors write besides CEAD's own (plural) category names.
_CRIME_LABELS = {
    **CEAD_LABELS,
    "Homicidio": "homicidio", "Femicidio": "femicidio", "Lesiones": "lesiones-leves", "Amenaza": "amenazas",
    "Amenazas simples": "amenazas", "Violación": "violacion", "Abuso sexual": "abuso-sexual",
    "Robo con violencia": "robo-violencia", "Robo con intimidación": "robo-violencia",
    "Robo con violencia o intimidación": "robo-violencia", "Robo en lugar habitado": "robo-lugar-habitado",
    "Robo de vehículo": "robo-vehiculo", "Robo de accesorios de vehículo": "robo-desde-vehiculo",
    "Hurto": "hurto", "Hurto simple": "hurto", "Hurto falta": "hurto", "Daño": "danos", "Daños simples": "danos",
    "Desórdenes": "desordenes", "Receptación de especies": "receptacion", "Tráfico de drogas": "drogas",
    "Microtráfico": "drogas", "Porte de arma blanca": "arma-cortante", "Violencia intrafamiliar": "vif",
}

CONFIGS: dict[str, SourceConfig] = {
    SourceKind.CRIME_REPORT: _events(["ruc", "folio", "id", "nro denuncia", "numero denuncia"],
                                     ["delito", "glosa delito", "tipo delito", "categoria", "materia"],
                                     crosswalk=_CRIME_LABELS, version=CEAD_CROSSWALK_VERSION,
                                     kind=SourceKind.CRIME_REPORT),
    SourceKind.POLICE_EVENT: _events(["id evento", "folio", "id", "nro parte", "parte"],
                                     ["delito", "tipo evento", "categoria", "glosa"],
                                     attributes={"cuadrante": ["cuadrante"], "unidad": ["unidad", "comisaria"]},
                                     crosswalk=_CRIME_LABELS, version=CEAD_CROSSWALK_VERSION,
                                     kind=SourceKind.POLICE_EVENT),
    SourceKind.CALL_1461: _events(["id llamado", "folio", "id", "numero llamado"],
                                  ["tipo", "tipo llamado", "motivo", "categoria", "clasificacion"],
                                  attributes={"hora_despacho": ["hora despacho"], "hora_llegada": ["hora llegada"],
                                              "tiempo_respuesta_min": ["tiempo respuesta", "tiempo respuesta min"],
                                              "resultado": ["resultado", "cierre"], "canal": ["canal"]},
                                  crosswalk=_CALL_TYPES, people=False, kind=SourceKind.CALL_1461),
    SourceKind.PATROL: _events(["id", "folio", "nro procedimiento"], ["tipo", "procedimiento", "motivo", "categoria"],
                               attributes={"movil": ["movil", "vehiculo"], "turno": ["turno"],
                                           "resultado": ["resultado"]},
                               crosswalk=_CALL_TYPES, people=False, kind=SourceKind.PATROL),
    SourceKind.VIF: _events(["id caso", "folio", "id", "ruc"], ["tipo violencia", "tipo", "delito", "categoria"],
                            attributes={"relacion": ["relacion", "parentesco", "vinculo"],
                                        "derivacion": ["derivacion", "derivado a"]},
                            crosswalk={"Violencia intrafamiliar": "vif", "VIF": "vif", "Amenazas": "amenazas",
                                       "Lesiones leves": "lesiones-leves", "Lesiones menos graves":
                                           "lesiones-menos-graves", "Femicidio": "femicidio",
                                       "Violencia física": "vif", "Violencia psicológica": "vif",
                                       "Violencia económica": "vif", "Maltrato habitual": "vif",
                                       "Amenaza": "amenazas", "Lesiones": "lesiones-leves"},
                            kind=SourceKind.VIF),
    SourceKind.DEMAND: _events(["id", "folio", "nro solicitud"], ["tipo", "tipo demanda", "motivo", "categoria"],
                               attributes={"canal": ["canal"], "estado": ["estado"]},
                               crosswalk=_CALL_TYPES, people=False, kind=SourceKind.DEMAND),
    SourceKind.PROGRAM: _events(["id", "folio", "id actividad"], ["actividad", "tipo actividad", "tipo", "categoria"],
                                attributes={"programa": ["programa", "proyecto"],
                                            "participantes": ["participantes", "asistentes", "beneficiarios"]},
                                people=False, kind=SourceKind.PROGRAM),
    # Perception surveys: one SurveyResponse per respondent, with its expansion factor; every other
    # question is kept in attributes.
    SourceKind.SURVEY: SourceConfig(
        SourceKind.SURVEY, SURVEY,
        {"external_id": ["id encuestado", "folio", "id", "id encuesta", "numero encuesta", "n encuesta"],
         "survey": ["encuesta", "nombre encuesta", "estudio"],
         "answered_on": ["fecha", "fecha entrevista", "fecha encuesta", "fecha aplicacion", "fecha respuesta"],
         "area_code": _WHERE["area_code"], "lon": _WHERE["lon"], "lat": _WHERE["lat"],
         "weight": ["factor", "factor expansion", "fexp", "ponderador", "peso"],
         "feels_unsafe": ["se siente inseguro", "inseguridad", "percepcion inseguridad", "sensacion seguridad",
                          "seguridad barrio", "percepcion"],
         "victimized": ["victimizacion", "victima", "fue victima", "victima 12 meses"]},
        rest_as_attributes=True),
    SourceKind.CEAD: SourceConfig(
        SourceKind.CEAD, AGGREGATE,
        {"area_code": ["cut comuna", "cut", "codigo comuna", "cod comuna"], "area_name": ["comuna", "nombre comuna"],
         "period_start": ["fecha", "periodo", "mes"], "label": ["delito", "categoria", "glosa"],
         "count": ["delito n", "casos", "frecuencia", "n", "total"]},
        crosswalk=CEAD_LABELS, crosswalk_version=CEAD_CROSSWALK_VERSION,
        options={"count_dot_is_thousands": True}),
}


def config_for(kind: str) -> SourceConfig:
    try:
        return CONFIGS[kind]
    except KeyError:
        raise ValueError(f"no configuration for source kind {kind!r}; kinds are: {', '.join(CONFIGS)}") from None
