"""Typed readers for the environment that fail loudly on a bad value.

Settings are declared as data in ``SETTINGS`` so that every one of them is
documented (``docs/settings.md`` is checked against this table by a test).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from observatorio.errors import UserError


class ConfigError(UserError):
    """An environment variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS = (
    Setting("OBS_DATA_DIR", "<project>/var", "Folder for the SQLite database, the secret key and uploads."),
    Setting("OBS_DATABASE_URL", "sqlite:///<OBS_DATA_DIR>/observatorio.sqlite3",
            "Database URL; postgres://user@host:5432/name selects PostgreSQL."),
    Setting("OBS_SECRET_KEY", "generated into <OBS_DATA_DIR>/secret_key",
            "Django secret key (sessions, CSRF)."),
    Setting("OBS_RUT_KEY", "generated into <OBS_DATA_DIR>/rut_key",
            "Key of the HMAC that replaces personal identifiers (RUT); keep it stable and secret."),
    Setting("OBS_DEBUG", "false", "Django debug mode (true/false). Never on in production."),
    Setting("OBS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", "Comma-separated host names the server answers."),
    Setting("OBS_TILE_URL", "", "Optional base-map tile URL template ({z}/{x}/{y}); empty means no base map."),
    Setting("OBS_LANGUAGE", "es-cl", "Default interface language (es-cl or en)."),
    # HTTPS and the reverse proxy (settings.py "Security and HTTP"; docs/deploy.md).
    Setting("OBS_HTTPS", "false", "Served over HTTPS: secure cookies, redirect to HTTPS, HSTS."),
    Setting("OBS_HSTS_SECONDS", "31536000 with OBS_HTTPS, else 0", "Strict-Transport-Security max-age."),
    Setting("OBS_HSTS_INCLUDE_SUBDOMAINS", "true", "HSTS covers the host's subdomains too."),
    Setting("OBS_HSTS_PRELOAD", "false", "HSTS asks to be preloaded by browsers."),
    Setting("OBS_BEHIND_PROXY", "false", "Trust the proxy's X-Forwarded-Proto header to tell HTTPS requests."),
    Setting("OBS_TRUSTED_ORIGINS", "", "Comma-separated origins (https://host) allowed to post forms (CSRF)."),
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use one of: true, false, 1, 0, yes, no")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    raw = os.environ.get("OBS_DATA_DIR")
    if raw:
        path = Path(raw).expanduser()
    elif (project_root() / "pyproject.toml").exists():
        path = project_root() / "var"
    else:
        path = Path.home() / ".local" / "share" / "observatorio"
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """The key from the environment, or one generated once and kept on disk (never a constant)."""
    return _kept_secret("OBS_SECRET_KEY", "secret_key")


def _kept_secret(variable: str, file_name: str) -> str:
    raw = os.environ.get(variable)
    if raw is not None:
        if len(raw) < 32:
            raise ConfigError(f"{variable} must be at least 32 characters long")
        return raw
    path = data_dir() / file_name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def rut_key() -> str:
    """Key of the RUT hash: apart from the secret key, so rotating Django's key
    (sessions, CSRF) never breaks the link between repeat victims or offenders."""
    return _kept_secret("OBS_RUT_KEY", "rut_key")


def database_url() -> str:
    raw = os.environ.get("OBS_DATABASE_URL", "").strip()
    if raw:
        if not raw.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ConfigError(
                f"OBS_DATABASE_URL={raw!r} is not supported; use sqlite:///path or postgres://user@host:port/name"
            )
        return raw
    return f"sqlite:///{data_dir() / 'observatorio.sqlite3'}"


def origin_of(url: str) -> list[str]:
    """``["https://host:port"]`` of a URL template (a tile server's), or ``[]`` when empty."""
    from urllib.parse import urlsplit

    if not url.strip():
        return []
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"OBS_TILE_URL={url!r} is not an http(s) URL template")
    # A subdomain template ({s}.tile.example.org) becomes a wildcard, which CSP understands.
    return [f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"]
