"""Django settings, read from the environment through ``observatorio.env``."""

from pathlib import Path

import dj_database_url

from observatorio import env

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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: turns "the first snapshot is still loading" into a progress page or a 503 for data.
    "observatorio.dashboard.loading.StateLoadingMiddleware",
]

ROOT_URLCONF = "observatorio.urls"

# Django's database sessions and ModelBackend as shipped, nothing kept between requests: every request reads
# its session and user, so a sign-out, a deactivation or a removed role counts on the next request in every
# process (decision 24).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

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
