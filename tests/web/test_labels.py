"""Labels of the analysis enums live with the interface (observatorio/labels.py), in Spanish and in English.

The analysis returns enums and numbers; every enum it defines must have a label
family here, every member a Spanish source label, and the English catalogue a
translation of each. The pages then show the label of the interface language.
"""

from __future__ import annotations

import enum
import importlib
import json
import os
import pkgutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import observatorio.analysis
from observatorio import labels
from observatorio.analysis.typology import Distinctive

from .test_translations import PO, read_po


def _analysis_enums() -> dict[str, type[enum.Enum]]:
    """Every Enum defined in a module of observatorio.analysis, by its dotted path."""
    found = {}
    for info in pkgutil.iter_modules(observatorio.analysis.__path__):
        module = importlib.import_module(f"observatorio.analysis.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, type) and issubclass(obj, enum.Enum) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return found


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    return {e["msgid"]: e["msgstr"][0] for e in read_po(PO) if "fuzzy" not in e["flags"]}


def test_every_enum_of_the_analysis_has_a_label_family():
    assert sorted(_analysis_enums()) == sorted(labels.FAMILIES)


@pytest.mark.parametrize("path", sorted(labels.FAMILIES), ids=lambda p: p.rsplit(".", 1)[1])
def test_every_member_has_a_spanish_label_and_its_english_translation(path, catalogue):
    kind = _analysis_enums()[path]
    table, label_of = labels.FAMILIES[path]
    assert sorted(map(str, table)) == sorted(str(m.value) for m in kind), "one label per member, no stale ones"
    untranslated = []
    for member in kind:
        source = table[member.value]
        with translation.override("es-cl"):
            assert label_of(member) == labels.label(member) == label_of(member.value) == source
        with translation.override("en"):
            english = label_of(member)
            assert labels.label(member) == english
        if not catalogue.get(source) or english == source or english != catalogue[source]:
            untranslated.append((member, source, english))
    assert untranslated == [], "add the English to locale/en/LC_MESSAGES/django.po and recompile the .mo"


def test_analysis_returns_members_not_words():
    import numpy as np
    import pandas as pd

    from observatorio.analysis import compare, emerging, gistar, kde, timepatterns, typology
    from observatorio.analysis.grid import Grid
    from observatorio.analysis.trend import Direction

    assert not any(hasattr(kind, attr) for kind in _analysis_enums().values() for attr in ("label", "label_es"))
    r = compare.compare_periods(pd.to_datetime(["2024-03-30"] * 30 + ["2024-02-20"] * 10), "2024-03-31")
    assert r.verdict is compare.Verdict.UP
    assert timepatterns.trend([3, 4, 6, 7, 9, 12, 13, 15]).verdict is Direction.UP
    g = Grid(x0=0.0, y0=0.0, cell=100.0, nrows=5, ncols=5, epsg=32719)
    assert kde.kde([250.0], [250.0], g, bandwidth=100.0).unit is kde.DensityUnit.EVENTS_PER_KM2
    cube = np.random.default_rng(1).poisson(1.0, size=(6, 8, 8)).astype(float)
    found = emerging.emerging_hotspots(cube, cell=100, distance=150)
    assert all(isinstance(c, emerging.EmergingClass) for c in found.classes[found.mask])
    frame = found.to_frame()
    assert set(frame["pattern"]) <= {c.value for c in emerging.EmergingClass} and "pattern_es" not in frame
    bins = gistar.gi_star(cube[0], 100, 150).bins()
    assert {gistar.GiBin(int(b)) for b in np.unique(bins)} <= set(gistar.GiBin)
    t = typology.typology(pd.DataFrame({"robos": [9, 10, 11, 1, 2, 1.5], "ingreso": [1, 1.2, 0.9, 5, 5.5, 5.2]}),
                          k_range=(2, 3))
    assert t.distinctive == {0: Distinctive(("robos",), ("ingreso",)), 1: Distinctive(("ingreso",), ("robos",))}


def test_a_member_of_another_family_is_refused():
    from observatorio.analysis.moran import Quadrant
    from observatorio.analysis.perception import GapClass

    # Both families use the codes HH/HL/LH/LL: the label function must not mix them up.
    with pytest.raises(ValueError):
        labels.quadrant_label(GapClass.HIGH_FEAR_HIGH_CRIME)
    with pytest.raises(ValueError):
        labels.gi_bin_label(7)
    with pytest.raises(TypeError, match="no labels"):
        labels.label("HH")
    assert labels.quadrant_label("HH") == labels.quadrant_label(Quadrant.HH)


def test_typology_description_in_both_languages():
    d = Distinctive(high=("a", "b", "c"), low=("d",))
    with translation.override("es-cl"):
        assert labels.typology_description(d) == "alto en a, b y c; bajo en d"
        assert labels.typology_description(Distinctive((), ())) == "cercano al promedio"
        assert labels.typology_description(Distinctive(("a",), ()), {"a": "Robos"}) == "alto en Robos"
    with translation.override("en"):
        assert labels.typology_description(d) == "high in a, b and c; low in d"
        assert labels.typology_description(Distinctive((), ())) == "close to the average"


def test_without_django_the_labels_are_the_spanish_sources_and_no_analysis_is_imported(tmp_path):
    # `observatorio analyze` runs without setting Django up: the labels must work there, and stay light to import.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = ("import sys; from observatorio import labels; "
            "print(sorted(m for m in sys.modules if m.startswith('observatorio.analysis')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"
    path = tmp_path / "fechas.csv"
    path.write_text("fecha\n" + "2024-03-30\n" * 30 + "2024-02-20\n" * 10)
    command = [sys.executable, "-m", "observatorio.cli", "analyze", "compare", str(path), "--date", "fecha",
               "--as-of", "2024-03-31"]
    out = subprocess.run(command + ["--json"], capture_output=True, text=True, check=True, env=env).stdout
    results = json.loads(out)["results"]
    assert (results["verdict"], results["verdict_label"]) == ("up", "sube")
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    assert "veredicto: sube (" in out


# --- pages --------------------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_layer_cache():
    from observatorio import state

    state.reset()
    yield
    state.reset()


def _get(client, url: str, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_hotspot_layer_names_its_classes_in_the_interface_language(client, demo, personas, fresh_layer_cache):
    client.force_login(personas["bob"])
    window = "?period=custom&start=2024-01-01&end=2026-11-25"  # police cases enough for Gi* (600 in Peñalolén)
    url = reverse("map_layer", args=("gi", "json")) + window
    names = {}
    for language in ("es-cl", "en"):
        traces = json.loads(_get(client, url, language).content)["traces"]
        names[language] = {t["name"] for t in traces}
        assert all(t["text"].startswith(t["name"] + "<br>") for t in traces)  # the hover says the class too
    assert "Punto caliente (99 % de confianza)" in names["es-cl"], "the demo plants a 99 % hot spot"
    assert "Hot spot (99 % confidence)" in names["en"]
    assert not any("Punto" in n for n in names["en"])
    geo = json.loads(_get(client, reverse("map_layer", args=("gi", "geojson")) + window, "en").content)
    assert {f["properties"]["clase"] for f in geo["features"]} <= names["en"]
    assert {f["properties"]["gi_bin"] for f in geo["features"]} <= {-3, -2, -1, 1, 2, 3}


def test_profile_words_its_classes_in_the_interface_language(client, demo, personas, fresh_layer_cache):
    from observatorio import state
    from observatorio.dashboard import profile

    client.force_login(personas["bob"])
    data = state.current()
    uv = next(a for a in data.index.ids_at("uv") if profile.profile_data(data, a)["typology"])
    url = reverse("area_profile", args=(uv,))
    es, en = _get(client, url, "es-cl").content.decode(), _get(client, url, "en").content.decode()
    with translation.override("es-cl"):
        spanish = profile.profile_data(data, uv)
    with translation.override("en"):
        english = profile.profile_data(data, uv)
    # The typology was computed once, in whichever language came first: its words follow the page's language.
    assert spanish["typology"][0] == english["typology"][0]
    assert spanish["typology"][1] in es and english["typology"][1] in en
    assert spanish["typology"][1] != english["typology"][1]
    with translation.override("en"):
        if english["lisa"] is not None:
            assert labels.quadrant_label(english["lisa"]) in en
        for h in english["headline"]:
            assert f'verdict--{h["ytd"].verdict.value}">' in en
            assert labels.verdict_label(h["ytd"].verdict) in en
    assert not any(word in en for word in ("No significativo", "sin cambio significativo", "alto en ", "bajo en "))


def test_indicator_readings_in_words_in_both_languages(catalogue):
    from observatorio.analysis.indicator import Status, Trend

    assert sorted(labels.STATUS_EXPLANATIONS) == sorted(s.value for s in Status)
    assert all(catalogue.get(text) for text in labels.STATUS_EXPLANATIONS.values())
    with translation.override("es-cl"):
        assert labels.reading_text(Status.NOT_MET, Trend.WORSENING) == "no cumple la meta y empeora"
        assert labels.reading_text("uncertain") == "no concluyente"
        assert labels.status_explanation(Status.UNCERTAIN).startswith("El intervalo de confianza contiene la meta")
    with translation.override("en"):
        assert labels.reading_text(Status.NOT_MET, Trend.WORSENING) == "target not met and getting worse"
        assert labels.status_explanation("meets") == "The whole confidence interval is on the good side of the target."
    with pytest.raises(ValueError):
        labels.status_label(Trend.WORSENING)
