"""Boundary import: every bad file is refused with a message that says what to fix, and writes nothing."""

import datetime as dt

import geopandas as gpd
import pytest
import shapely
from shapely import Point, Polygon, box

from observatorio.territory.geometry import geodesic_km2
from observatorio.territory.importers import import_boundaries
from observatorio.territory.models import Area, Boundary, Level

# A toy comuna east of Santiago split into two macrosectors and four UVs.
COMUNA = box(-70.60, -33.50, -70.50, -33.45)
MACROS = {"M1": box(-70.60, -33.50, -70.55, -33.45), "M2": box(-70.55, -33.50, -70.50, -33.45)}
UVS = {
    "U1": box(-70.60, -33.50, -70.55, -33.475), "U2": box(-70.60, -33.475, -70.55, -33.45),
    "U3": box(-70.55, -33.50, -70.50, -33.475), "U4": box(-70.55, -33.475, -70.50, -33.45),
}
UV_MACRO = {"U1": "M1", "U2": "M1", "U3": "M2", "U4": "M2"}
COORD_TOL = 1e-7  # degrees, about 1 cm
# Writing a file without a .prj is the point of the no-CRS cases.
pytestmark = pytest.mark.filterwarnings("ignore:.crs. was not provided:UserWarning")


def counts():
    return Area.objects.count(), Boundary.objects.count()


def uv_frame(uvs=UVS, **extra_rows):
    rows = [{"code": c, "name": f"Unidad {c}", "macro": UV_MACRO.get(c, "M9"), "geometry": g} for c, g in uvs.items()]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def write(frame, path, **kwargs):
    frame.to_file(path, engine="pyogrio", **kwargs)
    return path


@pytest.fixture
def comuna(db):
    area = Area.objects.create(level=Level.COMUNA, code="13999", name="Comuna de prueba")
    b = Boundary(area=area, valid_from=dt.date(2023, 1, 1))
    b.set_shape(COMUNA, geodesic_km2(COMUNA))
    b.save()
    return area


@pytest.fixture
def macros(comuna):
    for code, geom in MACROS.items():
        area = Area.objects.create(level=Level.MACROSECTOR, code=code, name=f"Macrosector {code}", parent=comuna)
        b = Boundary(area=area, valid_from=dt.date(2023, 1, 1))
        b.set_shape(geom, geodesic_km2(geom))
        b.save()


# --- bad input --------------------------------------------------------------------------------------------------

BOWTIE = Polygon([(-70.60, -33.50), (-70.55, -33.45), (-70.55, -33.50), (-70.60, -33.45)])


def _bad_frames():
    with_none = uv_frame()
    with_none.loc[1, "geometry"] = None
    with_bowtie = uv_frame()
    with_bowtie.loc[2, "geometry"] = BOWTIE
    with_point = uv_frame()
    with_point.loc[1, "geometry"] = Point(-70.57, -33.47)
    dup = uv_frame()
    dup.loc[3, "code"] = "U1"
    dup.loc[1, "code"] = "U3"
    blank = uv_frame()
    blank.loc[0, "code"] = " "
    return {
        "empty geometry": (with_none, {}, "uv.geojson feature 2 (code U2): empty geometry; draw its boundary or "
                                          "remove the feature"),
        "invalid geometry": (with_bowtie, {}, f"uv.geojson feature 3 (code U3): la geometría no es válida "
                                              f"({shapely.is_valid_reason(BOWTIE)}); repárela (p. ej. con «Corregir "
                                              f"geometrías» de QGIS) y vuelva a intentarlo"),
        "point": (with_point, {}, "uv.geojson feature 2 (code U2): la geometría es un Point; las áreas deben ser "
                                  "Polygon o MultiPolygon"),
        "duplicate codes": (dup, {}, "duplicate codes in uv.geojson: U1 (features 1, 4), U3 (features 2, 3); every "
                                     "area needs its own code"),
        "empty code": (blank, {}, "uv.geojson feature 1: empty code in field 'code'; every area needs a code"),
        "missing field": (uv_frame(), {"code_field": "COD_UV"},
                          "no field 'COD_UV' in uv.geojson; fields are: code, name, macro"),
        "missing parent field": (uv_frame(), {"parent_field": "MACRO"},
                                 "no field 'MACRO' in uv.geojson; fields are: code, name, macro"),
        "unknown parent code": (uv_frame({"U1": UVS["U1"], "U9": UVS["U2"]}), {"parent_field": "macro"},
                                "uv.geojson feature 2 (code U9): no macrosector with code 'M9'; existing "
                                "macrosector codes: M1, M2"),
        "where matches nothing": (uv_frame(), {"where": {"macro": "M7"}},
                                  "ningún elemento de uv.geojson tiene macro = «M7»; valores, p. ej.: M1, M2"),
        "unknown level": (uv_frame(), {"level": "barrio"},
                          "nivel desconocido: «barrio»; los niveles son: comuna, macrosector, uv, zona_censal, "
                          "cuadrante, custom"),
    }


BAD = _bad_frames()


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_file_is_refused_with_the_fix_and_nothing_written(case, tmp_path, macros):
    frame, kwargs, message = BAD[case]
    path = write(frame, tmp_path / "uv.geojson")
    args = {"level": "uv", "code_field": "code", "name_field": "name", **kwargs}
    before = counts()
    with pytest.raises(ValueError) as err:
        import_boundaries(path, **args, commit=True)
    assert str(err.value) == message
    assert counts() == before


@pytest.mark.django_db
def test_file_without_crs_names_the_file_and_the_fix(tmp_path, macros):
    path = write(uv_frame().set_crs(None, allow_override=True), tmp_path / "uv.shp")
    assert not (tmp_path / "uv.prj").exists()
    before = counts()
    with pytest.raises(ValueError) as err:
        import_boundaries(path, "uv", "code", "name", commit=True)
    assert str(err.value) == ("uv.shp no tiene sistema de coordenadas: defínalo (.prj) o indique --crs EPSG:32719 "
                              "(el de sus coordenadas)")
    assert counts() == before
    # The suggested fix works.
    summary = import_boundaries(path, "uv", "code", "name", crs="EPSG:4326", commit=True)
    assert sorted(summary.created) == sorted(UVS)


@pytest.mark.django_db
def test_missing_file_and_missing_layer(tmp_path, macros):
    with pytest.raises(ValueError, match="^no existe el archivo .*nope.gpkg$"):
        import_boundaries(tmp_path / "nope.gpkg", "uv", "code", "name", commit=True)
    path = write(uv_frame(), tmp_path / "uv.gpkg", layer="uvs")
    with pytest.raises(ValueError) as err:
        import_boundaries(path, "uv", "code", "name", layer="uv", commit=True)
    assert str(err.value) == "uv.gpkg no tiene la capa «uv»; sus capas son: uvs"


@pytest.mark.django_db
def test_spatial_parent_needs_existing_parents(tmp_path, db):
    path = write(uv_frame(), tmp_path / "uv.geojson")
    with pytest.raises(ValueError) as err:
        import_boundaries(path, "zona_censal", "code", "name", commit=True)
    assert str(err.value) == ("no hay áreas de nivel comuna donde ubicar los elementos de uv.geojson; configure "
                              "primero la comuna (observatorio territory comuna CUT), o indique parent_field "
                              "(--parent-field)")
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValueError) as err:
        import_boundaries(path, "zona_censal", "code", "name", commit=True)
    assert str(err.value) == ("no comuna areas exist to place the features of uv.geojson in; set up the comuna "
                              "first (observatorio territory comuna CUT), or give parent_field (--parent-field)")
    assert counts() == (0, 0)


@pytest.mark.django_db
def test_a_failure_while_writing_keeps_nothing(tmp_path, macros, monkeypatch):
    path = write(uv_frame(), tmp_path / "uv.geojson")
    before = counts()
    real_save, calls = Boundary.save, []

    def failing_save(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Boundary, "save", failing_save)
    with pytest.raises(RuntimeError, match="disk full"):
        import_boundaries(path, "uv", "code", "name", commit=True)
    assert len(calls) == 3
    assert counts() == before


# --- good files --------------------------------------------------------------------------------------------------

FORMATS = {
    "geojson": ("uv.geojson", {}),
    "gpkg": ("uv.gpkg", {"layer": "unidades"}),
    "shapefile": ("uv.shp", {}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", list(FORMATS), ids=list(FORMATS))
def test_round_trip_each_format(fmt, tmp_path, macros):
    filename, kwargs = FORMATS[fmt]
    path = write(uv_frame(), tmp_path / filename, **kwargs)
    summary = import_boundaries(path, "uv", "code", "name", **kwargs, commit=True)
    assert sorted(summary.created) == sorted(UVS)
    assert summary.committed
    for code, geom in UVS.items():
        area = Area.objects.get(level="uv", code=code)
        assert area.name == f"Unidad {code}"
        assert area.parent.code == UV_MACRO[code]
        assert area.source == filename
        boundary = area.boundaries.get()
        assert boundary.valid_from == dt.date(1900, 1, 1) and boundary.valid_to is None
        assert shapely.equals_exact(shapely.normalize(boundary.shape), shapely.normalize(geom), COORD_TOL)
        assert boundary.area_km2 == pytest.approx(geodesic_km2(geom), rel=1e-12)
        assert (boundary.min_lon, boundary.min_lat, boundary.max_lon, boundary.max_lat) == pytest.approx(
            geom.bounds, abs=COORD_TOL)


@pytest.mark.django_db
@pytest.mark.parametrize("with_prj", [True, False], ids=["prj", "crs-override"])
def test_utm_shapefile_is_reprojected(with_prj, tmp_path, macros):
    utm = uv_frame().to_crs(32719)
    if not with_prj:
        utm = utm.set_crs(None, allow_override=True)
    path = write(utm, tmp_path / "uv_utm.shp")
    summary = import_boundaries(path, "uv", "code", "name", crs=None if with_prj else "EPSG:32719", commit=True)
    assert sorted(summary.created) == sorted(UVS)
    for code, geom in UVS.items():
        area = Area.objects.get(level="uv", code=code)
        shape = area.boundaries.get().shape
        # Back in lon/lat; the UTM round trip keeps vertices to well under a millimetre.
        assert shapely.equals_exact(shapely.normalize(shape), shapely.normalize(geom), COORD_TOL)
        assert area.parent.code == UV_MACRO[code]
    # The area agrees with the planar area in UTM to the scale factor (< 0.1 %).
    utm_km2 = utm.set_crs(32719, allow_override=True).area.iloc[0] / 1e6
    assert Area.objects.get(code="U1").boundaries.get().area_km2 == pytest.approx(utm_km2, rel=1e-3)


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(tmp_path, macros):
    path = write(uv_frame(), tmp_path / "uv.geojson")
    before = counts()
    summary = import_boundaries(path, "uv", "code", "name", commit=False)
    assert counts() == before
    assert not summary.committed
    assert sorted(summary.created) == sorted(UVS)
    assert summary.parents == UV_MACRO
    report = summary.report()
    assert (report.kind, report.read, report.valid, report.written, report.committed) == ("boundaries", 4, 4, 4, False)
    assert sorted(report.as_dict()["created"]) == sorted(UVS)


@pytest.mark.django_db
def test_parents_by_field_and_outside_every_parent(tmp_path, macros):
    by_field = import_boundaries(write(uv_frame(), tmp_path / "a.geojson"), "uv", "code", "name",
                                 parent_field="macro", parent_level="macrosector", commit=True)
    assert by_field.parents == UV_MACRO
    # Mostly east of the comuna: under half of it lies in M2, so it is reported, not forced in.
    far = {"U5": box(-70.51, -33.50, -70.40, -33.47), "U6": box(-70.30, -33.50, -70.20, -33.47)}
    spatial = import_boundaries(write(uv_frame(far), tmp_path / "b.geojson"), "uv", "code", "name", commit=True)
    assert spatial.outside_parent == ["U5", "U6"]
    assert Area.objects.get(code="U5").parent is None


@pytest.mark.django_db
def test_where_selects_features_and_compares_as_codes(tmp_path, macros):
    frame = uv_frame()
    frame["cut"] = [13122, 13122, 13999, 13122]
    summary = import_boundaries(write(frame, tmp_path / "uv.gpkg"), "uv", "code", "name", where={"cut": "13122"}, commit=True)
    assert (summary.read, summary.selected) == (4, 3)
    assert sorted(Area.objects.filter(level="uv").values_list("code", flat=True)) == ["U1", "U2", "U4"]


# --- versions ----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_reimport_versions_changed_boundaries_and_skips_same_ones(tmp_path, macros):
    path = write(uv_frame(), tmp_path / "uv.geojson")
    import_boundaries(path, "uv", "code", "name", commit=True)
    same = import_boundaries(path, "uv", "code", "name", valid_from=dt.date(2024, 1, 1), commit=True)
    assert sorted(same.unchanged) == sorted(UVS) and not same.created and not same.new_versions
    assert Boundary.objects.filter(area__level="uv").count() == 4

    moved = dict(UVS, U1=box(-70.60, -33.50, -70.56, -33.475))
    changed_path = write(uv_frame(moved), tmp_path / "uv2.geojson")
    before = counts()
    with pytest.raises(ValueError) as err:
        import_boundaries(changed_path, "uv", "code", "name", commit=True)
    assert str(err.value) == ("uv U1 already has a different boundary (in force since 1900-01-01); pass valid_from "
                              "(--valid-from YYYY-MM-DD) to start a new version")
    assert counts() == before

    summary = import_boundaries(changed_path, "uv", "code", "name", valid_from=dt.date(2024, 1, 1), commit=True)
    assert summary.new_versions == ["U1"] and sorted(summary.unchanged) == ["U2", "U3", "U4"]
    u1 = Area.objects.get(code="U1")
    old, new = u1.boundaries.order_by("valid_from")
    assert (old.valid_from, old.valid_to) == (dt.date(1900, 1, 1), dt.date(2024, 1, 1))
    assert (new.valid_from, new.valid_to) == (dt.date(2024, 1, 1), None)
    assert u1.boundary_on(dt.date(2023, 12, 31)).pk == old.pk
    assert u1.boundary_on(dt.date(2024, 1, 1)).pk == new.pk
    assert shapely.equals(new.shape, moved["U1"])

    # A version may not start before the one in force.
    back = write(uv_frame(UVS), tmp_path / "uv3.geojson")
    before = counts()
    with pytest.raises(ValueError) as err:
        import_boundaries(back, "uv", "code", "name", valid_from=dt.date(2023, 6, 1), commit=True)
    assert str(err.value) == ("uv U1: the new boundary must start after the current one (2024-01-01); "
                              "got valid_from 2023-06-01")
    assert counts() == before
