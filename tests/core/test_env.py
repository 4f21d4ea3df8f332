"""Settings come from the environment through typed helpers that fail loudly."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from observatorio import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "raw, expected",
    [("true", True), ("1", True), ("YES", True), ("off", False), ("0", False), ("", False)],
    ids=["true", "one", "yes-upper", "off", "zero", "empty"],
)
def test_env_bool_accepts_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("OBS_TEST_FLAG", raw)
    assert env.env_bool("OBS_TEST_FLAG") is expected


def test_env_bool_rejects_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("OBS_DEBUG", "maybe")
    with pytest.raises(env.ConfigError, match=r"OBS_DEBUG='maybe' is not a boolean"):
        env.env_bool("OBS_DEBUG")


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("OBS_TEST_N", "ten")
    with pytest.raises(env.ConfigError, match="OBS_TEST_N='ten' is not an integer"):
        env.env_int("OBS_TEST_N", 3)


def test_database_url_defaults_to_sqlite_in_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("OBS_DATABASE_URL", raising=False)
    monkeypatch.setenv("OBS_DATA_DIR", str(tmp_path / "d"))
    assert env.database_url() == f"sqlite:///{tmp_path / 'd' / 'observatorio.sqlite3'}"
    assert (tmp_path / "d").is_dir()


def test_database_url_rejects_unknown_schemes(monkeypatch):
    monkeypatch.setenv("OBS_DATABASE_URL", "mysql://root@localhost/x")
    with pytest.raises(env.ConfigError, match="not supported"):
        env.database_url()


def test_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("OBS_SECRET_KEY", raising=False)
    monkeypatch.setenv("OBS_DATA_DIR", str(tmp_path))
    first = env.secret_key()
    assert len(first) >= 48
    assert env.secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    other = tmp_path / "other"
    monkeypatch.setenv("OBS_DATA_DIR", str(other))
    assert env.secret_key() != first


def test_short_secret_key_is_refused(monkeypatch):
    monkeypatch.setenv("OBS_SECRET_KEY", "short")
    with pytest.raises(env.ConfigError, match="at least 32"):
        env.secret_key()


def test_debug_is_off_by_default(tmp_path):
    code = "import django,os; os.environ['DJANGO_SETTINGS_MODULE']='observatorio.settings'; " \
           "from django.conf import settings; print(settings.DEBUG)"
    environ = {"PATH": "/usr/bin:/bin", "OBS_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_bad_setting_stops_the_cli_with_one_line(tmp_path):
    environ = {"PATH": "/usr/bin:/bin", "OBS_DATA_DIR": str(tmp_path), "OBS_DEBUG": "perhaps"}
    out = subprocess.run([sys.executable, "-m", "observatorio.cli", "migrate"], env=environ,
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip() == "observatorio: error de configuración: OBS_DEBUG='perhaps' is not a boolean; " \
                                 "use one of: true, false, 1, 0, yes, no"


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "settings.md").read_text()
    documented = set(re.findall(r"`(OBS_[A-Z_]+)`", doc))
    declared = {s.name for s in env.SETTINGS}
    assert declared - documented == set(), "undocumented settings"
    assert documented - declared == set(), "documented settings that do not exist"
