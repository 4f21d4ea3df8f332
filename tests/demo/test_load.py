"""The demo through the database and the CLI: one transaction, --if-empty, any comuna, exit codes."""

import pytest

from observatorio.cli import EXIT_OK, EXIT_USAGE, main

from .conftest import AS_OF

SMALL = ["--events", "3000", "--as-of", AS_OF.isoformat(), "--quiet"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("OBS_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.django_db
def test_demo_loads_everything_and_if_empty_skips_the_second_time(data_dir, capsys):
    from django.contrib.auth import get_user_model

    from observatorio.records.models import AggregateCount, Event, Place, Source, SurveyResponse
    from observatorio.territory.models import Area, Boundary, Demography

    assert main(["demo", *SMALL]) == EXIT_OK
    out = capsys.readouterr().out
    assert "ingrese como admin / " in out and "observatorio serve" in out
    assert "conteos CEAD de otras comunas y 11.764 proyecciones de población del INE" in out
    assert Area.objects.filter(level="uv", illustrative=True).count() == 31
    assert Area.objects.filter(level="macrosector").count() == 5
    assert Boundary.objects.count() == 37
    assert Demography.objects.filter(area__code="13122").values_list("population", flat=True).distinct().get() == 270_054
    n = Event.objects.count()
    assert abs(n - 3000) <= 30
    assert not Event.objects.filter(outside=False, area__isnull=True).exists()
    assert not Event.objects.filter(outside=True, area__isnull=False).exists()
    assert Event.objects.exclude(area__level="uv").filter(area__isnull=False).count() == 0
    assert set(Source.objects.values_list("code", flat=True)) >= {"cead-policial", "cead", "denuncias", "1461",
                                                                     "patrullaje", "vif"}
    # CEAD monthly counts are the real yearly totals, not rescaled (Peñalolén 2023: 9,946 casos).
    assert sum(AggregateCount.objects.filter(area_code="13122", period_start__year=2023)
               .values_list("count", flat=True)) == 9946
    assert Place.objects.filter(kind="police").count() == 3
    assert SurveyResponse.objects.count() > 31 * 30
    vif = Event.objects.filter(source__code="vif").exclude(victim_key="")
    assert vif.exists() and all(len(k) == 64 for k in vif.values_list("victim_key", flat=True))

    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"admin", "analista", "operador", "autoridad"}
    assert users["admin"].is_superuser and not users["analista"].is_superuser
    assert list(users["operador"].operator_scope.sources.values_list("code", flat=True)) == ["1461"]
    credentials = (data_dir / "demo_credentials.txt").read_text()
    password = credentials.split("contraseña: ")[1].split()[0]
    assert users["autoridad"].check_password(password) and password in out

    assert main(["demo", "--if-empty", *SMALL]) == EXIT_OK
    assert "no hay nada que hacer" in capsys.readouterr().out
    assert Event.objects.count() == n
    # Without --if-empty a second run refuses rather than mixing two demos.
    assert main(["demo", *SMALL]) == EXIT_USAGE
    assert Event.objects.count() == n


@pytest.mark.django_db
def test_a_failure_leaves_nothing(data_dir, monkeypatch):
    from observatorio.accounts import setup
    from observatorio.demo.load import run_demo
    from observatorio.records.models import Event, Place
    from observatorio.territory.models import Area

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(setup, "create_user", broken)
    with pytest.raises(RuntimeError):
        run_demo("13122", seed=1, as_of=AS_OF, n_events=1500, show_progress=False)
    assert Area.objects.count() == 0 and Event.objects.count() == 0 and Place.objects.count() == 0
    assert not (data_dir / "demo_credentials.txt").exists()


@pytest.mark.django_db
def test_la_florida_works(data_dir):
    from observatorio.records.models import Event
    from observatorio.territory.models import Area, Demography

    assert main(["demo", "--comuna", "13110", "--events", "2000", "--as-of", AS_OF.isoformat(), "--quiet"]) == EXIT_OK
    assert Area.objects.get(level="comuna").name == "La Florida"
    assert Area.objects.filter(level="uv", code__startswith="13110-UV").count() == 31
    uv_pop = sum(Demography.objects.filter(area__level="uv", year=2025).values_list("population", flat=True))
    assert uv_pop == Demography.objects.get(area__code="13110", year=2025).population > 300_000
    assert Event.objects.filter(area__code__startswith="13110-UV").count() > 1500


@pytest.mark.parametrize("argv", [["--comuna", "99999"], ["--comuna", "Narnia"]], ids=["cut", "name"])
def test_unknown_comuna_exits_2(argv, capsys):
    assert main(["demo", *argv, "--quiet"]) == EXIT_USAGE
    assert "comuna" in capsys.readouterr().err


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--comuna", "--seed", "--years", "--events", "--if-empty", "--as-of"):
        assert option in text


@pytest.mark.django_db
def test_a_geography_folder_without_its_files_exits_2_naming_the_file(data_dir, tmp_path, monkeypatch, capsys):
    from observatorio.territory.models import Area

    (tmp_path / "geo").mkdir()
    assert main(["demo", *SMALL, "--geography", str(tmp_path / "geo")]) == EXIT_USAGE
    assert "falta unidades_vecinales.geojson" in capsys.readouterr().err
    # The environment variable is the same option.
    monkeypatch.setenv("OBS_DEMO_GEOGRAPHY", str(tmp_path / "geo"))
    assert main(["demo", *SMALL]) == EXIT_USAGE
    assert "falta unidades_vecinales.geojson" in capsys.readouterr().err
    assert not Area.objects.filter(level="uv").exists()


@pytest.mark.django_db
def test_the_demo_compares_the_comuna_with_its_region_the_country_and_its_peers(data_dir, client):
    """Without ../shared (no --geography) the bundled tables give the other comunas' CEAD counts and INE's
    projections: the home's comparison and the comuna's profile name region, country and five peers."""
    import re

    from django.contrib.auth import get_user_model

    from observatorio.demo import bundled
    from observatorio.records.models import PopulationProjection
    from observatorio.territory.models import Area
    from tests.conftest import _clear_caches

    assert main(["demo", *SMALL]) == EXIT_OK
    _clear_caches()
    year = AS_OF.year - 1  # the latest calendar year the demo's CEAD series covers whole
    # Known answers from the bundled tables alone: every comuna's CEAD cases (casos policiales counts every
    # category) and INE's projections of the comunas CEAD reports.
    cead = bundled.cead_yearly()
    cead = cead[cead["year"] == year]
    population = bundled.population_table()
    population = population[(population["year"] == year) & population["cut"].isin(set(cead["cut"]))]
    country_rate = 1e5 * cead["n"].sum() / population["population"].sum()
    region = cead["cut"].str.len().eq(5) & cead["cut"].str.startswith("13")
    region_rate = 1e5 * cead.loc[region, "n"].sum() / population.loc[
        population["cut"].str.len().eq(5) & population["cut"].str.startswith("13"), "population"].sum()
    assert PopulationProjection.objects.filter(year=year).count() == len(bundled.population_table()
                                                                           .query("year == @year"))

    client.force_login(get_user_model().objects.get(username="autoridad"))
    home = client.get("/").content.decode()
    block = re.search(r'<section class="card home-comparison".*?</section>', home, re.S).group(0)
    assert 'data-home="comparison-none"' not in block
    rates = dict(re.findall(r'<tr data-rate="(\w+)".*?data-figure="rate">([\d.,]+)</td>', block, re.S))
    assert set(rates) == {"comuna", "region", "country", "peers", "peer"}
    es = lambda x: f"{x:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")  # noqa: E731
    assert rates["country"] == es(country_rate) and rates["region"] == es(region_rate)
    assert len(re.findall(r'data-rate="peer"', block)) == 5 and "Región" in block and "País" in block

    client.force_login(get_user_model().objects.get(username="analista"))
    comuna = Area.objects.get(code="13122")
    profile = client.get(f"/area/{comuna.id}/").content.decode()
    table = re.search(r'<table class="table" id="peers-table">.*?</table>', profile, re.S).group(0)
    kinds = re.findall(r'data-kind="(\w+)" data-code="(\d*)"', table)
    assert [k for k, _c in kinds[:4]] == ["comuna", "region", "country", "peers"]
    peers = [c for k, c in kinds if k == "peer"]
    assert len(peers) == 5 and all(c.startswith("13") and len(c) == 5 and c != "13122" for c in peers)
    assert es(country_rate) in table and es(region_rate) in table
