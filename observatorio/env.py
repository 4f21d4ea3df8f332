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
    Setting("OBS_RUT_KEY", "read from OBS_RUT_KEY_FILE",
            "Key of the HMAC that replaces personal identifiers (RUT); keep it stable and secret."),
    Setting("OBS_RUT_KEY_FILE", "<OBS_DATA_DIR>/rut_key (generated there on first start: development only)",
            "File holding the RUT key. In production set it to a path outside the data folder and create the key "
            "once with `observatorio rut-key --create`; a missing file is then an error, never regenerated."),
    Setting("OBS_UPLOAD_MAX_MB", "300", "Largest file accepted for import (MB), on the web and the command line."),
    Setting("OBS_UPLOAD_MAX_ROWS", "2000000", "Most data rows a file may have."),
    Setting("OBS_UPLOAD_MAX_UNCOMPRESSED_MB", "1000",
            "Most bytes an XLSX (a zip) may inflate to (MB); checked from its directory before it is opened."),
    Setting("OBS_UPLOAD_RETENTION_HOURS", "24",
            "Hours an upload that was never imported is kept; older ones are deleted at start-up and per upload."),
    Setting("OBS_DEBUG", "false", "Django debug mode (true/false). Never on in production."),
    Setting("OBS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", "Comma-separated host names the server answers."),
    Setting("OBS_TILE_URL", "", "Optional base-map tile URL template ({z}/{x}/{y}); empty means no base map."),
    Setting("OBS_LANGUAGE", "es-cl", "Default interface language (es-cl or en)."),
    # Sign-in and sessions (issue #12).
    Setting("OBS_SESSION_IDLE_MINUTES", "30", "Minutes without a request after which a session is signed out."),
    Setting("OBS_SESSION_MAX_HOURS", "12", "Hours after signing in after which a session ends, active or not."),
    Setting("OBS_SIGNIN_FAILURES", "5", "Wrong passwords for one user from one address before that pair is locked."),
    Setting("OBS_SIGNIN_COOLOFF_MINUTES", "15", "Minutes a locked user-and-address pair waits before trying again."),
    Setting("OBS_DATABASE_APP_ROLE", "", "PostgreSQL role the server connects as; `migrate` grants it its privileges "
            "(the audit table: SELECT and INSERT only)."),
    # Disclosure control (observatorio.disclosure, docs/disclosure.md).
    Setting("OBS_DISCLOSURE_K", "5", "Smallest count shown to aggregate-only readers; 1..k-1 are suppressed."),
    Setting("OBS_DISCLOSURE_GRID_MIN_DAYS", "28",
            "Shortest window of a grid layer (density, Gi*, emerging) for aggregate-only readers."),
    Setting("OBS_DISCLOSURE_SENSITIVE_MIN_DAYS", "28",
            "Shortest window of a sensitive view (VIF, sexual offences) for aggregate-only readers."),
    Setting("OBS_DISCLOSURE_SENSITIVE_FAMILIES", "familia-sexuales,familia-vif",
            "Category families whose counts are sensitive (coarse areas and long windows only)."),
    Setting("OBS_PEER_COMUNAS", "", "Peer comunas of the comuna's profile (CUT codes, comma-separated); empty: "
            "the 5 of its region closest in population."),
    # observatorio analyze (docs/analysis.md, "Área de estudio y límites").
    Setting("OBS_ANALYSIS_MAX_CELLS", "1000000",
            "Most cells a grid of `observatorio analyze` may have (--max-cells overrides it); a larger grid is "
            "refused with the cell side that would fit."),
    # HTTPS and the reverse proxy (settings.py "Security and HTTP"; docs/deploy.md).
    Setting("OBS_HTTPS", "false", "Served over HTTPS: secure cookies, redirect to HTTPS, HSTS."),
    Setting("OBS_HSTS_SECONDS", "31536000 with OBS_HTTPS, else 0", "Strict-Transport-Security max-age."),
    Setting("OBS_HSTS_INCLUDE_SUBDOMAINS", "true", "HSTS covers the host's subdomains too."),
    Setting("OBS_HSTS_PRELOAD", "false", "HSTS asks to be preloaded by browsers."),
    Setting("OBS_BEHIND_PROXY", "false", "Trust the proxy's X-Forwarded-Proto header to tell HTTPS requests."),
    Setting("OBS_DEMO_GEOGRAPHY", "", "Folder of real geography for `observatorio demo` (as ../shared/data/penalolen: "
            "UVs, blocks, places, addresses); empty: the demo draws its own."),
    Setting("OBS_SMTP_HOST", "", "Mail server for subscription alerts; empty: alerts stay in the app."),
    Setting("OBS_SMTP_PORT", "25 (587 with OBS_SMTP_TLS)", "Port of the mail server."),
    Setting("OBS_SMTP_USER", "", "User name on the mail server."),
    Setting("OBS_SMTP_PASSWORD", "", "Password on the mail server."),
    Setting("OBS_SMTP_TLS", "false", "Use STARTTLS with the mail server."),
    Setting("OBS_MAIL_FROM", "observatorio@localhost", "Sender address of the alerts."),
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


def env_positive_int(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ConfigError(f"{name}={value} must be a positive whole number")
    return value


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
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
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
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def rut_key_path() -> Path:
    """Where the RUT key lives: OBS_RUT_KEY_FILE, else ``<OBS_DATA_DIR>/rut_key`` (development)."""
    raw = os.environ.get("OBS_RUT_KEY_FILE", "").strip()
    return Path(raw).expanduser() if raw else data_dir() / "rut_key"


def rut_key_is_development() -> bool:
    """The key is the development one kept in the data folder (neither OBS_RUT_KEY nor OBS_RUT_KEY_FILE set)."""
    return os.environ.get("OBS_RUT_KEY") is None and not os.environ.get("OBS_RUT_KEY_FILE", "").strip()


def rut_key() -> str:
    """Key of the RUT hash: apart from the secret key, so rotating Django's key
    (sessions, CSRF) never breaks the link between repeat victims or offenders.

    OBS_RUT_KEY, else the file OBS_RUT_KEY_FILE. Only the development default
    (``<OBS_DATA_DIR>/rut_key``) is generated when missing; a configured file
    that is missing gives "" and every import stops naming the fix
    (`observatorio.records.identifiers`): a new key would make every stored
    hash unmatchable, so it is created only on purpose (`create_rut_key`).
    """
    raw = os.environ.get("OBS_RUT_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise ConfigError("OBS_RUT_KEY must be at least 32 characters long")
        return raw
    if rut_key_is_development():
        return _kept_secret("OBS_RUT_KEY", "rut_key")
    path = rut_key_path()
    return path.read_text().strip() if path.is_file() else ""


def create_rut_key(path: Path | None = None) -> Path:
    """Write a new random RUT key to `path` (default `rut_key_path`), mode 0600 in a 0700 folder; refuses to
    overwrite one (that would orphan every stored hash)."""
    path = Path(path) if path else rut_key_path()
    if path.exists():
        raise ConfigError(f"{path} already exists: a RUT key is created once and never replaced "
                          f"(replacing it orphans every stored hash)")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path


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
