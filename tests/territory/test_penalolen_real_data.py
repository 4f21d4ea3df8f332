"""Peñalolén from real public data: the OSM boundary, its 56 census zones and their 2017 population."""

import pytest

from observatorio.territory.demography_import import import_demography
from observatorio.territory.importers import import_boundaries
from observatorio.territory.models import Area, Boundary, Demography, Level
from tests.conftest import shared_file

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]

# Census 2017 (INE): persons counted in Peñalolén's urban zones, 205 of them in the
# "zona 999" (13122991999) that has no boundary, so the 56 drawn zones hold 236,863.
CENSUS_ZONES_TOTAL = 237_068
UNLOCATED_ZONE, UNLOCATED_POPULATION = "13122991999", 205


@pytest.fixture
def penalolen_zones():
    limits = shared_file("penalolen", "limites_penalolen.geojson")
    zones = shared_file("censo", "zonas_r13.geojson")
    comuna = import_boundaries(limits, "comuna", "dpachile:id", "name", where={"boundary": "administrative"},
                               source_label="OpenStreetMap", commit=True)
    census = import_boundaries(zones, "zona_censal", "geocodigo", "geocodigo", where={"codigo_comuna": "13122"},
                               source_label="INE Censo 2017", commit=True)
    return comuna, census


def test_the_osm_file_needs_the_where_filter():
    limits = shared_file("penalolen", "limites_penalolen.geojson")
    with pytest.raises(ValueError) as err:
        import_boundaries(limits, "comuna", "dpachile:id", "name", commit=True)
    # Feature 2 is the admin_centre node of the relation: no code and a Point.
    assert str(err.value) == ("limites_penalolen.geojson feature 2: empty code in field 'dpachile:id'; "
                              "every area needs a code")
    assert Area.objects.count() == 0


def test_comuna_and_56_census_zones_hang_from_it(penalolen_zones):
    comuna_summary, census_summary = penalolen_zones
    assert comuna_summary.created == ["13122"]
    comuna = Area.objects.get(level=Level.COMUNA, code="13122")
    assert comuna.name == "Peñalolén"
    # OSM relation 164137 measures 53.6 km² (shared/data README).
    assert comuna.boundaries.get().area_km2 == pytest.approx(53.6, abs=0.05)

    assert (census_summary.read, census_summary.selected) == (1865, 56)
    assert len(census_summary.created) == 56 and census_summary.outside_parent == []
    zones = Area.objects.filter(level=Level.CENSUS_ZONE)
    assert zones.count() == 56
    assert set(zones.values_list("parent__code", flat=True)) == {"13122"}
    assert all(code.startswith("13122") for code in zones.values_list("code", flat=True))
    # The urban zones cover most of the commune, never more than it.
    zones_km2 = sum(Boundary.objects.filter(area__level=Level.CENSUS_ZONE).values_list("area_km2", flat=True))
    assert 0.5 * 53.6 < zones_km2 < 53.6


def test_census_population_per_zone(penalolen_zones):
    csv = shared_file("censo", "censo_2017_zonas.csv")
    args = dict(year=2017, code_field="geocodigo", level="zona_censal", fields={"population": "poblacion"},
                sum_rows=True, code_prefix="13122")
    with pytest.raises(ValueError) as err:
        import_demography(csv, **args, commit=True)
    assert str(err.value) == (f"1 códigos de censo_2017_zonas.csv no son áreas de nivel zona_censal: {UNLOCATED_ZONE}; "
                              f"importe antes esas áreas, revise --level y --code-field, u omítalos (--skip-unknown)")
    assert Demography.objects.count() == 0

    summary = import_demography(csv, skip_unknown=True, **args, commit=True)
    assert summary.skipped_codes == [UNLOCATED_ZONE]
    assert summary.skipped_population == UNLOCATED_POPULATION
    assert summary.areas == 56
    stored = sum(Demography.objects.filter(year=2017).values_list("population", flat=True))
    assert stored == summary.totals["population"] == CENSUS_ZONES_TOTAL - UNLOCATED_POPULATION
    assert stored + summary.skipped_population == CENSUS_ZONES_TOTAL
    assert Demography.objects.filter(area__level=Level.CENSUS_ZONE, area__parent__code="13122").count() == 56
