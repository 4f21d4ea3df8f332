"""Measures as data: export, import (dry run, commit, all or nothing), the admin's form, and the state reloading."""

from __future__ import annotations

import json

import pytest

from observatorio import cli, state
from observatorio.records import measure_io
from observatorio.records.models import Category, Combine, Measure, Source


@pytest.fixture(autouse=True)
def fresh_state():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def sources(db):
    from observatorio.records.taxonomy import seed_taxonomy

    seed_taxonomy()
    made = {code: Source.objects.create(code=code, name=name, kind=kind) for code, name, kind in (
        ("cead-policial", "Casos policiales", "stop"), ("denuncias", "Denuncias", "denuncia"),
        ("cead", "CEAD mensual", "cead"), ("1461", "Central 1461", "1461"))}
    return made


def write(tmp_path, data, name="medidas.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_export_names_sources_and_categories_by_code(sources):
    data = measure_io.export_measures()
    assert data["format"] == "observatorio-measures"
    by_code = {m["code"]: m for m in data["measures"]}
    assert list(by_code) == list(Measure.objects.order_by("position", "code").values_list("code", flat=True))
    police = by_code["casos-policiales"]
    # The standard measure took the new sources of its kind (records.measures.attach_new_source).
    assert police["sources"] == ["cead-policial"] and police["reference_source"] == "cead"
    assert set(police) == set(measure_io.FIELDS)


def test_an_exported_file_imports_unchanged(sources, tmp_path):
    path = write(tmp_path, measure_io.export_measures())
    report = measure_io.import_measures(path, commit=True)
    assert report.errors == [] and report.written == 0
    assert report.details["unchanged"] == list(Measure.objects.values_list("code", flat=True))


def new_measure(**changes) -> dict:
    base = {"code": "policiales-y-denuncias", "name": "Casos policiales y denuncias", "unit": "casos",
            "sources": ["cead-policial", "denuncias"], "combine": Combine.SHARED_ID,
            "primary_source": "cead-policial", "link_attribute": "caso_policial",
            "categories": ["robo-violencia", "familia-propiedad"], "definition": "Casos, una vez cada uno."}
    return {**base, **changes}


def test_dry_run_writes_nothing_and_commit_writes_everything(sources, tmp_path):
    data = measure_io.export_measures()
    data["measures"][0]["name"] = "Casos policiales (CEAD)"
    data["measures"].append(new_measure())
    path = write(tmp_path, data)
    before = measure_io.export_measures()
    old_key = state.current().key
    dry = measure_io.import_measures(path)
    assert not dry.committed and dry.errors == []
    assert (dry.details["created"], dry.details["updated"], dry.written) == (["policiales-y-denuncias"],
                                                                            ["casos-policiales"], 2)
    assert measure_io.export_measures() == before
    done = measure_io.import_measures(path, commit=True)
    assert done.committed and done.written == 2
    made = Measure.objects.get(code="policiales-y-denuncias")
    assert sorted(made.sources.values_list("code", flat=True)) == ["cead-policial", "denuncias"]
    assert sorted(made.categories.values_list("code", flat=True)) == ["familia-propiedad", "robo-violencia"]
    assert made.primary_source.code == "cead-policial" and made.combine == Combine.SHARED_ID
    assert Measure.objects.get(code="casos-policiales").name == "Casos policiales (CEAD)"
    # The data state sees the change by itself: its catalog key moved.
    fresh = state.current()
    assert fresh.key != old_key
    assert fresh.catalog.measure("casos-policiales").name == "Casos policiales (CEAD)"
    linked = fresh.catalog.measure("policiales-y-denuncias")
    family = Category.objects.get(code="familia-propiedad")
    assert linked.links and set(linked.categories) == {Category.objects.get(code="robo-violencia").id, family.id,
                                                       *family.children.values_list("id", flat=True)}


@pytest.mark.parametrize("changes, field, code", [
    ({"sources": ["cead-policial", "carabineros"]}, "sources", "measure_unknown_source"),
    ({"categories": ["robos"]}, "categories", "measure_unknown_category"),
    ({"kind": "suma"}, "kind", "measure_bad_value"),
    ({"combine": Combine.SINGLE}, "combine", "measure_rule"),
    ({"link_attribute": ""}, "combine", "measure_rule"),
    ({"link_metres": -5}, "link_metres", "measure_bad_value"),
    ({"sensitive": "no"}, "sensitive", "measure_bad_value"),
    ({"colour": "red"}, "colour", "measure_unknown_field"),
    ({"definition": ""}, "definition", "measure_required"),
    ({"reference_source": "denuncias"}, "reference_source", "measure_rule"),
    ({"code": "policiales y denuncias"}, "code", "measure_bad_value"),
], ids=["source", "category", "kind", "single", "no-attribute", "metres", "sensitive", "unknown-field",
        "no-definition", "reference", "code"])
def test_bad_input_names_file_measure_field_and_fix_and_writes_nothing(sources, tmp_path, changes, field, code):
    good = dict(measure_io.export_measures()["measures"][0], name="Otro nombre")
    path = write(tmp_path, {"measures": [good, new_measure(**changes)]})
    before = measure_io.export_measures()
    report = measure_io.import_measures(path, commit=True)
    assert not report.committed and report.valid == 1
    assert [(e.row, e.column, e.code) for e in report.errors] == [(2, field, code)]
    message = report.errors[0].message
    measure = changes.get("code", "policiales-y-denuncias")
    assert str(path) in message and f"measure 2 ({measure})" in message and repr(field) in message
    assert report.errors[0].fix
    assert measure_io.export_measures() == before  # the valid measure was not written either


@pytest.mark.parametrize("text, fragment", [("{not json", "not a UTF-8 JSON file"), ('{"x": 1}', "no list"),
                                            ("[1]", "is not an object")])
def test_a_file_that_is_not_a_list_of_measures(db, tmp_path, text, fragment):
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf-8")
    report = measure_io.import_measures(path, commit=True)
    assert [e.code for e in report.errors] == ["measure_bad_file"] and fragment in report.errors[0].message


def test_a_repeated_code_is_an_error(sources, tmp_path):
    report = measure_io.import_measures(write(tmp_path, [new_measure(), new_measure(name="Otra")]))
    assert [(e.row, e.code) for e in report.errors] == [(2, "measure_repeated")]


def test_a_failure_while_writing_leaves_nothing_half_written(sources, tmp_path, monkeypatch):
    path = write(tmp_path, [new_measure(), new_measure(code="otra", name="Otra")])
    real = measure_io._save
    calls = []

    def failing(measure, values, *args):
        calls.append(values["code"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(measure, values, *args)

    monkeypatch.setattr(measure_io, "_save", failing)
    with pytest.raises(RuntimeError):
        measure_io.import_measures(path, commit=True)
    assert calls == ["policiales-y-denuncias", "otra"]
    assert not Measure.objects.filter(code__in=["policiales-y-denuncias", "otra"]).exists()


def test_the_commands(sources, tmp_path, capsys):
    path = tmp_path / "medidas.json"
    assert cli.main(["measures", "export", str(path)]) == 0
    assert f"{Measure.objects.count()} medidas escritas en {path}" in capsys.readouterr().out
    assert cli.main(["measures", "export"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(path.read_text(encoding="utf-8"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["measures"].append(new_measure())
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["measures", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "nuevas: policiales-y-denuncias" in out and "prueba: no se escribió nada; agregue --commit" in out
    assert not Measure.objects.filter(code="policiales-y-denuncias").exists()
    assert cli.main(["measures", "import", str(path), "--commit"]) == 0
    assert Measure.objects.filter(code="policiales-y-denuncias").exists()
    data["measures"][-1]["sources"] = ["carabineros", "denuncias"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["measures", "import", str(path), "--commit"]) == 2
    out = capsys.readouterr().out
    row = len(data["measures"])
    assert (f"{path}: medida {row} (policiales-y-denuncias), campo «sources»: No existe una fuente con ese código. "
            "(carabineros)") in out
    assert "no se escribió nada" in out
    assert cli.main(["--lang", "en", "measures", "import", str(path), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "measures" and report["errors"][0]["column"] == "sources"
    assert "policiales-y-denuncias" in report["errors"][0]["message"]


# --- the admin --------------------------------------------------------------------------------------------------


def test_the_admin_lists_measures_and_refuses_a_dishonest_combination(sources, client, personas):
    client.force_login(personas["alice"])
    listing = client.get("/admin/records/measure/")
    assert listing.status_code == 200 and "Casos policiales" in listing.content.decode()
    add = client.get("/admin/records/measure/add/").content.decode()
    assert 'class="selectfilter"' in add or "selectfilter" in add  # filter_horizontal on sources and categories
    form = {"code": "dos-fuentes", "name": "Dos fuentes", "unit": "casos", "kind": "conteo", "position": 50,
            "definition": "Prueba.", "sources": [sources["cead-policial"].id, sources["denuncias"].id],
            "combine": Combine.SINGLE, "link_attribute": "", "link_metres": 100, "link_hours": 24}
    refused = client.post("/admin/records/measure/add/", form)
    assert refused.status_code == 200 and "declare cómo se combinan" in refused.content.decode()
    assert not Measure.objects.filter(code="dos-fuentes").exists()
    old = state.current().key
    saved = client.post("/admin/records/measure/add/", {**form, "combine": Combine.DISJOINT})
    assert saved.status_code == 302
    assert state.current().key != old and state.current().catalog.measure("dos-fuentes").combine == Combine.DISJOINT
    wrong_reference = client.post("/admin/records/measure/add/", {**form, "code": "otra", "combine": Combine.DISJOINT,
                                                                  "reference_source": sources["1461"].id})
    assert wrong_reference.status_code == 200 and "conteos agregados (CEAD)" in wrong_reference.content.decode()
