"""The fields a file's columns can be mapped onto, per target table, with their types.

A source's mapping names, for each field, the file column that holds it
(`sources.py` has the defaults, `SourceMapping` the saved ones). The type
decides which parser validates the column (`validate.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT, AGGREGATE, SURVEY = "event", "aggregate", "survey"
TARGETS = (EVENT, AGGREGATE, SURVEY)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text, date, time, coordinate, label, area, rut, sex, age, count, weight, answer, yes_no
    help: str
    required: bool = False
    max_length: int | None = None
    # A required field may be replaced by another one: an event known only within a window has no
    # single date column, its date is the window's start.
    unless: str = ""


EVENT_FIELDS = (
    Field("external_id", "text", "identificador del registro en la fuente (folio, RUC, id de llamado)", max_length=100),
    Field("occurred_on", "date", "fecha del hecho", required=True, unless="window_start_on"),
    Field("occurred_time", "time", "hora del hecho"),
    Field("window_start_on", "date", "fecha desde (hecho conocido solo dentro de un intervalo)"),
    Field("window_start_time", "time", "hora desde (vacía: 00:00)"),
    Field("window_end_on", "date", "fecha hasta (vacía: la fecha desde)"),
    Field("window_end_time", "time", "hora hasta (vacía: fin del día)"),
    Field("label", "label", "tipo o categoría en la fuente (se homologa con la tabla de equivalencias)", required=True,
          max_length=200),
    Field("lon", "coordinate", "longitud o coordenada este (UTM 19S)"),
    Field("lat", "coordinate", "latitud o coordenada norte (UTM 19S)"),
    Field("address", "text", "dirección (calle y número)", max_length=300),
    Field("address_number", "text", "número de la dirección, si viene aparte", max_length=20),
    Field("area_code", "area", "código del área (UV, macrosector o comuna) cuando no hay punto ni dirección"),
    Field("victim_rut", "rut", "RUT de la víctima (se guarda solo su hash)"),
    Field("victim_sex", "sex", "sexo de la víctima"),
    Field("victim_age", "age", "edad de la víctima (años)"),
    Field("victim_nationality", "text", "nacionalidad de la víctima", max_length=40),
    Field("offender_rut", "rut", "RUT del imputado (se guarda solo su hash)"),
    Field("offender_sex", "sex", "sexo del imputado"),
    Field("offender_age", "age", "edad del imputado (años)"),
    Field("offender_nationality", "text", "nacionalidad del imputado", max_length=40),
)

AGGREGATE_FIELDS = (
    Field("area_code", "text", "código del área (CUT comunal)", required=True, max_length=40),
    Field("area_name", "text", "nombre del área"),
    Field("period_start", "date", "inicio del período (primer día del mes)", required=True),
    Field("label", "label", "categoría en la fuente", required=True, max_length=200),
    Field("count", "count", "número de casos", required=True),
)

SURVEY_FIELDS = (
    Field("external_id", "text", "identificador del encuestado (folio)", max_length=100),
    Field("survey", "text", "nombre de la encuesta (si no viene en el archivo: la opción survey o el nombre del archivo)",
          max_length=100),
    Field("answered_on", "date", "fecha de la entrevista", required=True),
    Field("area_code", "area", "código del área del encuestado (UV, macrosector o comuna)"),
    Field("lon", "coordinate", "longitud o coordenada este del encuestado (solo para asignar el área)"),
    Field("lat", "coordinate", "latitud o coordenada norte del encuestado (solo para asignar el área)"),
    Field("weight", "weight", "factor de expansión (ponderador), mayor que 0"),
    Field("feels_unsafe", "answer", "se siente inseguro/a (sí/no o escala muy inseguro … muy seguro)", required=True),
    Field("victimized", "yes_no", "fue víctima de un delito en los últimos 12 meses (sí/no)"),
)

FIELDS = {EVENT: {f.name: f for f in EVENT_FIELDS}, AGGREGATE: {f.name: f for f in AGGREGATE_FIELDS},
          SURVEY: {f.name: f for f in SURVEY_FIELDS}}

# Extra columns kept on the event as attributes are mapped as "attr:<name>".
ATTRIBUTE_PREFIX = "attr:"


def fields_for(target: str) -> dict[str, Field]:
    if target not in FIELDS:
        raise ValueError(f"unknown target {target!r}; targets are: {', '.join(TARGETS)}")
    return FIELDS[target]
