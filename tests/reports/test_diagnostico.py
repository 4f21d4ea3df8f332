"""The communal diagnosis on the small demo (Peñalolén, 3,000 events, three years): every section is in the
PDF, its figures are the engine's, every map and chart is there, two runs give the same bytes, a public
diagnosis withholds small counts, and an empty period says so."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import DEMO_AS_OF
from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
SECTIONS = ("Territorio y demografía", "Delitos registrados por familia", "Tasas por macrosector y unidad vecinal",
            "Mapas: densidad y puntos calientes", "Patrones temporales", "Llamados al 1461 y patrullaje preventivo",
            "Percepción de inseguridad y delitos registrados", "Tipología de barrios", "Problemas prioritarios",
            "Anexo metodológico")


def diagnosis(public=False, start=START, end=END, language="es"):
    from observatorio.reports.runs import build

    return build("diagnostico", start, end, public=public, language=language)


@pytest.fixture(scope="module")
def report(demo):
    return diagnosis()


@pytest.fixture(scope="module")
def pdf(report):
    from observatorio.reports.render_pdf import render

    return render(report)


def test_every_section_is_in_the_pdf_with_main_points(report, pdf):
    assert tuple(s.title for s in report.sections) == SECTIONS
    text = squeeze(pdf_text(pdf))
    for title in SECTIONS:
        assert squeeze(title) in text
    with_points = [s.title for s in report.sections if s.main_points]
    assert len(with_points) >= 8, with_points
    for s in report.sections:
        for point in s.main_points:
            assert squeeze(point) in text


def test_yearly_and_family_figures_are_the_engines(report, pdf):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.numbers import number
    from observatorio.state import current

    state = current()
    text = squeeze(pdf_text(pdf))
    h = engine.headline(state, filters_for(state, measure="casos-policiales", start=START, end=END, level="comuna"))
    years = next(t for t in report.tables if t.caption.startswith("Casos policiales: el mismo"))
    row = next(r for r in years.rows if r[0] == "2025")
    assert row[1:3] == (number(h.count), number(h.last_year.count))
    assert squeeze("".join(row)) in text
    last = next(r for r in years.rows if r[0] == "2024")
    h24 = engine.headline(state, filters_for(state, measure="casos-policiales", start=dt.date(2024, 1, 1),
                                             end=dt.date(2024, 12, 31), level="comuna"))
    assert last[1] == number(h24.count) and h24.count == h.last_year.count
    families = next(t for t in report.tables if "por familia" in t.caption)
    checked = 0
    for family_id, code, name in state.catalog.families:
        cats = (family_id, *state.catalog.family_children.get(code, ()))
        fh = engine.headline(state, filters_for(state, measure="casos-policiales", start=START, end=END,
                                                level="comuna", categories=cats))
        printed = [r for r in families.rows if r[0] == name]
        if fh.count or fh.last_year.count:
            assert printed and printed[0][1:3] == (number(fh.count), number(fh.last_year.count))
            checked += 1
    assert checked >= 3
    # The main point of the section is written from the same numbers.
    total, change = report.sections[1].main_points[:2]
    assert total == f"La cifra de casos policiales sumó {number(h.count)} casos en 2025."
    pct = round(100 * (h.count - h.last_year.count) / h.last_year.count)
    assert f"{pct:+d} %" in change or f"{abs(pct)} %" in change


def test_area_rates_are_the_engines(report):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.numbers import number
    from observatorio.state import current

    state = current()
    t = engine.by_area(state, filters_for(state, measure="casos-policiales", start=START, end=END, level="uv"))
    table = next(t for t in report.tables if t.caption.startswith("Casos policiales por unidad vecinal"))
    assert len(table.rows) == len(t.rows)
    for printed, row in zip(table.rows, t.rows):
        assert printed[0] == row.name and printed[1] == number(row.count)
        assert printed[4] == ("—" if row.eb_rate is None else number(row.eb_rate, 2))


def test_beside_measures_are_separate_and_named(report):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.numbers import number
    from observatorio.state import current

    state = current()
    section = report.sections[5]
    tables = [b for b in section.blocks if hasattr(b, "rows")]
    assert {t.rows[0][0] for t in tables} == {"Llamados al 1461 (llamados)", "Patrullajes preventivos (patrullajes)"}
    for t, code in zip(tables, ("llamados-1461", "patrullajes")):
        h = engine.headline(state, filters_for(state, measure=code, start=START, end=END, level="comuna"))
        assert t.rows[0][1] == number(h.count)
        assert "nunca sumado" in t.notes[0]
    stated = [b.stated for b in section.blocks if hasattr(b, "stated")]
    assert any("Llamados al 1461" in s for s in stated) and any("Patrullajes" in s for s in stated)


def test_every_map_and_chart_is_present(report, pdf):
    from observatorio.reports.document import Figure, Notice

    text = pdf_text(pdf)
    figures = report.figures
    numbers = [int(n) for n in re.findall(r"Figura\s(\d+):", text)]
    assert numbers == list(range(1, len(figures) + 1))
    captions = [f.caption for f in figures]
    for expected in ("en el mismo período de cada año", "por familia en el período", "tasa EB por 1.000",
                     "por hora y día de la semana", "Casos policiales por mes", "Llamados al 1461 por mes",
                     "Patrullajes preventivos por mes"):
        assert any(expected in c for c in captions), expected
    maps_section = report.sections[3]
    drawn = [b for b in maps_section.blocks if isinstance(b, Figure)]
    notices = [b for b in maps_section.blocks if isinstance(b, Notice)]
    assert len(drawn) + len(notices) == 3  # density, Gi*, emerging: drawn, or why not
    assert drawn, "the demo should have enough events for at least the density map"
    for f in figures:
        assert f.svg.count(b"<path") > 10
        assert squeeze(f.stated) in squeeze(text) or f.stated.startswith("Medida:")


def test_priority_rows_state_their_criteria(report):
    table = next(t for t in report.tables if t.caption.startswith("Problemas prioritarios"))
    assert [r[0] for r in table.rows] == [str(k + 1) for k in range(len(table.rows))]
    points = [len(r[3].split()) if r[3] != "—" else 0 for r in table.rows]
    assert points == sorted(points, reverse=True)
    assert any("V" in r[3] for r in table.rows)
    for r in table.rows:
        assert r[4] != "ningún criterio" or r[3] == "—"
    assert "Regla:" in table.notes[0]


def test_methods_annex_has_definitions_version_and_sources(report, pdf):
    from observatorio.state import current

    state = current()
    annex = report.sections[-1]
    text = squeeze(pdf_text(pdf))
    measures = next(t for t in annex.blocks if getattr(t, "caption", "").startswith("Medidas usadas"))
    assert any(r[1].startswith("Casos policiales según la definición del CEAD") for r in measures.rows)
    assert squeeze(report.data_version) in text and "Benjamini" in text
    assert DEMO_AS_OF.strftime("%d-%m-%Y") in text
    assert state.catalog is not None


def test_two_runs_give_identical_bytes(demo):
    from observatorio.reports.runs import generate, path_of

    one = generate("diagnostico", START, END, fmt="pdf")
    two = generate("diagnostico", START, END, fmt="pdf")
    assert one.sha256 == two.sha256 and path_of(one).read_bytes() == path_of(two).read_bytes()
    assert one.content_hash[:32] in pdf_text(path_of(one).read_bytes())


def test_public_diagnosis_withholds_small_counts(demo, report):
    from observatorio.disclosure import policy
    from observatorio.reports.render_pdf import render

    k = policy.k()
    public = diagnosis(public=True)
    cells = [(t.caption, c) for t in public.tables for r in t.rows for c in r[1:3]]
    assert any(c == "reservado" for _t, c in cells)
    for caption, cell in cells:
        if "Medidas usadas" in caption or "Fuentes" in caption or "Áreas por nivel" in caption \
                or "Macrosectores: unidades" in caption or "Tipos de" in caption or "Problemas" in caption:
            continue
        assert not (cell.isdigit() and 1 <= int(cell) < k), f"a count of {cell} in «{caption}»"
    assert "reservado" in pdf_text(render(public))
    # A sensitive family's concentration by UV (finer than a macrosector) is not assessed in public.
    priority = next(t for t in public.tables if t.caption.startswith("Problemas prioritarios"))
    for row in priority.rows:
        if row[1] in ("Violencia intrafamiliar", "Delitos sexuales"):
            assert "C" not in row[3].split() and "UV" not in row[4]
    assert "reservado" not in str([t.rows for t in report.tables if "por familia" in t.caption])


def test_sensitive_measure_small_count_is_reserved_in_public(demo):
    """casos-vif is sensitive: in a public diagnosis of a short period its small counts never appear."""
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.disclosure import policy
    from observatorio.reports.kinds.diagnostico import Writer, _headline
    from observatorio.reports.runs import Context
    from observatorio.state import current

    state = current()
    vif = next(m for m in state.catalog.count_measures if m.code == "casos-vif")
    # A month whose count is small but not zero.
    month = None
    for m in range(1, 13):
        s, e = dt.date(2025, m, 1), (dt.date(2025, m + 1, 1) if m < 12 else dt.date(2026, 1, 1)) - dt.timedelta(1)
        n = engine.headline(state, filters_for(state, measure="casos-vif", start=s, end=e, level="comuna")).count
        if 1 <= n < policy.k():
            month = (s, e)
            break
    if month is None:
        pytest.skip("no month of the small demo has 1..k-1 VIF cases")
    ctx = Context(state, "diagnostico", *month, "es", True, "1")
    h, _refusal = _headline(ctx, vif)
    assert h.count is None
    assert Writer(ctx).count(h.count) == "reservado"


def test_a_period_without_data_says_so(demo):
    from observatorio.reports.document import Notice
    from observatorio.reports.render_pdf import render

    report = diagnosis(start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31))
    assert len(report.sections) == 1 and isinstance(report.sections[0].blocks[0], Notice)
    text = pdf_text(render(report))
    assert "No hay datos para el período 01-01-2010 a 31-12-2010" in text
    assert DEMO_AS_OF.strftime("%d-%m-%Y") in text


def test_english_diagnosis(demo):
    from observatorio.reports.render_html import render

    report = diagnosis(language="en")
    assert report.title == "Communal diagnosis of human security"
    assert report.sections[0].title == "Territory and demography"
    html = render(report)
    assert "Recorded crime by family" in html and "Methods annex" in html
    assert "Anexo metodológico" not in html


def test_command_line_writes_the_diagnosis(demo, tmp_path):
    from observatorio.cli import main

    out = tmp_path / "d.html"
    assert main(["report", "diagnostico", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "html",
                 "-o", str(out), "--quiet"]) == 0
    assert "Anexo metodológico" in out.read_text(encoding="utf-8")


def test_reference_rate_against_region_and_country_when_projections_exist(demo):
    """With INE projections loaded, the comuna's CEAD rate per 100,000 and its exact interval are printed as
    dashboard/peers.py and analysis/intervals.py give them; without them, «sin comparación»."""
    from observatorio.analysis.intervals import rate_interval
    from observatorio.dashboard import peers
    from observatorio.dashboard.numbers import number
    from observatorio.records.models import PopulationProjection
    from observatorio.reports.kinds.diagnostico import Writer, _Ctx, _peers
    from observatorio.reports.runs import Context
    from observatorio.state import current

    state = current()
    main = next(m for m in state.catalog.count_measures if m.code == "casos-policiales")
    ctx = Context(state, "diagnostico", START, END, "es", False, "1")
    wr = Writer(ctx)
    wr.ctx = _Ctx(ctx, "Peñalolén")
    blocks, points = _peers(wr, main)
    assert not points and "Sin comparación" in blocks[0].text
    PopulationProjection.objects.bulk_create(
        [PopulationProjection(area_code="13122", name="Peñalolén", year=y, population=270_000) for y in
         range(2015, 2027)])
    try:
        found = peers.peer_rates(main, "13122")
        assert found is not None
        blocks, points = _peers(wr, main)
    finally:
        PopulationProjection.objects.filter(area_code="13122", name="Peñalolén").delete()
    table = blocks[0]
    comuna = next(r for r in found.rows if r.kind == "comuna")
    rate, lo, hi = rate_interval([comuna.cases], [comuna.population], factor=100_000, method="exact")
    row = next(r for r in table.rows if r[0] == comuna.name)
    assert row[1:5] == (number(comuna.cases), number(270_000), number(float(rate[0]), 1),
                        f"{number(float(lo[0]), 1)} – {number(float(hi[0]), 1)}")
    assert points and number(float(rate[0]), 1) in points[0]
