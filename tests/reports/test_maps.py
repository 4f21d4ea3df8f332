"""The reports' static maps: on a synthetic 3×3 grid of squares, and on the demo's real geography when present."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from observatorio.analysis.emerging import CLASSES, EmergingClass
from observatorio.analysis.grid import Grid
from observatorio.analysis.kde import kde
from observatorio.reports import maps
from observatorio.reports.maps import Area, Base, Caption

SIDE = 1000.0  # metres
X0, Y0 = 350_000.0, 6_290_000.0  # somewhere in UTM 19S


def _grid_base() -> Base:
    areas = [Area(f"UV {r * 3 + c + 1}", box(X0 + c * SIDE, Y0 + r * SIDE, X0 + (c + 1) * SIDE, Y0 + (r + 1) * SIDE))
             for r in range(3) for c in range(3)]
    streets = [LineString([(X0, Y0 + 500 + 1000 * i), (X0 + 3000, Y0 + 500 + 1000 * i)]) for i in range(3)]
    return Base(areas=tuple(areas), border=box(X0, Y0, X0 + 3 * SIDE, Y0 + 3 * SIDE), streets=tuple(streets))


BASE = _grid_base()
CAPTION = Caption("Casos policiales", "01-01-2025 a 31-12-2025", ("Robos con violencia",))
VALUES = {"UV 1": 5.0, "UV 2": 12.0, "UV 3": 25.0, "UV 4": 40.0, "UV 5": None, "UV 6": 61.0, "UV 7": 80.0,
          "UV 8": 95.0, "UV 9": 130.0}


def _text(svg: bytes) -> str:
    return svg.decode("utf-8")


def test_choropleth_legend_is_the_classes_in_words():
    fig = maps.choropleth(BASE, VALUES, title="Casos por 100.000 habitantes", caption=CAPTION, breaks=[20, 50, 100])
    assert maps.legend_labels(fig) == ["menos de 20", "20 a menos de 50", "50 a menos de 100", "100 o más",
                                       "reservado"]
    fig_en = maps.choropleth(BASE, VALUES, title="Cases per 100,000 residents", caption=CAPTION, lang="en",
                             breaks=[1000, 2500.5], digits=1)
    assert maps.legend_labels(fig_en) == ["under 1,000.0", "1,000.0 to under 2,500.5", "2,500.5 or more", "withheld"]


def test_choropleth_colours_each_area_by_its_class():
    fig = maps.choropleth(BASE, VALUES, title="Casos", caption=CAPTION, breaks=[20, 50, 100])
    ax = fig.axes[0]
    faces = {p.get_gid(): tuple(p.get_facecolor()[:3]) for p in ax.patches if (p.get_gid() or "").startswith("area-")}
    assert faces["area-UV 1"] == faces["area-UV 2"] != faces["area-UV 3"] == faces["area-UV 4"]
    assert faces["area-UV 6"] == faces["area-UV 7"] == faces["area-UV 8"] != faces["area-UV 9"]
    assert len({faces[f"area-UV {i}"] for i in (1, 3, 6, 9)}) == 4


def test_a_reserved_area_is_hatched_labelled_and_shows_no_number():
    values = dict(VALUES, **{"UV 5": None})
    fig = maps.choropleth(BASE, values, title="Casos", caption=CAPTION, breaks=[20, 50, 100])
    ax = fig.axes[0]
    hatched = [p.get_gid() for p in ax.patches if p.get_hatch()]
    assert hatched == ["area-UV 5"]
    labels = {t.get_gid(): t.get_text() for t in ax.texts}
    assert labels["label-UV 5"] == "UV 5\nreservado"
    assert labels["label-UV 4"] == "UV 4"
    svg = _text(maps.svg(fig))
    assert 'id="area-UV 5"' in svg and "<pattern" in svg  # the hatch is drawn as an SVG pattern


def test_all_reserved_or_missing_areas_get_no_class():
    fig = maps.choropleth(BASE, {a.name: None for a in BASE.areas}, title="Casos", caption=CAPTION, lang="en")
    assert maps.legend_labels(fig) == ["withheld"]
    assert len([p for p in fig.axes[0].patches if p.get_hatch()]) == 9
    partial = maps.choropleth(BASE, {"UV 1": 3.0, "UV 2": None}, title="Casos", caption=CAPTION)
    assert maps.legend_labels(partial) == ["3", "reservado", "sin datos"]


def test_class_breaks_are_rounded_quantiles():
    assert maps.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], k=2) == [5.5]
    assert maps.class_breaks(list(range(0, 1001)), k=4) == [250.0, 500.0, 750.0]
    assert maps.class_breaks([1234.0, 1234.0, 5678.0, None], k=2) == []  # the median is the minimum: one class
    fig = maps.choropleth(BASE, {"UV 1": 7.0, "UV 2": 7.0}, title="Casos", caption=CAPTION)
    assert maps.legend_labels(fig) == ["7", "sin datos"]  # UV 3 to UV 9 have no value


def test_the_same_map_is_the_same_bytes():
    one = maps.svg(maps.choropleth(_grid_base(), VALUES, title="Casos", caption=CAPTION))
    two = maps.svg(maps.choropleth(_grid_base(), VALUES, title="Casos", caption=CAPTION))
    assert one == two
    assert b"<dc:date>" not in one
    other = maps.svg(maps.choropleth(_grid_base(), dict(VALUES, **{"UV 1": 150.0}), title="Casos", caption=CAPTION))
    assert other != one


def test_two_runs_write_the_same_bytes(tmp_path):
    """In two fresh interpreters (matplotlib's ids would otherwise be random per process)."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from tests.reports.test_maps import BASE, CAPTION, VALUES; from observatorio.reports import maps;"
            "open(sys.argv[1], 'wb').write(maps.svg(maps.choropleth(BASE, VALUES, title='Casos', caption=CAPTION)))")
    root = Path(__file__).resolve().parents[2]
    for name in ("one.svg", "two.svg"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, cwd=root)
    one = (tmp_path / "one.svg").read_bytes()
    assert one == (tmp_path / "two.svg").read_bytes()
    assert one == maps.svg(maps.choropleth(BASE, VALUES, title="Casos", caption=CAPTION))


def test_every_map_has_caption_scale_bar_and_north_arrow():
    fig = maps.choropleth(BASE, VALUES, title="Casos", caption=CAPTION)
    svg = _text(maps.svg(fig))
    for gid in ("caption", "scale-bar", "north-arrow"):
        assert f'id="{gid}' in svg
    texts = [t.get_text() for t in fig.texts]
    assert texts == ["Casos policiales · 01-01-2025 a 31-12-2025 · filtros: Robos con violencia"]
    scale = [t.get_text() for t in fig.axes[0].texts if t.get_text().endswith("m")]
    assert scale == ["500 m"]  # a fifth of the 3,360 m view, rounded down to 1-2-5
    assert Caption("Llamados 1461", "nov. 2025").text("en") == "Llamados 1461 · nov. 2025 · no filters"


def test_scale_bar_lengths():
    assert maps.nice_length(9_000) == 1000
    assert maps.nice_length(16_000) == 2000
    assert maps.nice_length(26_000) == 5000
    assert maps._distance(2000, "es") == "2 km" and maps._distance(2500, "en") == "2.5 km"


def _cell_grid() -> Grid:
    return Grid(x0=X0, y0=Y0, cell=500.0, nrows=6, ncols=6, epsg=32719)


def test_hotspots_draw_the_significant_classes_hottest_first():
    bins = np.zeros((6, 6), dtype=np.int8)
    bins[0, 0], bins[0, 1], bins[5, 5], bins[4, 5] = -2, -2, 3, 1
    mask = np.ones((6, 6), bool)
    mask[4, 5] = False  # outside the study area: not drawn even when classed
    fig = maps.hotspots(BASE, _cell_grid(), bins, mask=mask, caption=CAPTION)
    assert maps.legend_labels(fig) == ["Punto caliente (99 % de confianza)", "Punto frío (95 % de confianza)"]
    cells = {p.get_gid(): p.get_path() for p in fig.axes[0].patches if (p.get_gid() or "").startswith("cells")}
    assert sorted(cells) == ["cells--2", "cells-3"]
    # the two cold cells side by side are one rectangle; the hot one a single cell at the top right
    assert cells["cells--2"].get_extents().bounds == (X0, Y0, 1000.0, 500.0)
    assert cells["cells-3"].get_extents().bounds == (X0 + 2500, Y0 + 2500, 500.0, 500.0)
    assert maps.legend_labels(maps.hotspots(BASE, _cell_grid(), np.zeros((6, 6)), caption=CAPTION, lang="en")) == [
        "no significant cell"]


def test_hotspot_labels_follow_the_language():
    bins = np.zeros((6, 6), dtype=np.int8)
    bins[2, 2] = 2
    fig = maps.hotspots(BASE, _cell_grid(), bins, caption=CAPTION, lang="en")
    assert maps.legend_labels(fig) == ["Hot spot (95 % confidence)"]


def test_emerging_classes():
    codes = np.full((6, 6), CLASSES.index(EmergingClass.NO_PATTERN), dtype=np.int8)
    codes[0, :] = -1
    codes[3, 3] = CLASSES.index(EmergingClass.PERSISTENT_HOT)
    codes[1, 1] = codes[1, 2] = CLASSES.index(EmergingClass.NEW_HOT)
    codes[5, 0] = CLASSES.index(EmergingClass.SPORADIC_COLD)
    fig = maps.emerging(BASE, _cell_grid(), codes, title="Patrón", caption=CAPTION)
    assert maps.legend_labels(fig) == ["Nuevo punto caliente", "Punto caliente persistente", "Punto frío esporádico"]


def test_density_surface_and_its_colour_bar():
    rng = np.random.default_rng(7)
    x = X0 + 1500 + rng.normal(0, 300, 400)
    y = Y0 + 1500 + rng.normal(0, 300, 400)
    surface = kde(x, y, _cell_grid(), bandwidth=400)
    fig = maps.density(BASE, surface, title="Eventos por km²", caption=CAPTION)
    assert len(fig.axes[0].images) == 1
    bar = fig.axes[1]
    assert bar.get_xlabel() == "Eventos por km²"
    assert maps.svg(fig) == maps.svg(maps.density(BASE, surface, title="Eventos por km²", caption=CAPTION))


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        maps.choropleth(BASE, VALUES, title="Casos", caption=CAPTION, lang="fr")


@pytest.fixture(scope="module")
def real_demo(django_db_setup, django_db_blocker):
    """The demo on Peñalolén's real UVs (a few events), with the real streets imported as the reference layer."""
    from django.conf import settings

    from observatorio.demo.scenario import build_scenario
    from tests.conftest import DEMO_AS_OF, SHARED_DATA, loaded

    folder = SHARED_DATA / "penalolen"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the real geography lives in ../shared/data beside the project")
    key = settings.RUT_HASH_KEY
    scenario = build_scenario("13122", seed=1, years=1, as_of=DEMO_AS_OF, n_events=300,
                              key=key.encode() if isinstance(key, str) else bytes(key), geography=folder)
    with loaded(scenario, django_db_blocker) as result:
        from observatorio import state
        from observatorio.territory.references import import_reference

        with django_db_blocker.unblock():
            import_reference(folder / "calles_maestro_2018_parcial.geojson", "streets", "via", name="calles",
                             commit=True)
            state.reset()
            yield result


@pytest.mark.shared_data
@pytest.mark.django_db
def test_the_demo_geography_draws_over_its_streets(real_demo, tmp_path):
    from observatorio.state.holder import current
    from tests.conftest import DEMO_AS_OF

    base = maps.base_from_state(current(), DEMO_AS_OF)
    assert base is not None and len(base.areas) == 31 and len(base.streets) > 100
    minx, miny, maxx, maxy = base.extent()
    assert all(shapely.box(minx, miny, maxx, maxy).contains(g) for g in base.streets)  # cut to the view
    values = {a.name: (None if i % 7 == 0 else float(10 * i)) for i, a in enumerate(base.areas)}
    fig = maps.choropleth(base, values, title="Casos", caption=CAPTION)
    assert maps.legend_labels(fig)[-1] == "reservado"
    out = maps.svg(fig)
    assert out == maps.svg(maps.choropleth(base, values, title="Casos", caption=CAPTION))
    assert len(out) < 3_000_000
    (tmp_path / "penalolen.svg").write_bytes(out)
