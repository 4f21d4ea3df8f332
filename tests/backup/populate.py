"""Fill the instance the environment names (OBS_DATA_DIR / OBS_DATABASE_URL) as a used observatory is:
the small demo, a committed import through a saved mapping (events with attributes), an edited measure
and some audit entries. Run as a script in its own process: ``python populate.py CSV``."""

from __future__ import annotations

import datetime as dt
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")

import django  # noqa: E402

django.setup()


def main(csv_path: str) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from observatorio.accounts.setup import ensure_role_groups
    from observatorio.audit.models import Action
    from observatorio.audit.record import record
    from observatorio.demo.load import load_scenario
    from observatorio.demo.scenario import build_scenario
    from observatorio.records.models import Category, Measure, Source
    from observatorio.records.pipeline import run_import
    from observatorio.records.pipeline.mapping import save_mapping
    from observatorio.records.taxonomy import seed_taxonomy

    call_command("migrate", interactive=False, verbosity=0)
    ensure_role_groups()
    seed_taxonomy()
    key = settings.RUT_HASH_KEY
    scenario = build_scenario("13122", seed=1, years=1, as_of=dt.date(2026, 11, 25), n_events=1_500,
                              key=key.encode() if isinstance(key, str) else bytes(key))
    load_scenario(scenario, show_progress=False)
    admin = get_user_model().objects.get(username="admin")
    source = Source.objects.get(code="1461")
    save_mapping(source, set_columns={"attr:resultado": "Resultado"}, user=admin)
    result = run_import(csv_path, "1461", commit=True)
    assert result.status == "committed" and result.imported > 0, result.report()
    measure = Measure.objects.get(code="llamados-1461")
    measure.name = "Llamados a la central 1461 (editada)"
    measure.definition = "Llamados atendidos, sin los duplicados."
    measure.save()
    measure.categories.set(Category.objects.order_by("code")[:2])
    record(Action.SIGN_IN, user=admin, address="10.0.0.7")
    record(Action.CONFIG, user=admin, target="medida llamados-1461", detail={"campo": "nombre"})
    record(Action.DOWNLOAD, user=admin, target="/tablero/datos/resumen.csv", detail={"filas": 12})


if __name__ == "__main__":
    main(sys.argv[1])
