"""Ready-made indicators over the standard measures (records/measures.py STANDARD), across DIPRES's dimensions.

:func:`install` gives a unit copies it can then adjust (targets, filters); the definitions are in Spanish, the
language of the methods annex. Codes are stable: installing twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from observatorio.errors import N_, UserError


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    dimension: str
    scope: str
    definition: str
    numerator: str
    unit_label: str
    polarity: str
    kind: str = "value"
    numerator_measure: str = ""
    numerator_options: dict = field(default_factory=dict)
    numerator_label: str = ""
    denominator: str = ""
    denominator_measure: str = ""
    denominator_options: dict = field(default_factory=dict)
    denominator_label: str = ""
    factor: float = 1.0
    periodicity: str = "mensual"


LIBRARY: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("tasa-casos-policiales", "Tasa de casos policiales por 100.000 habitantes", "eficacia", "resultado",
                  "Casos policiales (CEAD) del período por cada 100.000 habitantes de la comuna o del área.",
                  "medida", "por 100.000", "lower_is_better", "rate", "casos-policiales",
                  denominator="poblacion", factor=100000),
    IndicatorSpec("tasa-robos-violentos", "Tasa de robos violentos por 100.000 habitantes", "eficacia", "resultado",
                  "Casos policiales de la familia de robos violentos por cada 100.000 habitantes.",
                  "medida", "por 100.000", "lower_is_better", "rate", "casos-policiales",
                  {"categories": ["familia-robos-violentos"]}, "Robos violentos", denominator="poblacion",
                  factor=100000),
    IndicatorSpec("llamados-1461", "Llamados recibidos por la central 1461", "calidad", "proceso",
                  "Llamados recibidos por la central municipal 1461 en el período (demanda del servicio).",
                  "medida", "llamados", "none", "rate", "llamados-1461"),
    IndicatorSpec("mediana-llegada-1461", "Mediana de minutos desde el llamado 1461 a la llegada", "calidad",
                  "proceso", "Mediana de los minutos entre el llamado al 1461 y la llegada del móvil al lugar "
                  "(atributo «minutos_llegada» de cada llamado).", "medida-mediana", "minutos", "lower_is_better",
                  "value", "llamados-1461", {"attribute": "minutos_llegada"}, "Mediana de minutos a la llegada"),
    IndicatorSpec("llamados-1461-nocturnos", "Porcentaje de llamados 1461 nocturnos (20:00–05:59)", "calidad",
                  "proceso", "Llamados al 1461 entre las 20:00 y las 05:59 sobre el total de llamados.",
                  "medida", "%", "none", "proportion", "llamados-1461", {"hours": [20, 6]}, "Llamados nocturnos",
                  "medida", "llamados-1461", {}, "Llamados", 100),
    IndicatorSpec("patrullajes", "Procedimientos de patrullaje preventivo", "eficacia", "producto",
                  "Procedimientos del patrullaje preventivo municipal en el período.", "medida", "procedimientos",
                  "higher_is_better", "rate", "patrullajes"),
    IndicatorSpec("patrullajes-en-focos", "Porcentaje de patrullajes en focos vigentes", "eficacia", "proceso",
                  "Procedimientos de patrullaje dentro de los puntos calientes vigentes de casos policiales (Gi* "
                  "de los 365 días anteriores al período) sobre el total de procedimientos.",
                  "medida-en-focos", "%", "higher_is_better", "proportion", "patrullajes",
                  {"hotspot_measure": "casos-policiales"}, "Patrullajes en focos", "medida", "patrullajes", {},
                  "Patrullajes", 100),
    IndicatorSpec("casos-en-focos", "Porcentaje de casos policiales en focos vigentes", "eficacia", "resultado",
                  "Casos policiales del período dentro de los puntos calientes vigentes (Gi* de los 365 días "
                  "anteriores) sobre el total de casos.", "medida-en-focos", "%", "lower_is_better", "proportion",
                  "casos-policiales", {}, "Casos en focos", "medida", "casos-policiales", {}, "Casos policiales",
                  100),
    IndicatorSpec("revictimizacion-vif", "Tasa de revictimización en VIF", "eficacia", "resultado",
                  "Casos de violencia intrafamiliar de personas con más de un caso en el período (clave cifrada del "
                  "RUT) sobre el total de casos.", "repeticion", "%", "lower_is_better", "proportion", "casos-vif",
                  {}, "Casos de víctimas reiteradas", "medida", "casos-vif", {}, "Casos VIF", 100,
                  periodicity="trimestral"),
    IndicatorSpec("casos-vif", "Casos de violencia intrafamiliar atendidos", "eficacia", "producto",
                  "Casos atendidos por el programa municipal de violencia intrafamiliar.", "medida", "casos",
                  "none", "rate", "casos-vif"),
    IndicatorSpec("demandas-vecinales-respondidas", "Porcentaje de demandas vecinales respondidas en plazo",
                  "calidad", "producto", "Demandas vecinales respondidas dentro del plazo comprometido sobre las "
                  "demandas recibidas (la unidad ingresa las respondidas).", "ingresado", "%", "higher_is_better",
                  "proportion", numerator_label="Demandas respondidas en plazo", denominator="medida",
                  denominator_measure="demandas-vecinales", denominator_label="Demandas recibidas", factor=100),
    IndicatorSpec("percepcion-inseguridad", "Percepción de inseguridad en el barrio", "eficacia", "resultado",
                  "Porcentaje ponderado de encuestados que se sienten inseguros en su barrio (encuesta de "
                  "victimización; la unidad ingresa el resultado publicado).", "ingresado", "%", "lower_is_better",
                  "value", numerator_label="Encuestados inseguros (%)", periodicity="anual"),
    IndicatorSpec("ejecucion-presupuestaria", "Ejecución presupuestaria", "economia", "proceso",
                  "Gasto ejecutado sobre el presupuesto vigente de la unidad.", "ingresado", "%",
                  "higher_is_better", "value", numerator_label="Gasto ejecutado (CLP)", denominator="ingresado",
                  denominator_label="Presupuesto vigente (CLP)", factor=100, periodicity="trimestral"),
    IndicatorSpec("costo-por-patrullaje", "Costo por procedimiento de patrullaje", "eficiencia", "producto",
                  "Gasto del servicio de patrullaje preventivo (ingresado por la unidad) por procedimiento realizado.",
                  "ingresado", "CLP", "lower_is_better", "value", numerator_label="Gasto del servicio (CLP)",
                  denominator="medida", denominator_measure="patrullajes", denominator_label="Procedimientos",
                  periodicity="trimestral"),
)


def spec(code: str) -> IndicatorSpec:
    found = next((s for s in LIBRARY if s.code == code), None)
    if found is None:
        raise UserError(N_("el indicador %(code)s no está en la biblioteca; hay: %(known)s"), code=repr(code),
                        known=", ".join(s.code for s in LIBRARY))
    return found


def install(unit, *, codes=None) -> list:
    """The library's indicators (or those of ``codes``) for ``unit``; existing codes are left as they are."""
    from observatorio.records.models import Measure

    from .models import Indicator

    chosen = [spec(c) for c in codes] if codes is not None else list(LIBRARY)
    out = []
    for s in chosen:
        found = Indicator.objects.filter(code=s.code).first()
        if found is not None:
            out.append(found)
            continue
        measures = {}
        for side in ("numerator", "denominator"):
            code = getattr(s, f"{side}_measure")
            if code:
                measures[f"{side}_measure"] = Measure.objects.filter(code=code).first()
                if measures[f"{side}_measure"] is None:
                    raise UserError(N_("el indicador %(indicator)s cuenta la medida %(code)s, que no existe: cree "
                                       "primero las medidas estándar"), indicator=s.code, code=repr(code))
        out.append(Indicator.objects.create(
            code=s.code, name=s.name, unit=unit, dimension=s.dimension, scope=s.scope, definition=s.definition,
            kind=s.kind, numerator=s.numerator, numerator_options=s.numerator_options,
            numerator_label=s.numerator_label, denominator=s.denominator, denominator_options=s.denominator_options,
            denominator_label=s.denominator_label, factor=s.factor, unit_label=s.unit_label, polarity=s.polarity,
            periodicity=s.periodicity, **measures))
    return out
