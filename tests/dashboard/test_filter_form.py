"""The one filter form (dashboard and map): dates dd-mm-aaaa and ISO give the same filters, errors said in words
with the field's label, measures without events flagged, the reason a selection counts nothing; and the 404
page with debug off, as `make run` now serves.

On the small demo (Peñalolén, 3,000 events up to 25-11-2026; «Demandas vecinales» has no events).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import QueryDict
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(demo, db):
    from observatorio import state

    state.reset()
    return state.current()


@pytest.fixture
def bob(demo, db, personas, as_user):
    return as_user(personas["bob"])


def _parse(data, query: str):
    from observatorio.dashboard.filters import parse_filters

    return parse_filters(QueryDict(query), data)


def test_dates_typed_dd_mm_aaaa_and_iso_links_give_the_same_filters(data):
    typed, errors = _parse(data, "period=custom&start=01-03-2026&end=31-03-2026")
    assert not errors
    iso, errors = _parse(data, "period=custom&start=2026-03-01&end=2026-03-31")
    assert not errors and typed == iso
    assert (typed.start.isoformat(), typed.end.isoformat()) == ("2026-03-01", "2026-03-31")
    month, errors = _parse(data, "period=month&month=03-2026")
    assert not errors and month == _parse(data, "period=month&month=2026-03")[0]
    assert (month.start.isoformat(), month.end.isoformat()) == ("2026-03-01", "2026-03-31")


def test_the_form_shows_dates_as_dd_mm_aaaa_and_flags_measures_without_events(data):
    from observatorio.dashboard.filter_form import form_fields

    f, _errors = _parse(data, "period=custom&start=2026-03-01&end=2026-03-31")
    fields = form_fields(data, QueryDict(""), f)
    assert (fields["chosen"]["start"], fields["chosen"]["end"]) == ("01-03-2026", "31-03-2026")
    assert fields["chosen"]["month"] == "10-2026"  # ready for «un mes»: the last full month before 25-11-2026
    empty = {m["code"] for m in fields["measures"] if m["empty"]}
    assert empty == {"demandas-vecinales"}
    assert fields["measures_without_events"] == ["Demandas vecinales"]
    # A URL that did not parse: the values as typed, to correct rather than type again.
    raw = form_fields(data, QueryDict("period=custom&start=ayer&month=2026-02&area=7&area=9"), None)
    assert raw["chosen"]["start"] == "ayer" and raw["chosen"]["month"] == "02-2026"
    assert raw["many"]["area"] == {"7", "9"}


ERRORS = {
    "custom-without-dates": ("period=custom", "Un período personalizado necesita la fecha de inicio y la de término "
                                              "(dd-mm-aaaa).",
                             "A custom period needs a start and an end date (dd-mm-yyyy)."),
    "bad-date": ("period=custom&start=31-02-2026&end=31-03-2026",
                 "Desde: escriba la fecha como dd-mm-aaaa (por ejemplo 31-01-2026).",
                 "From: write the date as dd-mm-yyyy (for example 31-01-2026)."),
    "half-hours": ("hour_from=20", "El filtro de horas necesita la hora de inicio y la de término.",
                   "The hour filter needs both a start and an end hour."),
    "bad-hour": ("hour_from=24&hour_to=6", "Desde la hora: ", "From hour: "),
    "bad-month": ("period=month&month=13-2026", "Mes: escriba el mes como mm-aaaa (por ejemplo 03-2026).",
                  "Month: write the month as mm-yyyy (for example 03-2026)."),
}


@pytest.mark.parametrize("query,spanish,english", ERRORS.values(), ids=ERRORS.keys())
def test_filter_errors_are_said_in_words_never_as_parameter_names(bob, query, spanish, english):
    for path in ("/tablero/", "/mapa/"):
        page = bob.get(f"{path}?{query}").content.decode()
        errors = re.search(r'<div class="alert alert--error" role="alert"[^>]*>(.*?)</div>', page, re.S).group(1)
        assert spanish in errors, (path, errors)
        assert not re.search(r"(__all__|start|end|hour_from|hour_to|month):", errors), errors
    bob.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = bob.get(f"/tablero/?{query}").content.decode()
    assert english in page
    bob.cookies[settings.LANGUAGE_COOKIE_NAME] = "es-cl"


def test_error_sentences_name_each_field_by_its_label():
    from observatorio.dashboard.filters import error_sentences

    with translation.override("es-cl"):
        lines = error_sentences({"start": ["escriba la fecha como dd-mm-aaaa (por ejemplo 31-01-2026)."],
                                 "__all__": ["el período «un año» necesita el año."],
                                 "disclosure": ["Vista no disponible."], "area": ["Escoja una opción válida."]})
    assert lines == ["Desde: escriba la fecha como dd-mm-aaaa (por ejemplo 31-01-2026).",
                     "El período «un año» necesita el año.", "Vista no disponible.",
                     "Áreas: Escoja una opción válida."]


def _reason(data, query: str) -> str:
    from observatorio.dashboard.filter_form import empty_reason

    f, errors = _parse(data, query)
    assert not errors
    with translation.override("es-cl"):
        return empty_reason(data, f)


def test_an_empty_selection_says_why(data):
    assert _reason(data, "measure=demandas-vecinales") == (  # the demo has no source of neighbours' demands
        "La medida «Demandas vecinales» no tiene fuentes asignadas: un administrador puede asignarlas en la página "
        "de la medida.")
    outside = _reason(data, "period=custom&start=01-01-2001&end=31-01-2001")
    assert outside.startswith("Los datos de «Casos policiales» cubren del ")
    assert outside.endswith("al 22-11-2026; el período elegido (del 01-01-2001 al 31-01-2001) queda fuera.")
    assert _reason(data, "period=7d&hour_from=3&hour_to=4&weekday=0").startswith(
        "Ningún evento de «Casos policiales» del 19-11-2026 al 25-11-2026 cumple los filtros de horas, días de la "
        "semana")


def test_the_pages_say_sin_datos_with_the_reason_and_draw_no_empty_chart(bob):
    board = bob.get("/tablero/?period=custom&start=01-01-2001&end=31-01-2001").content.decode()
    assert 'id="empty-selection"' in board and "Sin datos para esta selección" in board and "queda fuera" in board
    assert 'data-figure="' not in board and 'id="changes-table"' not in board
    full = bob.get("/tablero/?period=12m").content.decode()
    assert 'id="empty-selection"' not in full and 'data-figure="tendencia"' in full
    map_page = bob.get("/mapa/?measure=demandas-vecinales").content.decode()
    assert 'id="empty-selection"' in map_page and "no tiene fuentes asignadas" in map_page


def test_make_run_serves_with_debug_off():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "export OBS_DEBUG ?= false" in run and "true" not in run


def test_the_404_is_the_observatorys_page_with_debug_off(client, personas):
    assert settings.DEBUG is False  # as `make run` now serves
    client.force_login(personas["bob"])
    response = client.get("/tablero/no-existe/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Página no encontrada" in page and "Observatorio de Seguridad Humana" in page
    assert "<code>/tablero/no-existe/</code>" in page and 'href="/tablero/"' in page
    assert "URLconf" not in page and "urlpatterns" not in page
    assert 'lang="es-CL"' in page
    static = client.get("/static/obs/plots.js")  # WhiteNoise still serves the static files
    assert static.status_code == 200
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Page not found" in client.get("/no-existe/").content.decode()
