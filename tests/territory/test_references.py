"""`observatorio territory reference`: a reference layer (streets, blocks) checked, dry run by default,
stored with --commit (a new version on re-import), and a message naming the file, feature and fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from observatorio import cli
from observatorio.errors import UserError
from observatorio.territory.models import ReferenceLayer
from observatorio.territory.references import import_reference
from tests.conftest import shared_file

STREETS = Path(__file__).parent / "data" / "reference_streets.geojson"


def _reference(*extra):
    return cli.main(["territory", "reference", str(STREETS), "--kind", "streets", "--name-field", "via", *extra])


@pytest.mark.django_db
def test_dry_run_writes_nothing_then_commit_stores_the_layer(capsys):
    assert _reference() == 0
    assert capsys.readouterr().out.splitlines() == [
        "reference_streets.geojson (capa de referencia): leídas 4, válidas 4, se escribirían 4",
        "prueba: no se escribió nada; agregue --commit"]
    assert ReferenceLayer.objects.count() == 0

    assert _reference("--name", "calles", "--commit") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "escrito"
    held = ReferenceLayer.objects.get()
    assert (held.name, held.kind, held.name_field, held.features, held.version) == ("calles", "streets", "via", 4, 1)
    features = json.loads(held.geojson)["features"]
    assert [f["properties"]["name"] for f in features] == ["AVENIDA GRECIA", "AVENIDA GRECIA", "LAS PARCELAS", ""]
    assert features[2]["geometry"]["type"] == "MultiLineString"
    assert features[0]["geometry"]["coordinates"][0] == [-70.56, -33.47]  # WGS84, as read

    from observatorio.state.key import read_key

    first, key = held.id, read_key().territory
    assert _reference("--name", "calles", "--commit") == 0  # again: replaced, next version, a new row
    held = ReferenceLayer.objects.get()
    assert held.version == 2 and held.id != first
    assert read_key().territory != key  # the map's layers are built again


@pytest.mark.django_db
def test_a_file_of_the_wrong_kind_is_refused_naming_file_feature_and_fix(capsys):
    assert cli.main(["territory", "reference", str(STREETS), "--kind", "blocks", "--commit"]) == 2
    err = capsys.readouterr().err  # one line, in Spanish: file, first feature, the types found, the fix
    assert "reference_streets.geojson, fila 1, columna «geometry», valor «LineString, MultiLineString»" in err
    assert "Impórtela con --kind other, o corrija el archivo" in err and len(err.splitlines()) == 1
    assert cli.main(["--lang", "en", "territory", "reference", str(STREETS), "--kind", "blocks", "--commit"]) == 2
    assert "4 features of reference_streets.geojson (the first: feature 1) are LineString" in capsys.readouterr().err
    assert ReferenceLayer.objects.count() == 0
    with pytest.raises(UserError, match=r"no field 'calle' in reference_streets.geojson; fields are: via"):
        import_reference(STREETS, "streets", "calle")
    with pytest.raises(UserError, match="tipo de capa desconocido «roads»; use uno de: streets, blocks, other"):
        import_reference(STREETS, "roads")


def test_the_cli_offers_the_models_kinds():
    from observatorio.commands.territory import REFERENCE_KINDS
    from observatorio.territory.models import ReferenceKind

    assert REFERENCE_KINDS == tuple(ReferenceKind.values)


@pytest.mark.django_db
def test_a_file_that_is_not_geographic_names_the_file(tmp_path):
    bad = tmp_path / "calles.geojson"
    bad.write_text("via;nombre\n1;2\n", encoding="utf-8")
    with pytest.raises(UserError, match="no se puede leer calles.geojson"):
        import_reference(bad, "streets", "via")


@pytest.mark.django_db
@pytest.mark.shared_data
def test_the_real_penalolen_streets_and_blocks():
    streets = import_reference(shared_file("penalolen", "calles_maestro_2018_parcial.geojson"), "streets", "via",
                               name="calles", commit=True)
    assert streets.read == streets.valid == 5131
    assert streets.named > 5000
    blocks = import_reference(shared_file("penalolen", "manzanas_ine.geojson"), "blocks", name="manzanas",
                              commit=True)
    assert blocks.valid == 1794 and blocks.named == 0
    names = {f["properties"]["name"] for f in json.loads(ReferenceLayer.objects.get(name="calles").geojson)["features"]}
    assert "CARRETERA AMERICO VESPUCIO" in names
