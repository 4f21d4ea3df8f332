"""The monthly bulletin on the small demo (Peñalolén, 3,000 events): the PDF's figures are the engine's, every
chart is there, two runs give the same bytes, a public bulletin withholds small counts, an empty period says
so, and the command line writes the file with its run recorded."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.utils import translation

from observatorio.errors import UserError
from tests.conftest import DEMO_AS_OF

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    return tmp_path


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
    assert len(report.figures) == 2
    text = pdf_text(render(report))
    assert [int(n) for n in re.findall(r"Figura\s(\d+):", text)] == [1, 2]
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
    small = [c for t in internal.tables for r in t.rows for c in r[1:] if re.fullmatch(r"[1-4]", c)]
    assert small, "the small demo should have small family counts in a month"
    public_cells = [c for t in public.tables for r in t.rows for c in r]
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
