"""Django settings, read from the environment through ``observatorio.env``."""

import datetime
from pathlib import Path

import dj_database_url

from observatorio import env
from observatorio.private import private_database

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env.data_dir()

SECRET_KEY = env.secret_key()
RUT_HASH_KEY = env.rut_key()
DEBUG = env.env_bool("OBS_DEBUG", False)
ALLOWED_HOSTS = env.env_list("OBS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "observatorio.accounts",
    "observatorio.territory",
    "observatorio.records",
    "observatorio.dashboard",
    "observatorio.audit",
    "observatorio.programmes",
    "observatorio.reports",
    # Sign-in hardening (issue #12, point 5): lockout, second factor.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # Outermost, so that its Server-Timing header counts every other middleware too.
    "observatorio.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy and Cache-Control: no-store on every response of the application (static files,
    # answered by WhiteNoise above, keep theirs); a database that does not answer gives 503, not a bare 500.
    "observatorio.security.SecurityHeadersMiddleware",
    "observatorio.faults.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "observatorio.accounts.locale.SpanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sign-in hardening (issue #12): the second factor's state, the session's idle and absolute limits, the
    # second factor required by role, then the audit of downloads and views of single events.
    "django_otp.middleware.OTPMiddleware",
    "observatorio.accounts.lifetime.SessionLifetimeMiddleware",
    "observatorio.accounts.second_factor.SecondFactorMiddleware",
    "observatorio.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: turns "the first snapshot is still loading" into a progress page or a 503 for data.
    "observatorio.dashboard.loading.StateLoadingMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "observatorio.urls"

# Django's database sessions and ModelBackend as shipped, nothing kept between requests: every request reads
# its session and user, so a sign-out, a deactivation or a removed role counts on the next request in every
# process (decision 24).
SESSION_ENGINE = "observatorio.accounts.session_store"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "observatorio.accounts.roles.roles_context",
                "observatorio.dashboard.views.refresh_context",
            ],
        },
    },
]

WSGI_APPLICATION = "observatorio.wsgi.application"

DATABASES = {"default": dj_database_url.parse(env.database_url(), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the dashboard read while an import writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    private_database(DATABASES["default"]["NAME"])  # 0600 like every data file (observatorio/private.py)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Sign-in and sessions (issue #12, point 5; docs/settings.md) -------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "observatorio.accounts.passwords.NotOnlySpacesValidator"},
]
# Idle timeout and absolute lifetime of a session (accounts/lifetime.py); the cookie and the session row end with
# the absolute lifetime too.
OBS_SESSION_IDLE_MINUTES = env.env_positive_int("OBS_SESSION_IDLE_MINUTES", 30)
OBS_SESSION_MAX_HOURS = env.env_positive_int("OBS_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = OBS_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# django-axes: after OBS_SIGNIN_FAILURES wrong passwords for one user from one address, that pair is locked out
# for OBS_SIGNIN_COOLOFF_MINUTES (a lockout by user alone would let anyone lock an officer out).
AXES_FAILURE_LIMIT = env.env_positive_int("OBS_SIGNIN_FAILURES", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.env_positive_int("OBS_SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "observatorio.audit.record.client_address"
AXES_LOCKOUT_CALLABLE = "observatorio.accounts.views.locked_out"
AXES_VERBOSE = False
# The audit trail is the record of sign-ins; axes keeps only what it needs to count failures.
AXES_DISABLE_ACCESS_LOG = True
# The second factor: TOTP codes (django-otp), required for the roles an administrator marks in the admin
# (accounts.RolePolicy); the issuer shown in the authenticator app.
OTP_TOTP_ISSUER = "Observatorio"
# Not even an administrator sees another user's TOTP secret or QR code in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- end of sign-in and sessions ------------------------------------------------------------------------------

LANGUAGE_CODE = env.env_str("OBS_LANGUAGE", "es-cl")
LANGUAGES = [("es-cl", "Español (Chile)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Santiago"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves from the finders; the folder only has to exist.
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app folders and the installed packages: no
# collectstatic step, no CDN (Plotly's JavaScript comes from its wheel).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "observatorio.dashboard.assets.PackageAssetFinder",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

OBS_TILE_URL = env.env_str("OBS_TILE_URL", "")

# --- disclosure control (observatorio.disclosure; docs/disclosure.md) ---
OBS_DISCLOSURE_K = env.env_int("OBS_DISCLOSURE_K", 5)
if OBS_DISCLOSURE_K < 2:
    raise env.ConfigError(f"OBS_DISCLOSURE_K={OBS_DISCLOSURE_K} must be at least 2 (1 would suppress nothing)")
OBS_DISCLOSURE_GRID_MIN_DAYS = env.env_int("OBS_DISCLOSURE_GRID_MIN_DAYS", 28)
OBS_DISCLOSURE_SENSITIVE_MIN_DAYS = env.env_int("OBS_DISCLOSURE_SENSITIVE_MIN_DAYS", 28)
OBS_DISCLOSURE_SENSITIVE_FAMILIES = tuple(env.env_list("OBS_DISCLOSURE_SENSITIVE_FAMILIES",
                                                       "familia-sexuales,familia-vif"))
# --- end of disclosure control ---
# --- mail (programmes.alerts; docs/settings.md): SMTP when OBS_SMTP_HOST is set, else alerts stay in the app ---
OBS_SMTP_HOST = env.env_str("OBS_SMTP_HOST", "").strip()
EMAIL_HOST = OBS_SMTP_HOST or "localhost"
EMAIL_PORT = env.env_positive_int("OBS_SMTP_PORT", 587 if env.env_bool("OBS_SMTP_TLS", False) else 25)
EMAIL_HOST_USER = env.env_str("OBS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env.env_str("OBS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env.env_bool("OBS_SMTP_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.env_str("OBS_MAIL_FROM", "observatorio@localhost")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if OBS_SMTP_HOST
                 else "django.core.mail.backends.dummy.EmailBackend")
# Peer comunas of a comuna's profile (observatorio.dashboard.peers): CUT codes; empty = the rule.
OBS_PEER_COMUNAS = tuple(env.env_list("OBS_PEER_COMUNAS", ""))
# ---- Security and HTTP (docs/deploy.md, docs/settings.md) ----------------------------------------------------
# Always: cookies out of JavaScript's reach and not sent by other sites' forms, no framing, no MIME sniffing,
# the referrer only to ourselves.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script reads the token from the cookie: forms carry it
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# OBS_HTTPS=true: cookies only over HTTPS, plain HTTP redirected, HSTS.
OBS_HTTPS = env.env_bool("OBS_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = OBS_HTTPS
SECURE_HSTS_SECONDS = env.env_int("OBS_HSTS_SECONDS", 31_536_000 if OBS_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.env_bool("OBS_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.env_bool("OBS_HSTS_PRELOAD", False)
# OBS_BEHIND_PROXY=true: TLS ends at the proxy (nginx), which says so in X-Forwarded-Proto; the proxy must set
# that header itself on every request (never pass the client's on), or anyone could claim HTTPS.
if env.env_bool("OBS_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Forms are accepted from the server's own origin; others (another name of the same site) are listed here.
CSRF_TRUSTED_ORIGINS = env.env_list("OBS_TRUSTED_ORIGINS", "")
# Content-Security-Policy (observatorio.security): every script is a file of ours, no inline script or event
# handler, no eval. style-src keeps 'unsafe-inline' because Plotly writes style attributes and a <style> element
# as it draws (and a few templates size bars with style=""); styles cannot run code. img-src allows data: and
# blob: for Plotly's "download as PNG", and the base-map tiles' host when OBS_TILE_URL names one.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *env.origin_of(OBS_TILE_URL)],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# ---- end of Security and HTTP ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Imports: upload limits and retention (issue #12, privacy) -----------------------------------------------
UPLOAD_MAX_MB = env.env_int("OBS_UPLOAD_MAX_MB", 300)
UPLOAD_MAX_ROWS = env.env_int("OBS_UPLOAD_MAX_ROWS", 2_000_000)
UPLOAD_MAX_UNCOMPRESSED_MB = env.env_int("OBS_UPLOAD_MAX_UNCOMPRESSED_MB", 1000)
UPLOAD_RETENTION_HOURS = env.env_int("OBS_UPLOAD_RETENTION_HOURS", 24)
# Uploads larger than this go to a temporary file as they arrive, never into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# --- end of the import block ----------------------------------------------------------------------------------
