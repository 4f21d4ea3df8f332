"""Write a demo scenario to the database: one transaction, so a failure leaves nothing."""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from observatorio.errors import UserError

from .events import SOURCES
from .scenario import Scenario, build_scenario

BATCH_SIZE = 5_000
DEMO_SOURCE = "Demostración (ilustrativa)"
DEMO_USERS = (("admin", "admin"), ("analista", "analyst"), ("operador", "operator"), ("autoridad", "authority"))
CREDENTIALS_FILE = "demo_credentials.txt"
CROSSWALK_VERSION = "demo-1"
ADDRESS_SOURCE = "Direcciones INE (nomenclátor real, parcial)"


@dataclass
class LoadResult:
    scenario: Scenario
    counts: dict
    password: str
    credentials_path: object


def has_areas() -> bool:
    from observatorio.territory.models import Area

    return Area.objects.exists()


def _areas(scenario: Scenario) -> dict[str, int]:
    from observatorio.territory.comunas import setup_comuna
    from observatorio.territory.geometry import geodesic_km2
    from observatorio.territory.models import Area, Boundary, Demography

    comuna = setup_comuna(scenario.plan.cut)
    if Area.objects.filter(parent=comuna).exists():
        raise UserError(f"comuna {comuna.code} already has areas below it; run the demo on an empty database "
                        f"(e.g. a new OBS_DATA_DIR) or use --if-empty")
    ids = {comuna.code: comuna.id}
    for drawn in scenario.plan.macrosectors + scenario.plan.uvs:
        source = drawn.source or DEMO_SOURCE
        area = Area.objects.create(code=drawn.code, name=drawn.name, level=drawn.level, parent_id=ids[drawn.parent_code],
                                   illustrative=drawn.illustrative, source=source)
        boundary = Boundary(area=area, source=source)
        boundary.set_shape(drawn.geometry, geodesic_km2(drawn.geometry))
        boundary.save()
        ids[drawn.code] = area.id
    Demography.objects.bulk_create([
        Demography(area_id=ids[r.code], year=int(r.year), population=int(r.population), households=int(r.households),
                   women=int(r.women), children_youth=int(r.children_youth), migrants=int(r.migrants),
                   indigenous=int(r.indigenous), poverty_pct=float(r.poverty_pct),
                   source="Ilustrativa: totales publicados, reparto por UV inventado")
        for r in scenario.demography.itertuples(index=False)
    ])
    return ids


def _sources(scenario: Scenario) -> tuple[dict, dict]:
    from observatorio.records.models import CategoryLabel, ImportBatch, Source
    from observatorio.records.pipeline.crosswalk import seed_default_crosswalk
    from observatorio.records.sources import config_for
    from observatorio.records.taxonomy import seed_cead_crosswalk, seed_taxonomy

    seed_taxonomy()
    sources, batches = {}, {}
    for spec in SOURCES:
        source, _ = Source.objects.get_or_create(code=spec.code, defaults={
            "name": spec.name, "kind": spec.kind, "owner_unit": spec.owner_unit, "description": spec.description})
        sources[spec.code] = source
        batches[spec.code] = ImportBatch.objects.create(
            source=source, file_name=f"demo {scenario.plan.cut} semilla {scenario.seed}",
            notes=f"Datos ilustrativos generados por «observatorio demo» al {scenario.as_of.isoformat()}.")
    for code in ("cead-policial", "cead"):
        seed_cead_crosswalk(sources[code])
    from observatorio.records.models import Category

    by_code = {c.code: c for c in Category.objects.all()}
    for code in ("denuncias", "1461", "patrullaje", "vif"):
        frame = scenario.events[code]
        pairs = frame[["label", "category"]].drop_duplicates()
        for label, category in pairs.itertuples(index=False):
            CategoryLabel.objects.get_or_create(source=sources[code], label=label, version=CROSSWALK_VERSION,
                                                defaults={"category": by_code[category]})
    # Every demo source also gets its kind's label table (what a real export of it says: "Ruidos", "Riña",
    # "VIF"…), so that an operator's realistic file imports without mapping a label first.
    for spec in SOURCES:
        seed_default_crosswalk(sources[spec.code], config_for(spec.kind), complete=True)
    return sources, batches


def _events(frame, source, batch, area_ids, category_ids, progress) -> int:
    """The scenario's events of one source through the pipeline's bulk writer (`write.insert_events`)."""
    import pandas as pd

    from observatorio.records.pipeline.write import insert_events, json_objects

    n = len(frame)
    attributes = {c[5:]: frame[c] for c in frame.columns if c.startswith("attr_")}
    attributes["patron_ilustrativo"] = frame["planted"]
    codes = frame["area_code"].where(frame["area_code"].map(lambda c: isinstance(c, str)), None)
    unknown = set(codes.dropna()) - set(area_ids)
    if unknown:
        raise KeyError(f"areas not in the scenario: {sorted(unknown)[:5]}")
    area = pd.Series(codes.map(area_ids), dtype="float64").fillna(-1).to_numpy(np.int64)
    columns = {
        "source_id": source.id, "batch_id": batch.id, "external_id": frame["external_id"],
        "category_id": frame["category"].map(category_ids).to_numpy(np.int64), "original_label": frame["label"],
        "occurred_on": frame["occurred_on"].to_numpy("datetime64[D]"),
        "occurred_time": frame["hour"].to_numpy(np.int64) * 3600 + frame["minute"].to_numpy(np.int64) * 60,
        "lon": frame["lon"], "lat": frame["lat"], "precision": frame["precision"], "area_id": area,
        "outside": frame["outside"], "original": json_objects({"etiqueta": frame["label"]}, n),
        "attributes": json_objects(attributes, n, omit_empty=["patron_ilustrativo"]),
    }
    for c in ("victim_sex", "victim_age_group", "victim_nationality", "victim_key", "offender_sex",
              "offender_age_group", "offender_nationality", "offender_key"):
        if c in frame.columns:
            columns[c] = frame[c]
    done = {"rows": 0}

    def advance(stage, rows, total):
        progress.update(rows - done["rows"])
        done["rows"] = rows

    insert_events(columns, advance)
    return n


@transaction.atomic
def load_scenario(scenario: Scenario, *, show_progress: bool = True, comparison: bool = False,
                  shared=None) -> LoadResult:
    """Write areas, demography, sources, places, events, CEAD counts, survey and demo users; with
    ``comparison`` also the other comunas' CEAD counts and INE's projections, from ``shared``
    (``reference.shared_folder``) or else the bundled tables (``observatorio demo`` does; the tests' demo
    does not, a few seconds less per module)."""
    from tqdm import tqdm

    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user
    from observatorio.env import data_dir
    from observatorio.records.models import AggregateCount, Category, Place, SurveyResponse

    area_ids = _areas(scenario)
    sources, batches = _sources(scenario)
    category_ids = dict(Category.objects.values_list("code", "id"))
    Place.objects.bulk_create([
        Place(kind=r.kind, name=r.name, lon=float(r.lon), lat=float(r.lat), area_id=area_ids.get(r.area_code) if isinstance(r.area_code, str) else None,
              prioritized=bool(r.prioritized), attributes=r.attributes)
        for r in scenario.places.itertuples(index=False)
    ])
    counts = {"areas": len(area_ids), "places": len(scenario.places), "addresses": _addresses(scenario, area_ids)}
    events = gettext("eventos")  # in the language of the command (translation.override)
    with tqdm(total=scenario.n_events, file=sys.stderr, unit=f" {events}", desc=events,
              disable=not show_progress, mininterval=0.5) as progress:
        for code, frame in scenario.events.items():
            n = _events(frame, sources[code], batches[code], area_ids, category_ids, progress)
            counts[code] = n
            batches[code].rows_read = batches[code].rows_imported = n
            batches[code].save(update_fields=["rows_read", "rows_imported"])
    monthly = scenario.cead_monthly
    comuna_code = scenario.plan.cut
    AggregateCount.objects.bulk_create([
        AggregateCount(source=sources["cead"], batch=batches["cead"], area_id=area_ids[comuna_code],
                       area_code=comuna_code, period_start=dt.date(int(r.year), int(r.month), 1),
                       category_id=category_ids[r.category], original_label=r.label, count=int(r.count))
        for r in monthly.itertuples(index=False)
    ], batch_size=BATCH_SIZE)
    batches["cead"].rows_read = batches["cead"].rows_imported = counts["cead"] = len(monthly)
    batches["cead"].save(update_fields=["rows_read", "rows_imported"])
    counts["cead_others"], counts["projections"] = \
        _comparison_data(scenario, shared, show_progress) if comparison else (0, 0)
    survey_source = _survey_source()
    SurveyResponse.objects.bulk_create([
        SurveyResponse(source=survey_source, survey=r.survey, answered_on=r.answered_on.date(),
                       area_id=area_ids[r.area_code], weight=float(r.weight), feels_unsafe=bool(r.feels_unsafe),
                       victimized=bool(r.victimized),
                       attributes={"sexo": r.sex, "edad": r.age_group, "confianza_carabineros": int(r.trust_police)})
        for r in scenario.survey.itertuples(index=False)
    ], batch_size=BATCH_SIZE)
    counts["survey"] = len(scenario.survey)

    from django.contrib.auth import get_user_model

    from observatorio.records import snapshot

    snapshot.bump()
    password = secrets.token_urlsafe(12)
    existing = set(get_user_model().objects.filter(username__in=[u for u, _ in DEMO_USERS])
                   .values_list("username", flat=True))
    # A second comuna loaded into the same database keeps the first demo's users and password.
    created = [(u, r) for u, r in DEMO_USERS if u not in existing]
    for username, role in created:
        scope = [sources["1461"]] if role == "operator" else []
        create_user(username, password, Role(role), sources=scope)
    from .programmes import load_programmes

    counts.update(load_programmes(scenario, area_ids))
    if not created:
        path = data_dir() / CREDENTIALS_FILE
        counts["users"] = 0
        return LoadResult(scenario, counts, None, path)
    path = data_dir() / CREDENTIALS_FILE
    lines = ["Usuarios de demostración del Observatorio (contraseña común, cámbiela en producción)",
             f"contraseña: {password}", ""]
    lines += [f"{username}\t{role}" for username, role in DEMO_USERS]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    counts["users"] = len(DEMO_USERS)
    return LoadResult(scenario, counts, password, path)


def _addresses(scenario: Scenario, area_ids: dict) -> int:
    """The real address gazetteer of ``--geography`` (none without it)."""
    from observatorio.records.models import AddressPoint
    from observatorio.records.pipeline.geocode import normalise_street, street_core

    frame = scenario.addresses
    if frame is None:
        return 0
    AddressPoint.objects.bulk_create([
        AddressPoint(street=r.street[:200], street_normalised=normalise_street(r.street)[:200],
                     street_core=street_core(normalise_street(r.street))[:200], number=int(r.number),
                     lon=float(r.lon), lat=float(r.lat), source=ADDRESS_SOURCE,
                     area_id=area_ids.get(r.area_code) if isinstance(r.area_code, str) else None)
        for r in frame.itertuples(index=False)
    ], batch_size=BATCH_SIZE)
    return len(frame)


def _comparison_data(scenario: Scenario, shared, show_progress: bool) -> tuple[int, int]:
    """The other comunas' CEAD counts in the demo's full years and INE's projections, through the importers
    of a real file (``run_import`` with the ``cead`` source, ``load_population``), so that the comuna compares
    with its region, the country and its peers (dashboard/peers.py). Returns the rows of each."""
    import tempfile
    from pathlib import Path

    from tqdm import tqdm

    from observatorio.records.pipeline import run_import
    from observatorio.records.pipeline.population import load_population

    from .reference import CEAD_FILE, PROJECTIONS_FILE, other_counts, projections

    years = scenario.full_years
    origin = "" if shared is not None else " (totales anuales repartidos por mes)"
    label = gettext("CEAD de las otras comunas")
    imported = 0
    with tempfile.TemporaryDirectory() as folder:
        # One file (one batch) a year keeps the import's peak memory to a year's rows (~80,000).
        for year in years:
            frame = other_counts(scenario.plan.cut, [year], shared)
            with tqdm(total=len(frame), file=sys.stderr, desc=f"{label} {year}", unit=" filas",
                      disable=not show_progress, mininterval=0.5) as bar:
                path = Path(folder) / f"cead_otras_comunas_{year}.parquet"
                frame.to_parquet(path, index=False)

                def progress(stage, done, total, bar=bar):
                    if stage == "write":
                        bar.n = min(done, bar.total)
                        bar.refresh()

                result = run_import(path, "cead", commit=True, as_of=scenario.as_of, progress=progress,
                                    file_name=f"{CEAD_FILE.name}, otras comunas {year}{origin}")
                imported += result.imported
                path.unlink()
        if shared is not None:
            population = load_population(shared / PROJECTIONS_FILE, commit=True)
        else:
            table = Path(folder) / "proyecciones_ine.csv"
            projections(None).to_csv(table, index=False)
            population = load_population(table, commit=True)
    return imported, population.rows


def _survey_source():
    from observatorio.records.models import Source

    source, _ = Source.objects.get_or_create(code="encuesta-percepcion", defaults={
        "name": "Encuesta de percepción (ilustrativa)", "kind": "encuesta",
        "owner_unit": "Observatorio de Seguridad Humana",
        "description": "Respuestas inventadas, unas 40 por UV, con factores de expansión."})
    return source


def run_demo(comuna="13122", *, seed=1, years=3, as_of: dt.date, n_events=None, show_progress=True,
             geography=None) -> LoadResult:
    """Build the scenario, hashing synthetic RUTs with the pipeline's RUT key, and load it (with the real CEAD
    and INE files of the shared folder above ``geography`` when it has them)."""
    from .reference import shared_folder

    key = settings.RUT_HASH_KEY
    scenario = build_scenario(comuna, seed=seed, years=years, as_of=as_of, n_events=n_events,
                              key=key.encode() if isinstance(key, str) else bytes(key), geography=geography)
    return load_scenario(scenario, show_progress=show_progress, comparison=True, shared=shared_folder(geography))
