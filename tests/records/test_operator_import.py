"""Import for operators (issue #14, point 10): a unit's real export imports without a manual mapping.

Column names are matched tolerantly (accents, case, "de", word order) and the page says why; every demo
source has its label table; extra columns can be kept as attributes (never personal ones); a point outside
the comuna is a counted warning; the progress page goes on by itself (static JS; the browser test drives it).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from observatorio.records.pipeline import run_import
from observatorio.records.pipeline.mapping import SAME_NAME, SAVED, TOLERANT, resolve_mapping
from observatorio.records.pipeline.names import column_key
from observatorio.records.sources import CONFIGS, config_for
from tests.records.test_pipeline_fixtures import point_text, territory  # noqa: F401 - fixture
from tests.records.test_web_support import login, token_of, upload, web  # noqa: F401 - fixture
from tests.records.test_wording import COMMAND

AS_OF = dt.date(2026, 11, 30)
OUTSIDE = (-70.6693, -33.4489)  # Plaza de Armas, Santiago: not in Peñalolén

# What the 1461 call centre's own system exports: its headers ("N° Folio", "Tipo de llamado", "Fecha del
# llamado"), the words its operators type, decimal-comma coordinates, a patrol car and notes worth keeping,
# and the caller's name and phone, which are never stored.
CALL_TYPES = ["Ruidos molestos", "Vehículo sospechoso", "Solicitud de patrullaje", "Riña", "Luminaria apagada",
              "Perros vagos", "Bebedores en la vía pública", "Persona sospechosa", "Consumo de drogas", "Robo",
              "Violencia intrafamiliar", "Emergencia médica", "Fiesta ruidosa", "Auto abandonado"]
CALLS_HEADER = ("N° Folio;Fecha del llamado;Hora;Tipo de llamado;Dirección;Latitud;Longitud;Móvil asignado;"
                "Resultado;Observaciones;Nombre del denunciante;Teléfono")


def realistic_1461(points, outside=True) -> str:
    """A month of the call centre's export: one call per point (lon, lat), the last one outside the comuna."""
    rows = [CALLS_HEADER]
    located = list(points) + ([OUTSIDE] if outside else [])
    for i, (lon, lat) in enumerate(located):
        day = dt.date(2026, 11, 1) + dt.timedelta(days=i % 28)
        rows.append(f"LL-{2611000 + i};{day:%d-%m-%Y};{8 + i % 14:02d}:{(7 * i) % 60:02d};"
                    f"{CALL_TYPES[i % len(CALL_TYPES)]};Calle {i} #{100 + i};{point_text((lon, lat))};"
                    f"M-{1 + i % 4};{'Atendido' if i % 3 else 'Sin moradores'};Vecino reitera;"
                    f"Persona {i};+56 9 1234 {5600 + i}")
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- the tolerant matcher


@pytest.mark.parametrize("header", ["Tipo de llamado", "llamado_tipo", "TIPO LLAMADO", "Tipo del  Llamado",
                                    "tipo-de-la-llamado", "LLAMADO, TIPO DE"])
def test_a_header_written_another_way_has_the_same_tolerant_key(header):
    assert column_key(header) == column_key("tipo llamado") == "llamado tipo"


def test_headers_that_differ_in_a_meaningful_word_stay_apart():
    assert column_key("Hora de despacho") != column_key("Hora de llegada")
    assert column_key("Fecha") != column_key("Fecha del llamado")
    assert column_key("N° Folio") == column_key("folio")


@pytest.mark.parametrize("header", ["Tipo de llamado", "llamado_tipo", "TIPO LLAMADO", "Típo de Llamado"])
def test_the_label_column_is_found_in_any_spelling_and_the_mapping_says_why(header):
    mapping = resolve_mapping("enero.csv", ["Folio", "Fecha", header], "1461", config_for("1461"))
    assert mapping.columns["label"] == header
    how, looked_for = mapping.reasons["label"]
    assert looked_for == "tipo llamado"
    # Only case, accents and separators differ: the plain comparison finds it; otherwise the tolerant one.
    assert how == (SAME_NAME if header == "TIPO LLAMADO" else TOLERANT)
    assert mapping.reasons["occurred_on"] == (SAME_NAME, "fecha")


def test_an_exact_name_wins_over_a_tolerant_one_and_a_tolerant_match_takes_no_used_column():
    mapping = resolve_mapping("enero.csv", ["Folio", "Fecha", "Llamado tipo", "Tipo"], "1461", config_for("1461"))
    assert (mapping.columns["label"], mapping.reasons["label"]) == ("Tipo", (SAME_NAME, "tipo"))
    # "Fecha del llamado" is the usual "fecha llamado", but "Fecha" itself is a usual name and comes first.
    mapping = resolve_mapping("enero.csv", ["Fecha del llamado", "Fecha", "Tipo"], "1461", config_for("1461"))
    assert mapping.columns["occurred_on"] == "Fecha"


def test_a_saved_column_is_found_written_another_way_and_says_it_was_saved():
    saved = {"columns": {"label": "tipo_de_llamado"}, "version": 3}
    mapping = resolve_mapping("enero.csv", ["Fecha", "TIPO LLAMADO"], "1461", config_for("1461"), saved)
    assert mapping.columns["label"] == "TIPO LLAMADO" and mapping.reasons["label"] == (SAVED, "tipo_de_llamado")


def test_the_realistic_header_maps_every_field_without_help():
    mapping = resolve_mapping("llamados.csv", CALLS_HEADER.split(";"), "1461", config_for("1461"))
    assert mapping.columns == {"external_id": "N° Folio", "occurred_on": "Fecha del llamado", "occurred_time": "Hora",
                               "label": "Tipo de llamado", "address": "Dirección", "lat": "Latitud",
                               "lon": "Longitud"}
    assert mapping.attributes == {"resultado": "Resultado"}


# --------------------------------------------------------------------------- label tables


def test_every_default_label_names_a_category_of_the_tree():
    from observatorio.taxonomy import CEAD_CATEGORIES, MUNICIPAL_CATEGORIES

    codes = {c for c, *_ in CEAD_CATEGORIES} | {c for c, _ in MUNICIPAL_CATEGORIES}
    unknown = {(kind, label, code) for kind, config in CONFIGS.items() for label, code in config.crosswalk.items()
               if code not in codes}
    assert unknown == set()


def _write(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _inside_points(n):
    from observatorio.records.models import Event

    return list(Event.objects.filter(source__code="1461", outside=False, lon__isnull=False)
                .order_by("id").values_list("lon", "lat")[:n])


def _uvs(n):
    from observatorio.territory.models import Area

    return list(Area.objects.filter(level="uv").order_by("code").values_list("code", flat=True)[:n])


def _realistic_files(tmp_path) -> dict[str, Path]:
    """One realistic export per demo source, in its unit's own headers and words."""
    points = _inside_points(20)
    uvs = _uvs(4)
    police = ["ROBO CON INTIMIDACIÓN", "HURTO SIMPLE", "LESIONES LEVES", "AMENAZAS", "ROBO EN LUGAR HABITADO",
              "DAÑOS", "Robo de vehículo", "Microtráfico", "Receptación de especies", "Violencia intrafamiliar"]
    crimes = "\n".join(f"P-{900 + i};{dt.date(2026, 10, 1 + i):%d/%m/%Y};{10 + i}:15;{label};{point_text(points[i])};"
                       f"Cuadrante {i % 3 + 1}" for i, label in enumerate(police))
    patrol = ["Consumo de alcohol", "Persona sospechosa", "Microbasural", "Luminaria", "Perro suelto", "Otros",
              "Patrullaje preventivo", "Conflicto entre vecinos"]
    vif = ["VIF", "Violencia física", "Violencia psicológica", "Amenazas", "Lesiones leves", "Maltrato habitual"]
    return {
        "1461": _write(tmp_path, "llamados.csv", realistic_1461(points, outside=False)),
        "cead-policial": _write(tmp_path, "partes.csv", "N° parte;Fecha del delito;Hora del delito;Delito;Latitud;"
                                                        "Longitud;Cuadrante\n" + crimes + "\n"),
        "denuncias": _write(tmp_path, "denuncias.csv", "RUC;Fecha del hecho;Hora;Glosa del delito;Latitud;Longitud;"
                                                       "Fiscalía\n" + crimes.replace("P-", "RUC-") + "\n"),
        "patrullaje": _write(tmp_path, "patrullaje.csv", "N° procedimiento;Fecha;Hora;Motivo;Latitud;Longitud;"
                             "Móvil;Turno\n" + "\n".join(
                                 f"PP-{i};{dt.date(2026, 10, 2 + i):%d-%m-%Y};2{i % 4}:00;{label};"
                                 f"{point_text(points[10 + i])};M-{i};Noche" for i, label in enumerate(patrol)) + "\n"),
        "vif": _write(tmp_path, "vif.csv", "ID caso;Fecha de ingreso;Tipo de violencia;Relación con el agresor;"
                                           "Derivación;UV\n" + "\n".join(
                                               f"C-{i};{dt.date(2026, 9, 3 + i):%d-%m-%Y};{label};Pareja;CAVD;"
                                               f"{uvs[i % len(uvs)]}" for i, label in enumerate(vif)) + "\n"),
        "cead": _write(tmp_path, "cead.csv", "CUT comuna;Comuna;Fecha;Delito;Casos\n" + "\n".join(
            f"13122;Peñalolén;01-{m:02d}-2026;{label};{7 + m}" for m in (1, 2)
            for label in ("Hurtos", "Robo por sorpresa", "Amenazas")) + "\n"),
        "encuesta-percepcion": _write(tmp_path, "encuesta.csv", "Folio;Fecha de la entrevista;UV;Factor de expansión;"
                                      "Percepción de inseguridad;Victimización;Sexo\n" + "\n".join(
                                          f"E-{i};{dt.date(2026, 6, 1 + i):%d-%m-%Y};{uvs[i % len(uvs)]};1,{i};"
                                          f"{'Inseguro' if i % 2 else 'Seguro'};{'Sí' if i % 3 else 'No'};F"
                                          for i in range(1, 7)) + "\n"),
    }


def test_a_realistic_file_of_every_demo_source_imports_with_no_row_rejected(demo, db, tmp_path):
    from observatorio.demo.events import SOURCES

    files = _realistic_files(tmp_path)
    assert set(files) == {s.code for s in SOURCES} | {"encuesta-percepcion"}
    for code, path in files.items():
        result = run_import(path, code, as_of=AS_OF)
        rejected = [(e.row, e.column, e.value, e.code) for e in result.errors]
        assert (code, result.rejected, rejected) == (code, 0, []), result.unmapped_categories
        assert result.read > 0 and result.imported == result.read, code


def test_seeding_the_defaults_keeps_a_label_the_table_already_has(demo, db):
    from observatorio.records.models import CategoryLabel, Source
    from observatorio.records.pipeline.crosswalk import seed_default_crosswalk
    from observatorio.records.pipeline.names import name_key

    source = Source.objects.get(code="1461")
    labels = [name_key(label) for label in CategoryLabel.objects.filter(source=source).values_list("label", flat=True)]
    assert len(labels) == len(set(labels))  # each label once: the demo's and the defaults never overlap
    assert {"ruidos", "rina", "vehiculo sospechoso"} <= set(labels)
    assert seed_default_crosswalk(source, config_for("1461"), complete=True) == 0


# --------------------------------------------------------------------------- the pages


def test_the_operator_sees_which_column_was_chosen_and_why(client, web, personas, tmp_path, territory):  # noqa: F811
    points = [p for _area, p in territory.values()]
    path = _write(tmp_path, "llamados_noviembre.csv", realistic_1461(points))
    login(client, "olga")
    token = token_of(upload(client, path))
    preview = client.get(f"/cargas/archivo/{token}/").content.decode()
    assert preview.count('data-field="') == 7 and "Validar (sin escribir)" in preview
    row = re.search(r'<tr data-field="label">(.*?)</tr>', preview, re.S).group(1)
    assert "Tipo de llamado" in row and "Se parece al nombre habitual «tipo llamado»" in row

    page = client.get(f"/cargas/archivo/{token}/columnas/").content.decode()
    reason = re.search(r'<p class="help" data-reason="label">(.*?)</p>', page, re.S).group(1)
    assert "«tipo llamado»" in reason and "«de»" in reason
    # The name and the phone of the caller are never offered as attributes, and are named as personal data.
    extra = re.search(r'<div id="id_extra">(.*?)</div>\s*\n', page, re.S).group(1)
    assert "Observaciones" in extra and "Móvil asignado" in extra
    assert "Nombre del denunciante" not in extra and "Teléfono" not in extra
    assert re.search(r'id="protected-columns">.*Nombre del denunciante.*Teléfono', page, re.S)


def test_extra_columns_are_kept_as_attributes_but_never_a_personal_one(client, web, personas, tmp_path,
                                                                         territory):  # noqa: F811
    from observatorio.records.models import Event, Source, SourceMapping

    points = [p for _area, p in territory.values()]
    # A RUT typed into the notes of the first call is masked in the kept attribute.
    text = realistic_1461(points, outside=False).replace("Vecino reitera", "Vecino 12.345.678-5 reitera", 1)
    path = _write(tmp_path, "llamados_noviembre.csv", text)
    login(client, "olga")
    token = token_of(upload(client, path))
    url = f"/cargas/archivo/{token}/columnas/"
    form = {"occurred_on": "Fecha del llamado", "occurred_time": "Hora", "label": "Tipo de llamado",
            "external_id": "N° Folio", "address": "Dirección", "lat": "Latitud", "lon": "Longitud"}
    refused = client.post(url, {**form, "extra": ["Observaciones", "Teléfono"]})
    assert refused.status_code == 200 and "Teléfono" in str(refused.context["form"].errors["extra"])
    assert not SourceMapping.objects.exists()

    assert client.post(url, {**form, "extra": ["Observaciones", "Móvil asignado"]}).status_code == 302
    saved = SourceMapping.objects.get()
    # Ticked columns are kept under their names; "Resultado", kept by default, was left unticked: not kept.
    assert {k: v for k, v in saved.columns.items() if k.startswith("attr:")} == {
        "attr:observaciones": "Observaciones", "attr:movil_asignado": "Móvil asignado", "attr:resultado": ""}
    result = run_import(path, Source.objects.get(code="1461"), commit=True, as_of=AS_OF)
    assert result.rejected == 0
    attributes = Event.objects.filter(batch_id=result.batch).order_by("id").first().attributes
    assert attributes["observaciones"] == "Vecino [RUT] reitera" and attributes["movil_asignado"] == "M-1"
    assert "Persona" not in str(attributes) and "+56" not in str(attributes)

    assert "resultado" not in attributes
    # Unticking a kept column stops keeping it; ticking the default one again keeps it.
    assert client.post(url, {**form, "extra": ["Móvil asignado", "Resultado"]}).status_code == 302
    latest = SourceMapping.objects.order_by("-version").first()
    assert latest.columns["attr:observaciones"] == "" and latest.columns["attr:resultado"] == "Resultado"


def test_a_point_outside_the_comuna_is_a_counted_warning_in_spanish(client, web, personas, tmp_path,
                                                                   territory):  # noqa: F811
    from observatorio.records.models import ImportBatch

    points = [p for _area, p in territory.values()]
    path = _write(tmp_path, "llamados_noviembre.csv", realistic_1461(points))
    result = run_import(path, "1461", as_of=AS_OF)
    outside = [(w.row, w.code) for w in result.warnings if w.code == "point_outside"]
    assert outside == [(len(points) + 2, "point_outside")] and result.rejected == 0
    assert result.imported == result.read  # kept, without an area
    assert ImportBatch.objects.get(pk=result.batch).report["warning_codes"] == {"point_outside": 1}

    login(client, "olga")
    token = token_of(upload(client, path))
    client.post(f"/cargas/archivo/{token}/validar/")
    html = client.get(f"/cargas/archivo/{token}/informe/").content.decode()
    assert "1 punto está fuera de la comuna: se guarda sin área" in html
    assert "El punto está fuera de la comuna; el evento se guarda sin área." in html
    assert "outside the comuna" not in html and COMMAND.search(html) is None


def test_without_the_comuna_boundary_a_point_in_no_area_is_the_warning(db, tmp_path, territory):  # noqa: F811
    from observatorio.territory.models import Boundary

    Boundary.objects.filter(area__level="comuna").delete()
    points = [p for code, (_area, p) in territory.items() if code != "13122"]
    result = run_import(_write(tmp_path, "llamados.csv", realistic_1461(points)), "1461", as_of=AS_OF)
    assert [w.row for w in result.warnings if w.code == "point_outside"] == [len(points) + 2]


def test_a_missing_column_is_explained_in_spanish_with_no_command(client, web, personas, tmp_path):
    path = _write(tmp_path, "llamados.csv", "Folio;Fecha\n1;05-11-2026\n")
    login(client, "olga")
    token = token_of(upload(client, path))
    html = client.get(f"/cargas/archivo/{token}/").content.decode()
    assert "Falta una columna obligatoria." in html
    assert "Campo sin columna: tipo o categoría en la fuente" in html and "«Revisar columnas»" in html
    assert "no column for label" not in html and COMMAND.search(html) is None


def test_the_progress_page_goes_on_by_itself_from_a_static_script():
    root = Path(__file__).resolve().parents[2] / "observatorio"
    script = (root / "static" / "obs" / "progress.js").read_text()
    assert 'data.status === "done" && data.next' in script and "window.location.replace(data.next)" in script
    assert ".catch(" in script  # a dropped poll is retried, not the end of the page
    template = (root / "records" / "templates" / "records" / "progress.html").read_text()
    assert "<script>" not in template and "progress.js" in template
