"""The demo's programmes, indicators and goals (issue #15): so no programme page is ever empty.

Written by :func:`observatorio.demo.load.load_scenario` in its transaction, after the demo users, seeded from the
scenario's seed (the same seed gives the same rows). Everything is illustrative:

- units: Dirección de Seguridad Humana, DIDECO, Corporación de Deportes;
- five programmes with their logical framework (fin, propósito, componentes, actividades; medios de verificación,
  supuestos), dates, budget and spending, target areas: Central 1461, Patrullaje preventivo (place-based),
  Plan de parentalidad positiva, Ciudadanía Deportiva, Construyendo a tiempo en comunidad;
- activities placed on the demo's own event points (so many fall where the problems are) or at random in the
  comuna's UVs; beneficiaries as keyed hashes of synthetic RUTs;
- 22 indicators over the four DIPRES dimensions and three scopes: computed ones read measures or the
  programme's own figures (the data state computes them on demand), entered ones have 24 monthly measurements
  entered by «analista» and approved by the unit's head («admin») through :mod:`observatorio.programmes.entry`
  (the one writer: history and audit trail); the last months of two of them are missing (late), some targets are
  not met, and the 1461's caller satisfaction shifts upward in its last 8 months (a special cause its XmR chart
  shows: :data:`SHIFTED`);
- a goal set for each of the two years, and a few subscriptions of the demo users.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

MONTHS = 24
SHIFTED = "satisfaccion-1461"  # the series with a real special-cause signal (last 8 months shifted upward)
SHIFT_MONTHS = 8
LATE = ("cobertura-parentalidad", "retencion-deportiva")  # their last months are missing
LATE_MONTHS = 2


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    programme: str | None  # programme code (None: institutional)
    unit: str
    dimension: str
    scope: str
    kind: str  # value | rate | proportion
    polarity: str
    unit_label: str
    factor: float = 1.0
    numerator: str = "ingresado"
    numerator_measure: str | None = None
    numerator_options: dict | None = None
    numerator_label: str = ""
    denominator: str = ""
    denominator_measure: str | None = None
    denominator_options: dict | None = None
    denominator_label: str = ""
    target: float | None = None
    # entered ones: how to draw a month (numerator mean, denominator mean or None)
    mean: float | None = None
    size: float | None = None


#: (the name the specs below use, the unit's code, its name)
UNITS = (("seguridad", "seguridad-humana", "Dirección de Seguridad Humana"),
         ("dideco", "desarrollo-comunitario", "Dirección de Desarrollo Comunitario (DIDECO)"),
         ("deportes", "corporacion-deportes", "Corporación Municipal de Deportes"))

PROGRAMMES = (
    dict(code="central-1461", name="Central 1461", unit="seguridad", kind="servicio", years=6, budget=420_000_000,
         spent=0.93, place_based=False, population="Vecinos y vecinas que llaman a la línea 1461", size=270_000,
         fin="Contribuir a la seguridad humana de los vecinos de la comuna.",
         proposito="Los vecinos obtienen una respuesta municipal oportuna a sus llamados de emergencia y seguridad.",
         componentes=(("Atención telefónica 24/7 de la línea 1461", "Registro de llamados de la central",
                       "La línea telefónica funciona sin cortes"),
                      ("Despacho de móviles a los llamados que lo requieren", "Bitácora de despacho y GPS",
                       "Hay móviles disponibles en cada turno")),
         actividades=("Turnos de operadores", "Capacitación de operadores en protocolo de atención")),
    dict(code="patrullaje-preventivo", name="Patrullaje preventivo", unit="seguridad", kind="servicio", years=3,
         budget=980_000_000, spent=0.88, place_based=True, population="Vecinos de los barrios priorizados",
         size=60_000, fin="Disminuir los delitos de oportunidad en la comuna.",
         proposito="Los barrios priorizados tienen presencia municipal preventiva en los horarios de mayor riesgo.",
         componentes=(("Rondas preventivas en puntos calientes", "Hojas de ruta y registro GPS de los móviles",
                       "Carabineros coordina su patrullaje con el municipal"),
                      ("Fiscalización y derivación", "Actas de fiscalización y derivaciones",
                       "Las unidades municipales responden a las derivaciones"),
                      ("Coordinación con juntas de vecinos", "Actas de reunión", "Las juntas participan")),
         actividades=("Ronda preventiva", "Punto fijo en horario de salida escolar", "Reunión con junta de vecinos")),
    dict(code="parentalidad-positiva", name="Plan de parentalidad positiva", unit="dideco", kind="plan", years=2,
         budget=85_000_000, spent=0.71, place_based=False, population="Familias con niños y niñas de 0 a 12 años",
         size=4_500, fin="Prevenir la violencia intrafamiliar y el maltrato infantil.",
         proposito="Madres, padres y cuidadores usan prácticas de crianza positiva.",
         componentes=(("Talleres de crianza respetuosa", "Listas de asistencia y evaluación pre/post",
                       "Las familias disponen de tiempo para asistir"),
                      ("Visitas domiciliarias de apoyo", "Fichas de visita", "Las familias aceptan la visita")),
         actividades=("Taller de crianza", "Visita domiciliaria")),
    dict(code="ciudadania-deportiva", name="Ciudadanía Deportiva", unit="deportes", kind="programa", years=2,
         budget=120_000_000, spent=0.95, place_based=False, population="Niños, niñas y jóvenes de 8 a 24 años",
         size=25_000, fin="Prevenir conductas de riesgo en niños, niñas y jóvenes.",
         proposito="Niños, niñas y jóvenes participan regularmente en actividades deportivas comunitarias.",
         componentes=(("Escuelas deportivas barriales", "Registro de asistencia", "Las canchas están disponibles"),
                      ("Campeonatos interbarriales", "Bases y planillas de los campeonatos",
                       "Los clubes deportivos colaboran")),
         actividades=("Entrenamiento de escuela deportiva", "Fecha de campeonato")),
    dict(code="construyendo-a-tiempo", name="Construyendo a tiempo en comunidad", unit="dideco", kind="proyecto",
         years=1, budget=60_000_000, spent=0.54, place_based=True,
         population="Vecinos de las unidades vecinales intervenidas", size=12_000,
         fin="Fortalecer la convivencia y la cohesión social en los barrios.",
         proposito="Las comunidades intervenidas recuperan espacios públicos y se organizan para cuidarlos.",
         componentes=(("Recuperación participativa de espacios públicos", "Actas de obra y fotografías",
                       "Los vecinos participan en el diseño"),
                      ("Mesas barriales de convivencia", "Actas de las mesas", "Las organizaciones se comprometen")),
         actividades=("Jornada de recuperación de plaza", "Mesa barrial")),
)

P = "higher_is_better"
N = "lower_is_better"

INDICATORS = (
    # --- Central 1461 --------------------------------------------------------------------------------------------
    Spec("llamados-1461-mes", "Llamados recibidos por la central 1461", "central-1461", "seguridad", "eficacia",
         "producto", "rate", "none", "llamados", numerator="medida", numerator_measure="llamados-1461",
         numerator_label="Llamados al 1461"),
    Spec("llegada-1461", "Mediana de minutos entre el llamado y la llegada del móvil", "central-1461", "seguridad",
         "calidad", "proceso", "value", N, "minutos", numerator="medida-mediana",
         numerator_measure="llamados-1461", numerator_options={"attribute": "minutos_llegada"},
         numerator_label="Mediana de minutos de llegada", target=12.0),
    Spec(SHIFTED, "Porcentaje de vecinos satisfechos con la atención de la central", "central-1461", "seguridad",
         "calidad", "resultado", "proportion", P, "%", factor=100, numerator_label="Encuestados satisfechos",
         denominator="ingresado", denominator_label="Encuestados", target=65.0, mean=0.70, size=220),
    Spec("costo-llamado-1461", "Costo por llamado atendido", "central-1461", "seguridad", "eficiencia", "producto",
         "value", N, "CLP", numerator_label="Gasto del mes (CLP)", denominator="medida",
         denominator_measure="llamados-1461", denominator_label="Llamados al 1461", target=45_000.0,
         mean=32_000_000),
    Spec("ejecucion-1461", "Porcentaje de ejecución presupuestaria de la central", "central-1461", "seguridad",
         "economia", "proceso", "value", P, "%", factor=100, numerator_label="Gasto del mes (CLP)",
         denominator="ingresado", denominator_label="Presupuesto del mes (CLP)", target=90.0, mean=0.92,
         size=35_000_000),
    # --- Patrullaje preventivo -----------------------------------------------------------------------------------
    Spec("patrullajes-mes", "Patrullajes preventivos realizados", "patrullaje-preventivo", "seguridad", "eficacia",
         "producto", "rate", P, "patrullajes", numerator="medida", numerator_measure="patrullajes",
         numerator_label="Patrullajes registrados", target=150.0),
    Spec("patrullajes-en-focos", "Porcentaje de patrullajes dentro de los puntos calientes vigentes",
         "patrullaje-preventivo", "seguridad", "eficacia", "proceso", "proportion", P, "%", factor=100,
         numerator="medida-en-focos", numerator_measure="patrullajes",
         numerator_options={"hotspot_measure": "casos-policiales"}, numerator_label="Patrullajes en focos",
         denominator="medida", denominator_measure="patrullajes", denominator_label="Patrullajes", target=30.0),
    Spec("rondas-en-focos", "Porcentaje de rondas del programa en puntos calientes", "patrullaje-preventivo",
         "seguridad", "eficacia", "proceso", "proportion", P, "%", factor=100, numerator="actividades-en-focos",
         numerator_label="Rondas en focos", denominator="actividades", denominator_label="Rondas", target=40.0),
    Spec("tasa-casos", "Casos policiales por 100.000 habitantes", None, "seguridad", "eficacia", "resultado", "rate",
         N, "por 100.000", factor=100_000, numerator="medida", numerator_measure="casos-policiales",
         numerator_label="Casos policiales", denominator="poblacion", denominator_label="Población"),
    Spec("horas-patrullaje", "Horas de patrullaje preventivo del programa", "patrullaje-preventivo", "seguridad",
         "eficacia", "producto", "value", P, "horas", numerator="horas", numerator_label="Horas de ronda",
         target=60.0),
    Spec("costo-hora-patrullaje", "Costo por hora de patrullaje", "patrullaje-preventivo", "seguridad",
         "eficiencia", "producto", "value", N, "CLP", numerator_label="Gasto del mes (CLP)", denominator="horas",
         denominator_label="Horas de ronda", target=1_200_000.0, mean=70_000_000),
    Spec("derivaciones-resueltas", "Porcentaje de derivaciones resueltas por la unidad receptora",
         "patrullaje-preventivo", "seguridad", "calidad", "resultado", "proportion", P, "%", factor=100,
         numerator_label="Derivaciones resueltas", denominator="ingresado", denominator_label="Derivaciones",
         target=80.0, mean=0.74, size=60),
    # --- Parentalidad positiva -----------------------------------------------------------------------------------
    Spec("cobertura-parentalidad", "Familias que completan el taller de crianza", "parentalidad-positiva", "dideco",
         "eficacia", "producto", "rate", P, "familias", numerator_label="Familias que completan", target=40.0,
         mean=38),
    Spec("beneficiarios-parentalidad", "Familias nuevas atendidas", "parentalidad-positiva", "dideco", "eficacia",
         "producto", "rate", P, "familias", numerator="beneficiarios", numerator_label="Beneficiarios nuevos",
         target=8.0),
    Spec("satisfaccion-talleres", "Porcentaje de asistentes que evalúan bien el taller", "parentalidad-positiva",
         "dideco", "calidad", "resultado", "proportion", P, "%", factor=100, numerator_label="Evaluaciones buenas",
         denominator="ingresado", denominator_label="Evaluaciones", target=85.0, mean=0.88, size=45),
    Spec("costo-familia", "Costo por familia atendida", "parentalidad-positiva", "dideco", "eficiencia",
         "producto", "value", N, "CLP", numerator_label="Gasto del mes (CLP)", denominator="ingresado",
         denominator_label="Familias atendidas", target=150_000.0, mean=5_900_000, size=38),
    Spec("tasa-vif", "Casos de violencia intrafamiliar por 100.000 habitantes", None, "dideco", "eficacia",
         "resultado", "rate", N, "por 100.000", factor=100_000, numerator="medida", numerator_measure="casos-vif",
         numerator_label="Casos VIF", denominator="poblacion", denominator_label="Población"),
    # --- Ciudadanía Deportiva ------------------------------------------------------------------------------------
    Spec("participantes-deporte", "Participantes en escuelas y campeonatos", "ciudadania-deportiva", "deportes",
         "eficacia", "producto", "rate", P, "participantes", numerator="participantes",
         numerator_label="Participantes", target=300.0),
    Spec("retencion-deportiva", "Porcentaje de inscritos que siguen asistiendo a los tres meses",
         "ciudadania-deportiva", "deportes", "eficacia", "resultado", "proportion", P, "%", factor=100,
         numerator_label="Siguen asistiendo", denominator="ingresado", denominator_label="Inscritos", target=75.0,
         mean=0.68, size=120),
    Spec("ejecucion-deportes", "Porcentaje de ejecución presupuestaria de Ciudadanía Deportiva",
         "ciudadania-deportiva", "deportes", "economia", "proceso", "value", P, "%", factor=100,
         numerator_label="Gasto del mes (CLP)", denominator="ingresado",
         denominator_label="Presupuesto del mes (CLP)", target=90.0, mean=0.94, size=10_000_000),
    # --- Construyendo a tiempo -----------------------------------------------------------------------------------
    Spec("actividades-construyendo", "Jornadas y mesas realizadas", "construyendo-a-tiempo", "dideco", "eficacia",
         "proceso", "rate", P, "actividades", numerator="actividades", numerator_label="Actividades",
         target=4.0),
    Spec("aporte-vecinal", "Porcentaje del costo de las obras aportado por la comunidad", "construyendo-a-tiempo",
         "dideco", "economia", "producto", "value", P, "%", factor=100, numerator_label="Aporte vecinal (CLP)",
         denominator="ingresado", denominator_label="Costo de las obras (CLP)", target=10.0, mean=0.08,
         size=5_000_000),
    Spec("demandas-vecinales", "Demandas vecinales recibidas", None, "dideco", "calidad", "proceso", "rate", "none",
         "demandas", numerator="medida", numerator_measure="demandas-vecinales",
         numerator_label="Demandas vecinales"),
)


def _months(as_of: dt.date, n: int = MONTHS) -> list:
    """The ``n`` calendar months ending with the last complete one before ``as_of`` (programmes.periods)."""
    from observatorio.programmes.periods import period_containing

    first_of_month = as_of.replace(day=1)
    out = []
    day = first_of_month - dt.timedelta(days=1)
    for _ in range(n):
        p = period_containing("mensual", day)
        out.append(p)
        day = p.start - dt.timedelta(days=1)
    return out[::-1]


def _points(scenario, rng, n: int, focused: float) -> tuple[np.ndarray, np.ndarray, list]:
    """``n`` points: a share ``focused`` drawn from the scenario's police events (where crime is), the rest from
    its places or anywhere an event was (uniform over the events' UVs)."""
    frame = scenario.events["cead-policial"]
    frame = frame[frame["lon"].notna() & frame["area_code"].map(lambda c: isinstance(c, str))]
    lon, lat, codes = frame["lon"].to_numpy(), frame["lat"].to_numpy(), frame["area_code"].to_numpy()
    k = int(round(n * focused))
    picked = list(rng.choice(len(frame), size=k, replace=True)) if len(frame) and k else []
    uv_codes, inverse = np.unique(codes.astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uv_codes) + 1))
    out_lon, out_lat, out_codes = [lon[i] for i in picked], [lat[i] for i in picked], [codes[i] for i in picked]
    for _ in range(n - k):  # a random UV, then one of its events' points: spread over the territory
        u = int(rng.integers(len(uv_codes)))
        code = uv_codes[u]
        j = int(order[bounds[u] + int(rng.integers(bounds[u + 1] - bounds[u]))])
        out_lon.append(lon[j] + rng.normal(0, 0.0008))
        out_lat.append(lat[j] + rng.normal(0, 0.0008))
        out_codes.append(code)
    return np.array(out_lon), np.array(out_lat), out_codes


def load_programmes(scenario, area_ids: dict[str, int]) -> dict:
    """Write the demo's units, programmes, activities, beneficiaries, indicators, targets, measurements, goals
    and subscriptions; returns counts. Nothing when the demo's units are already there (a second comuna)."""
    from django.contrib.auth import get_user_model

    from observatorio.programmes import entry
    from observatorio.programmes.models import (
        Activity,
        Beneficiary,
        Goal,
        Indicator,
        Level,
        Objective,
        Programme,
        Target,
        Unit,
    )
    from observatorio.records.identifiers import settings_key
    from observatorio.records.models import Measure
    from observatorio.tables.rut import rut_key

    from .events import synthetic_ruts

    if Unit.objects.filter(code=UNITS[0][1]).exists():
        return {}
    rng = np.random.default_rng(scenario.seed * 1_000 + 15)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=("admin", "analista", "autoridad"))}
    admin, analyst = users["admin"], users["analista"]
    units = {}
    for alias, code, name in UNITS:
        unit = Unit.objects.create(code=code, name=name)
        unit.head.add(admin)
        unit.members.add(analyst)
        units[alias] = unit
    as_of = scenario.as_of
    months = _months(as_of)
    uv_codes = [u.code for u in scenario.plan.uvs]
    key = settings_key()
    counts = {"programmes": 0, "activities": 0, "beneficiaries": 0, "indicators": 0, "measurements": 0}
    programmes = {}
    activities = []
    for spec in PROGRAMMES:
        start = dt.date(as_of.year - spec["years"], 3, 1)
        prog = Programme.objects.create(
            code=spec["code"], name=spec["name"], unit=units[spec["unit"]], kind=spec["kind"],
            description=spec["proposito"], start=start, end=None if spec["years"] > 1 else dt.date(as_of.year, 12, 31),
            budget=spec["budget"], spent=round(spec["budget"] * spec["spent"]),
            target_population=spec["population"], target_size=spec["size"], place_based=spec["place_based"])
        targets = [uv_codes[int(i)] for i in rng.choice(len(uv_codes), size=min(3, len(uv_codes)), replace=False)]
        prog.target_areas.set([area_ids[c] for c in targets])
        fin = Objective.objects.create(programme=prog, level=Level.GOAL, position=1, statement=spec["fin"],
                                       verification="Indicadores comunales del observatorio",
                                       assumptions="Las condiciones socioeconómicas de la comuna no empeoran")
        purpose = Objective.objects.create(programme=prog, level=Level.PURPOSE, parent=fin, position=2,
                                           statement=spec["proposito"], verification="Indicadores del programa",
                                           assumptions="La población objetivo participa")
        components = []
        for k, (statement, verification, assumption) in enumerate(spec["componentes"]):
            components.append(Objective.objects.create(programme=prog, level=Level.COMPONENT, parent=purpose,
                                                       position=3 + k, statement=statement,
                                                       verification=verification, assumptions=assumption))
        for k, statement in enumerate(spec["actividades"]):
            Objective.objects.create(programme=prog, level=Level.ACTIVITY, parent=components[k % len(components)],
                                     position=10 + k, statement=statement, verification="Registro de actividades",
                                     assumptions="Hay personal disponible")
        # Activities: two years, monthly; patrol rounds mostly where crime is, others at random.
        per_month = {"patrullaje-preventivo": 12, "central-1461": 1}.get(spec["code"], 4)
        focused = {"patrullaje-preventivo": 0.6, "construyendo-a-tiempo": 0.5}.get(spec["code"], 0.2)
        n = per_month * len(months)
        lon, lat, codes = _points(scenario, rng, n, focused)
        for i in range(n):
            period = months[i // per_month]
            day = period.start + dt.timedelta(days=int(rng.integers((period.end - period.start).days + 1)))
            if day < start:
                continue
            title = spec["actividades"][i % len(spec["actividades"])]
            point = i % 5 != 4  # one in five is recorded by area only
            activities.append(Activity(
                programme=prog, component=components[i % len(components)], title=title, date=day,
                hours=round(float(rng.uniform(2, 6)), 1), area_id=area_ids.get(codes[i]),
                lon=float(lon[i]) if point else None, lat=float(lat[i]) if point else None,
                participants=int(rng.poisson(25 if spec["code"] != "patrullaje-preventivo" else 2))))
        programmes[spec["code"]] = prog
        counts["programmes"] += 1
    Activity.objects.bulk_create(activities)
    counts["activities"] = len(activities)
    beneficiaries = []
    for code in ("parentalidad-positiva", "ciudadania-deportiva", "construyendo-a-tiempo"):
        prog = programmes[code]
        n = int(rng.integers(150, 400))
        ruts = synthetic_ruts(rng.choice(np.arange(6_000_000, 27_000_000), size=n, replace=False))
        for rut in ruts:
            period = months[int(rng.integers(len(months)))]
            day = max(period.start, prog.start)
            beneficiaries.append(Beneficiary(programme=prog, person_key=rut_key(rut, key), first_served=day,
                                             area_id=area_ids[uv_codes[int(rng.integers(len(uv_codes)))]]))
    Beneficiary.objects.bulk_create(beneficiaries)
    counts["beneficiaries"] = len(beneficiaries)

    measures = {m.code: m for m in Measure.objects.all()}
    indicators = {}
    for s in INDICATORS:
        ind = Indicator.objects.create(
            code=s.code, name=s.name, unit=units[s.unit], programme=programmes.get(s.programme),
            objective=(programmes[s.programme].objectives.filter(level=Level.PURPOSE).first()
                       if s.programme else None),
            dimension=s.dimension, scope=s.scope, kind=s.kind, polarity=s.polarity, unit_label=s.unit_label,
            factor=s.factor, numerator=s.numerator, numerator_measure=measures.get(s.numerator_measure),
            numerator_options={**(s.numerator_options or {}), **({"programme": s.programme} if s.programme
                                                                  and s.numerator in PROGRAMME_SIDES else {})},
            numerator_label=s.numerator_label, denominator=s.denominator,
            denominator_measure=measures.get(s.denominator_measure),
            denominator_options={**(s.denominator_options or {}), **({"programme": s.programme} if s.programme
                                                                      and s.denominator in PROGRAMME_SIDES else {})},
            denominator_label=s.denominator_label, periodicity="mensual",
            definition=f"{s.numerator_label}" + (f" / {s.denominator_label}" if s.denominator else "")
            + (f" × {s.factor:g}" if s.factor != 1 else ""),
            baseline=s.target, baseline_period=str(months[0].start.year - 1) if s.target is not None else "")
        indicators[s.code] = ind
        if s.target is not None:
            Target.objects.bulk_create([Target(indicator=ind, period_start=p.start, period_end=p.end, value=s.target)
                                        for p in months])
    counts["indicators"] = len(indicators)

    for s in INDICATORS:
        if s.mean is None:
            continue
        ind = indicators[s.code]
        months_here = months[:-LATE_MONTHS] if s.code in LATE else months
        for k, period in enumerate(months_here):
            num, den = _draw(s, rng, k, len(months))
            m = entry.enter(ind, period, None, num, den, user=analyst, note="Dato ilustrativo de la demostración")
            if k < len(months_here) - 1:  # the latest month waits for its approval
                entry.approve(m, user=admin)
            counts["measurements"] += 1

    year_now, year_before = months[-1].start.year, months[-1].start.year - 1
    goal_specs = (
        ("atencion-oportuna", "Atender oportunamente los llamados de la central 1461", "seguridad",
         ("llegada-1461", SHIFTED, "costo-llamado-1461"), 40),
        ("patrullaje-focalizado", "Focalizar el patrullaje preventivo en los puntos calientes", "seguridad",
         ("patrullajes-en-focos", "rondas-en-focos", "horas-patrullaje"), 35),
        ("familias-y-jovenes", "Ampliar la prevención con familias y jóvenes", "dideco",
         ("cobertura-parentalidad", "satisfaccion-talleres", "participantes-deporte", "retencion-deportiva"), 25),
    )
    for year in (year_before, year_now):
        for code, title, unit, codes, weight in goal_specs:
            goal = Goal.objects.create(year=year, code=code, title=title, unit=units[unit], weight=weight,
                                       description=f"Compromiso de gestión {year} (ilustrativo).")
            goal.indicators.set([indicators[c] for c in codes])

    from observatorio.programmes import alerts

    first_uv = area_ids[uv_codes[0]]
    from observatorio.territory.models import Area

    alerts.subscribe(analyst, indicator=indicators[SHIFTED])
    alerts.subscribe(analyst, indicator=indicators["patrullajes-en-focos"], by_email=False)
    alerts.subscribe(analyst, measure=measures["llamados-1461"], area=Area.objects.get(pk=first_uv))
    if "autoridad" in users:
        alerts.subscribe(users["autoridad"], measure=measures["casos-policiales"])
    counts["subscriptions"] = 4
    return counts


PROGRAMME_SIDES = {"actividades", "horas", "actividades-en-focos", "participantes", "beneficiarios", "gasto"}


def _draw(s: Spec, rng, k: int, n_months: int) -> tuple[float, float | None]:
    """One month of an entered indicator: proportions binomial (the shifted series +12 points in its last
    months), values around their mean (a ratio: ``mean`` of ``size``)."""
    if s.kind == "proportion":
        p = s.mean + (0.12 if s.code == SHIFTED and k >= n_months - SHIFT_MONTHS else 0.0)
        size = int(rng.poisson(s.size))
        return float(rng.binomial(size, min(p, 0.99))), float(size)
    if s.denominator == "ingresado":
        size = s.size * float(rng.uniform(0.95, 1.05))
        share = s.mean * float(rng.uniform(0.9, 1.1))
        return (round(share * size) if s.mean < 1 else round(s.mean * float(rng.uniform(0.85, 1.15)))), round(size)
    if s.kind == "rate":
        return float(rng.poisson(s.mean)), None
    return round(s.mean * float(rng.uniform(0.85, 1.15))), None
