"""Violence around places on the small demo: the exposure ratios are analysis.exposure's over the events and
places read straight from the database, the top places' counts are recounted, the map is there, two runs give
the same bytes, the public version withholds small counts, an empty period says so."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def report(public=False, start=START, end=END, language="es"):
    from observatorio.reports.runs import build

    return build("espacios", start, end, public=public, language=language)


def events_and_places(state):
    from observatorio.analysis.projection import to_metres
    from observatorio.dashboard.layers.base import territory
    from observatorio.records.models import Event, Place

    epsg = territory(state, END).epsg
    measure = next(m for m in state.catalog.measures if m.code == "casos-policiales")
    assert not measure.links  # one source: every located event of it counts
    ev = list(Event.objects.filter(source_id__in=measure.sources, occurred_on__range=(START, END))
              .exclude(lon=None).values_list("lon", "lat"))
    places = list(Place.objects.values_list("kind", "name", "lon", "lat"))
    ex, ey, _ = to_metres([e[0] for e in ev], [e[1] for e in ev], epsg)
    px, py, _ = to_metres([p[2] for p in places], [p[3] for p in places], epsg)
    return ex, ey, px, py, places


def test_exposure_and_top_places_are_recounted(demo):
    from observatorio.analysis.exposure import exposure
    from observatorio.dashboard.numbers import number
    from observatorio.reports.kinds.espacios import OUTER, PLACE_KINDS, RADIUS
    from observatorio.reports.render_pdf import render
    from observatorio.state import current

    state = current()
    ex, ey, px, py, places = events_and_places(state)
    kinds = np.array([p[0] for p in places])
    expected = exposure(ex, ey, px, py, radius=RADIUS, reference="ring", outer_radius=OUTER, groups=kinds)
    r = report()
    table = r.tables[0]
    rows = {row[0]: row for row in table.rows}
    assert len(rows) == len(set(kinds))
    for kind, e in expected.iterrows():
        row = rows[PLACE_KINDS[kind][0]]
        assert row[1:5] == (number(int(e.places)), number(int(e.observed)), number(float(e.expected), 1),
                            number(float(e.ratio), 2))
    # A kind whose excess is significant is said so, with its ratio; the others are not claimed.
    text = squeeze(pdf_text(render(r)))
    for kind, e in expected.iterrows():
        claim = squeeze(f"En torno a {PLACE_KINDS[kind][0].lower()} la densidad")
        said = claim + squeeze(f"de casos policiales fue {number(float(e.ratio), 2)} veces")
        assert (said in text) == (e.p_excess < 0.05 and e.lower > 1), kind
    # The top place's count by brute force.
    d2 = (px[:, None] - ex[None, :]) ** 2 + (py[:, None] - ey[None, :]) ** 2
    near = (d2 <= RADIUS ** 2).sum(axis=1)
    top = r.tables[1].rows[0]
    assert int(top[3]) == near.max()
    assert top[0] in {places[k][1] for k in np.flatnonzero(near == near.max())}


def test_map_of_places_is_present(demo):
    from observatorio.reports.render_pdf import render

    r = report()
    assert len(r.figures) == 1 and r.figures[0].svg.count(b"points-") >= 5
    text = pdf_text(render(r))
    assert re.search(r"Figura\s1:", text) and "Lugares de interés por tipo" in text


def test_two_runs_give_identical_bytes(demo):
    from observatorio.reports.runs import generate, path_of

    one, two = generate("espacios", START, END), generate("espacios", START, END)
    assert one.sha256 == two.sha256 and path_of(one).read_bytes() == path_of(two).read_bytes()


def test_public_report_withholds_small_counts(demo):
    from observatorio.disclosure import policy

    k = policy.k()
    internal, public = report(), report(public=True)
    observed = [row[2] for row in internal.tables[0].rows]
    assert any(c.isdigit() and 1 <= int(c) < k for c in observed), observed
    public_observed = [row[2] for row in public.tables[0].rows]
    assert "reservado" in public_observed
    assert not any(c.isdigit() and 1 <= int(c) < k for c in public_observed)
    # Places listed only with a publishable count (the small demo's year has none: the section says so).
    assert any(int(row[3]) < k for row in internal.tables[1].rows)
    top = next(s for s in public.sections if s.title == "Lugares con más eventos en su entorno")
    assert not any(int(row[3]) < k for t in public.tables[1:] for row in t.rows)
    assert "Ningún lugar tiene eventos publicables" in str(top.blocks) or top.blocks[0].rows
    assert any("se reservan" in p for p in public.sections[0].main_points)


def test_a_period_without_data_says_so(demo):
    from observatorio.reports.render_pdf import render

    r = report(start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31))
    assert len(r.sections) == 1 and "No hay datos para el período 01-01-2010 a 31-12-2010" in pdf_text(render(r))


def test_english(demo):
    from observatorio.reports.render_pdf import render

    text = pdf_text(render(report(language="en")))
    assert "Thematic report: violence around prioritised" in text and "Exposure by kind of place" in text
    assert re.search(r"Schools", text)


def test_a_sensitive_measure_is_never_shown_around_places_in_public(demo):
    from observatorio.reports.runs import build

    public = build("espacios", START, END, public=True, options={"measure": "casos-vif"})
    assert "Dato sensible" in public.sections[0].blocks[0].text and not public.tables
    internal = build("espacios", START, END, options={"measure": "casos-vif", "radius": 150, "outer": 400})
    assert "a menos de 150 m" in internal.tables[0].caption and "150 a 400 m" in internal.tables[0].caption
