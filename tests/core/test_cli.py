"""The CLI is a thin adapter: --help everywhere, one-line errors, exit codes scripts can trust."""

import subprocess
import sys

import pytest

from observatorio import cli


def _subcommand_paths():
    parser = cli.build_parser()
    paths = []

    def walk(p, prefix):
        for action in p._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for name, child in action.choices.items():
                    paths.append(prefix + [name])
                    walk(child, prefix + [name])

    walk(parser, [])
    return paths


@pytest.mark.parametrize("path", [[]] + _subcommand_paths(), ids=lambda p: " ".join(p) or "observatorio")
def test_every_command_has_help(path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(path + ["--help"])
    assert exit_info.value.code == 0
    assert "uso: observatorio" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["fly"])
    assert exit_info.value.code == 2
    assert "opción no válida: 'fly'" in capsys.readouterr().err


@pytest.mark.django_db
def test_unknown_comuna_is_one_line_and_exit_2(capsys):
    from observatorio.territory.models import Area

    assert cli.main(["territory", "comuna", "Narnia"]) == 2
    err = capsys.readouterr().err
    assert err == "observatorio territory: error: ninguna comuna se llama «Narnia»; use el nombre oficial o el código CUT\n"
    assert cli.main(["--lang", "en", "territory", "comuna", "Narnia"]) == 2
    assert capsys.readouterr().err == ("observatorio territory: error: no comuna is named «Narnia»; use the official "
                                       "name or the CUT code\n")
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_comuna_by_name_and_by_cut_are_the_same_area(capsys):
    from observatorio.territory.models import Area

    assert cli.main(["territory", "comuna", "penalolen"]) == 0
    assert cli.main(["territory", "comuna", "13122"]) == 0
    area = Area.objects.get()
    assert (area.code, area.name, area.level) == ("13122", "Peñalolén", "comuna")
    boundary = area.boundaries.get()
    # DPA 2023 puts Peñalolén at about 54 km² (OSM: 53.6 km²).
    assert 50 < boundary.area_km2 < 58
    assert "comuna 13122 Peñalolén" in capsys.readouterr().out


@pytest.mark.django_db
def test_migrate_seeds_roles_and_taxonomy(capsys):
    from django.contrib.auth.models import Group

    from observatorio.records.models import Category

    assert cli.main(["migrate"]) == 0
    assert set(Group.objects.values_list("name", flat=True)) >= {"Administrador", "Analista",
                                                                  "Operador de unidad", "Autoridad"}
    assert Category.objects.filter(parent__isnull=False, is_crime=True).count() == 30
    assert "categorías en el árbol" in capsys.readouterr().out


@pytest.mark.django_db
def test_createuser_rejects_an_unknown_source(monkeypatch, capsys):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("OBS_PASSWORD", "long-enough-pass")
    assert cli.main(["createuser", "olga", "--role", "operator", "--source", "nope"]) == 2
    assert "no hay una fuente 'nope'" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="olga").exists()


@pytest.mark.django_db
def test_createuser_makes_an_analyst(monkeypatch):
    from django.contrib.auth import get_user_model

    from observatorio.accounts.roles import Role, user_roles

    monkeypatch.setenv("OBS_PASSWORD", "long-enough-pass")
    assert cli.main(["createuser", "bob", "--role", "analyst"]) == 0
    bob = get_user_model().objects.get(username="bob")
    assert user_roles(bob) == {Role.ANALYST}
    assert bob.check_password("long-enough-pass")


def test_the_installed_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "observatorio.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("observatorio ")
