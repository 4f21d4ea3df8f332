"""The monthly bulletin on the small demo (Peñalolén, 3,000 events): the PDF's figures are the engine's, every
chart is there, two runs give the same bytes, a public bulletin withholds small counts, an empty period says
so, and the command line writes the file with its run recorded."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation

from observatorio.errors import UserError
from tests.conftest import DEMO_AS_OF
from tests.reports.cells import cells, small_counts
from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
ROOT = Path(__file__).resolve().parents[2]


def bulletin(public=False, start=START, end=END, language="es"):
    from observatorio.reports.runs import build

    return build("boletin", start, end, public=public, language=language)


def expected_row(state, measure, label, categories=()):
    """The comparison row the bulletin must print, computed here from the engine directly."""
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.numbers import number
    from observatorio.labels import outcome_label

    h = engine.headline(state, filters_for(state, measure=measure.code, start=START, end=END, level="comuna",
                                           categories=categories))

    def pct(c):
        v = c.pct_change
        return "—" if v is None else ("+" if v > 0 else "−" if v < 0 else "") + number(abs(v), 1) + " %"

    return (label, number(h.count), number(h.previous.count), pct(h.previous), outcome_label(h.previous.outcome),
            number(h.last_year.count), pct(h.last_year), outcome_label(h.last_year.outcome))


def test_every_figure_in_the_pdf_is_the_engines(demo):
    from observatorio.dashboard import home_data
    from observatorio.reports.render_pdf import render
    from observatorio.state import current

    state = current()
    report = bulletin()
    text = squeeze(pdf_text(render(report)))
    measures = home_data.shown_measures(state, sensitive=True)
    main = measures[0]
    assert main.code == "casos-policiales"
    with translation.override("es"):
        rows = [expected_row(state, main, main.name)]
        rows += [expected_row(state, m, f"{m.name} ({m.unit})") for m in measures[1:]]
        for family_id, code, name in state.catalog.families:
            cats = (family_id, *state.catalog.family_children.get(code, ()))
            row = expected_row(state, main, name, cats)
            if row[1] != "0" or row[2] != "0" or row[5] != "0":
                rows.append(row)
    assert len(rows) > 5
    for row in rows:
        assert squeeze("".join(row)) in text, f"row {row} not printed as the engine counts it"
    printed = {tuple(r) for t in report.tables for r in t.rows}
    assert all(row in printed for row in rows)
    # The structured facts the main points will be written from are the same numbers.
    first = report.sections[0].facts[0]
    assert (first.measure, f"{first.count:,}".replace(",", ".")) == (main.code, rows[0][1])


def test_every_chart_is_present_and_states_its_measure(demo):
    from observatorio.reports.render_pdf import render

    report = bulletin()
    assert len(report.figures) == 4  # trend, families, the month by UV, its Gi* hot spots
    text = pdf_text(render(report))
    assert [int(n) for n in re.findall(r"Figura\s(\d+):", text)] == [1, 2, 3, 4]
    assert text.count("Medida: Casos policiales (casos)") == len(report.figures)
    for figure in report.figures:
        assert figure.svg.count(b"<path") > 10


def test_two_runs_give_identical_bytes_and_are_recorded(demo, data_dir):
    from observatorio.reports.models import ReportRun
    from observatorio.reports.runs import generate, path_of

    seen = []
    one = generate("boletin", START, END, fmt="pdf", progress=lambda *a: seen.append(a))
    two = generate("boletin", START, END, fmt="pdf")
    assert one.sha256 == two.sha256 and one.pk != two.pk
    assert path_of(one).read_bytes() == path_of(two).read_bytes()
    assert path_of(one).parent == data_dir / "reports" and oct(path_of(one).stat().st_mode)[-3:] == "600"
    run = ReportRun.objects.get(pk=one.pk)
    assert (run.status, run.progress, run.kind, run.format, run.public) == ("done", 100, "boletin", "pdf", False)
    assert run.data_version and run.content_hash[:32] in pdf_text(path_of(one).read_bytes())
    assert {s for s, *_x in seen} == {"build", "render"}
    html = generate("boletin", START, END, fmt="html")
    again = generate("boletin", START, END, fmt="html")
    assert html.sha256 == again.sha256
    assert not re.search(rb"https?://", path_of(html).read_bytes())


def test_public_bulletin_withholds_small_counts(demo):
    from observatorio.disclosure import policy

    internal, public = bulletin(), bulletin(public=True)
    k = policy.k()
    assert small_counts(internal), "the small demo should have small family counts in a month"
    public_cells = cells(public)
    assert "reservado" in public_cells
    for cell in public_cells:
        assert not (cell.isdigit() and 1 <= int(cell) < k), f"a count of {cell} shown in a public bulletin"
    assert public.public and "reservado" not in str(internal.tables)
    from observatorio.reports.render_pdf import render

    assert "reservado" in pdf_text(render(public))


def test_a_period_without_data_says_so(demo):
    from observatorio.reports.document import Notice
    from observatorio.reports.render_pdf import render

    report = bulletin(start=dt.date(2010, 1, 1), end=dt.date(2010, 1, 31))
    assert len(report.sections) == 1 and isinstance(report.sections[0].blocks[0], Notice)
    text = pdf_text(render(report))
    assert "No hay datos para el período 01-01-2010 a 31-01-2010" in text
    assert DEMO_AS_OF.strftime("%d-%m-%Y") in text


def test_english_bulletin(demo):
    from observatorio.reports.render_pdf import render

    text = pdf_text(render(bulletin(language="en")))
    assert "Monthly bulletin" in text and "Other measures" in text and "Boletín" not in text
    assert "2026-10-01 to 2026-10-31" in text


def test_bad_requests_are_user_errors(demo):
    from observatorio.reports.runs import generate

    with pytest.raises(UserError, match="desconocido"):
        generate("nada", START, END)
    with pytest.raises(UserError, match="antes de empezar"):
        generate("boletin", END, START)


def test_command_line_writes_the_file(demo, tmp_path):
    from observatorio.cli import main

    out = tmp_path / "b.pdf"
    assert main(["report", "boletin", "--month", "2026-10", "-o", str(out), "--quiet"]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    assert main(["report", "boletin", "--from", "2026-10-31", "--to", "2026-10-01", "-o", str(out)]) == 2
    assert main(["report", "desconocido", "--month", "2026-10", "-o", str(out)]) == 2


# --- main points, maps, new and intensifying hot spots ---------------------------------------------------------


def test_every_section_opens_with_main_points_printed_in_the_pdf(demo):
    from observatorio.reports.render_pdf import render

    for language in ("es", "en"):
        report = bulletin(language=language)
        text = squeeze(pdf_text(render(report)))
        assert len(report.sections) == 8  # … and the programme indicators that changed status
        for section in report.sections:
            assert section.main_points, f"section {section.title!r} has no main points"
            for point in section.main_points:
                assert squeeze(point) in text, f"main point not in the PDF: {point}"
    english = " ".join(p for s in bulletin(language="en").sections for p in s.main_points)
    assert "compared with" in english and "respecto de" not in english


def test_the_main_points_numbers_are_the_engines(demo):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.reports.sentences import number, p_text, percent
    from observatorio.state import current

    state = current()
    h = engine.headline(state, filters_for(state, measure="casos-policiales", start=START, end=END, level="comuna"))
    first, second = bulletin().sections[0].main_points
    for sentence, c, label in ((first, h.previous, "septiembre de 2026"), (second, h.last_year, "octubre de 2025")):
        assert f"en octubre de 2026 respecto de {label}" in sentence
        verb = {"up": "subió", "down": "bajó", "no_change": "se mantuvo estable", "few_events": "pasó de"}[c.outcome]
        assert verb in sentence, (sentence, c.outcome)
        if c.outcome == "no_change" and c.count:
            assert f"variación de {percent(c.pct_change, 'es', signed=True)}, no significativa" in sentence
        else:
            assert f"de {number(c.count, 'es')} a {number(h.count, 'es')} casos" in sentence
        if c.outcome != "few_events":
            assert p_text(c.p_value, "es") in sentence
    # the families section: only significant changes are claimed, each with the engine's numbers
    for point in bulletin().sections[1].main_points:
        assert "Ninguna familia cambió significativamente" in point or re.search(r"(subieron|bajaron) \d", point)


def test_a_public_bulletin_never_names_a_withheld_count_in_its_points(demo):
    from observatorio.disclosure import policy
    from observatorio.reports.facts import CountFact
    from observatorio.reports.points import RankFact

    k = policy.k()
    public = bulletin(public=True)
    said = " ".join(p for s in public.sections for p in s.main_points)
    assert "se reservan" in said
    withheld = [f for s in public.sections for f in s.facts
                if isinstance(f, CountFact) and (f.count is None or f.last_year.count is None)]
    assert withheld, "the small demo's public bulletin should withhold some count"
    for f in withheld:
        name = (f.family or f.measure_name).lower()
        for point in (p for s in public.sections for p in s.main_points):
            if name in point.lower():
                assert "se reservan" in point and not re.search(r"\d", point.split("octubre")[0]), point
    for s in public.sections:
        for f in s.facts:
            if isinstance(f, RankFact):
                hidden = [n for n, c in f.counts if c is None]
                assert hidden and not any(n in p for n in hidden for p in s.main_points)
    # no "n casos" below the threshold anywhere in the points
    assert not re.search(rf"(?<![\d.,])[1-{k - 1}] casos", said)


def test_the_maps_are_in_the_pdf_with_their_captions(demo):
    from observatorio.reports.render_pdf import render

    report = bulletin()
    text = squeeze(pdf_text(render(report)))
    maps_section = next(s for s in report.sections if s.title == "Mapas del período")
    captions = [b.caption for b in maps_section.blocks if hasattr(b, "svg")]
    assert captions == ["Casos policiales por unidad vecinal en el período",
                        "Puntos calientes y fríos (Gi*) de Casos policiales en el período"]
    for caption in captions:
        assert squeeze(caption) in text
    choropleth, gi = (b for b in maps_section.blocks if hasattr(b, "svg"))
    assert b'id="area-' in choropleth.svg and b'id="scale-bar"' in choropleth.svg
    assert b'id="north-arrow"' in gi.svg and b'id="area-' not in gi.svg  # outlines only, no class colours
    # 25 placed events in the month: too few for Gi*, said in words rather than as an empty map of no meaning
    assert squeeze("se necesitan al menos 600 para identificar puntos calientes") in text
    emerging = next(s for s in report.sections if s.title == "Puntos calientes nuevos y que se intensifican")
    assert "en cada mes de los 12 hasta octubre de 2026" in emerging.main_points[0]


def test_the_choropleths_values_are_the_engines_area_counts(demo):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.reports.points import RankFact
    from observatorio.state import current

    state = current()
    table = engine.by_area(state, filters_for(state, measure="casos-policiales", start=START, end=END, level="uv"))
    report = bulletin()
    rank = next(f for s in report.sections for f in s.facts if isinstance(f, RankFact))
    assert dict(rank.counts) == {r.name: r.count for r in table.rows}
    top = sorted(table.rows, key=lambda r: (-r.count, r.name))[:3]
    point = next(p for s in report.sections for p in s.main_points if p.startswith("Las unidades vecinales"))
    assert point.endswith(f"{top[0].name} ({top[0].count}), {top[1].name} ({top[1].count}) y "
                          f"{top[2].name} ({top[2].count}).")


def test_hot_cells_are_named_by_the_area_they_fall_in():
    from types import SimpleNamespace

    from shapely.geometry import box

    from observatorio.analysis.grid import Grid
    from observatorio.reports.kinds.boletin import cell_areas, most_cells

    grid = Grid(0.0, 0.0, 100.0, 2, 4, 32719)  # x0, y0, cell, rows, cols, EPSG
    west = SimpleNamespace(name="Oeste", metric=box(0, 0, 200, 200))
    east = SimpleNamespace(name="Este", metric=box(200, 0, 300, 200))
    names = cell_areas([west, east], grid, [0, 1, 0, 1, 0], [0, 0, 2, 2, 3])
    assert names == ["Oeste", "Oeste", "Este", "Este", ""]
    assert most_cells(names) == ["Este", "Oeste"]  # a tie goes by name; a cell outside every area is not named
    assert most_cells(["B", "A", "B"], n=1) == ["B"]


def test_the_emerging_steps_are_the_12_months_to_the_bulletins_month(demo):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.layers.base import territory
    from observatorio.dashboard.layers.emerging import EMERGING_LEAD, emerging_result, months_before
    from observatorio.reports.points import EmergingFact
    from observatorio.state import current

    assert months_before(dt.date(2026, 2, 14), 3) == [(dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
                                                      (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
                                                      (dt.date(2026, 2, 1), dt.date(2026, 2, 28))]
    state = current()
    f = filters_for(state, measure="casos-policiales", start=START, end=END, level="comuna")
    built = emerging_result(state, territory(state, END), f, windows=months_before(END, 12 + EMERGING_LEAD))
    assert len(built.quarters) == 12 and built.quarters[-1] == (START, END)
    assert built.quarters[0] == (dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    for (a, b), placed in zip(built.quarters, built.per_quarter):
        month = engine.headline(state, filters_for(state, measure="casos-policiales", start=a, end=b,
                                                   level="comuna")).count
        assert 0 < placed <= month  # events placed in the study area, out of the month's count
    fact = next(f for s in bulletin().sections for f in s.facts if isinstance(f, EmergingFact))
    assert (fact.fewest, fact.minimum, fact.new) == (min(built.per_quarter), built.minimum, None)
    # the map layer's own computation (8 quarters) is unchanged by the monthly steps
    quarterly = emerging_result(state, territory(state, END), f)
    assert len(quarterly.quarters) == 8 and quarterly.quarters[-1][1] == dt.date(2026, 9, 30)
