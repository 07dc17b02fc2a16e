"""One settings module, driven by the environment.

With nothing set, the service runs embedded: SQLite under var/, a file-system Celery broker under var/,
a local-memory cache and console e-mail, so a checkout just works. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, DEBUG=false and ALLOWED_HOSTS (see README.md, "Configuration").
"""

import os
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_float(name: str, default: float) -> float:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None
    if not number > 0:
        raise ImproperlyConfigured(f"{name} must be more than 0, not {value!r}.")
    return number


def env_pounds(name: str, default: str) -> Decimal:
    """An amount of money in pounds and pence (0 or more)."""
    value = os.getenv(name) or default
    try:
        amount = Decimal(value.strip().lstrip("£"))
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be an amount in pounds such as 4.50, not {value!r}.") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ImproperlyConfigured(f"{name} must be an amount in pounds and pence, 0 or more, not {value!r}.")
    return amount


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.getenv("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("DEBUG is off but SECRET_KEY is not set: set SECRET_KEY to a long random value.")

# With DEBUG on (`make run`, the demo) people still get the service's own 404 and 500 pages; a developer who
# wants Django's technical pages (the traceback, the URL patterns tried) sets DEBUG_ERROR_PAGES=true.
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = os.getenv("SITE_NAME", "Care market")
# Shown in the pages' header (a council service is not part of GOV.UK: no crown); SITE_NAME when not set.
COUNCIL_NAME = os.getenv("COUNCIL_NAME", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "django_celery_beat",
    "simple_history",
    "axes",
    "accounts",
    "geo",
    "providers",
    "quality",
    "contracts",
    "market",
    "tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every answer's Content-Security-Policy, with a nonce per request for base.html's inline scripts.
    "config.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the body: a request larger than UPLOAD_MAX_BYTES is a 413.
    "core.uploads.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.web.ServiceErrorPagesMiddleware",
    # Last, so it sees the outcome of every sign-in: answers a locked-out admin sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while its user name or address is locked out, before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/sign-in/"
LOGIN_REDIRECT_URL = "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.navigation.navigation",
                "core.web.site",
            ],
            # Every template may show money, days, choices and tags the one way (core.present) without a load.
            "builtins": ["core.templatetags.present"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------
# Web, worker and beat share an SQLite file: WAL lets readers run beside one writer, and IMMEDIATE transactions
# take the write lock up front instead of failing with "database is locked". Any SQLite database gets these,
# the embedded one and one named by DATABASE_URL=sqlite:///... (as in the suite's SQLite run).
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = os.getenv("DATABASE_URL", "")
if DATABASE_URL:
    scheme = urlsplit(DATABASE_URL).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has scheme {scheme!r}: set it to postgres://user:password@host:5432/name "
            "(or unset it for the embedded SQLite database)."
        )
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    else:
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
        # The test database is a file beside this one, not SQLite's in-memory default, so that a Celery worker
        # thread in the tests shares it the way worker processes share the embedded database.
        sqlite_path = Path(DATABASES["default"]["NAME"])
        DATABASES["default"].setdefault("TEST", {"NAME": str(sqlite_path.with_name(f"test_{sqlite_path.name}"))})
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "care_market.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
# A read replica (README.md, "Scaling out"): the bed finder's searches and the market analysis read from it, outside
# a transaction (core.replica); every write, and every read a service makes while it writes, stays on DATABASE_URL.
DATABASE_REPLICA_URL = os.getenv("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    if not DATABASES["default"]["ENGINE"].endswith("postgresql") or urlsplit(DATABASE_REPLICA_URL).scheme not in {
        "postgres",
        "postgresql",
        "pgsql",
    }:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is for a PostgreSQL read replica of the PostgreSQL database at DATABASE_URL: "
            "set both to postgres://user:password@host:5432/name, or unset DATABASE_REPLICA_URL."
        )
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)),
        "OPTIONS": {"connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5)},
        "CONN_HEALTH_CHECKS": True,
        # A test run reads the test database through the alias, as production reads the primary's copy.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# Behind PgBouncer in transaction mode a connection is someone else's after each transaction, so a server-side
# cursor (a queryset's .iterator() opens one, WITH HOLD outside a transaction) would be lost: Django then fetches
# in chunks on the client instead. (Django's psycopg 3 cursors bind parameters on the client, so no prepared
# statement is left on a server connection either.)
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", False)
if DATABASE_TRANSACTION_POOLING:
    for database in DATABASES.values():
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
# Prepared statements on PostgreSQL, off unless asked for: a query a connection has sent DATABASE_PREPARE_THRESHOLD
# times is then parsed and planned once and run from its plan, which takes 1-2 ms of database time off each bed
# finder search and inbox page (bench/README.md). psycopg prepares only what it binds on the server, so the
# parameters are then sent apart from the SQL, and that changes three things the service relies on: a statement
# takes at most 65,535 parameters (Django's bulk_create does not split its rows on PostgreSQL, and an import of some
# thousands of rows would fail); a small integer is sent as smallint, so an expression index written with integer
# literals (the inbox's severity order) no longer matches its query; and a plan prepared before a migration changes
# a column's type fails until the connection is replaced. Not with PgBouncer in transaction mode either: Debian's
# PgBouncer (1.18) cannot carry a prepared statement from one server connection to the next.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", False)
if DATABASE_PREPARED_STATEMENTS:
    for database in DATABASES.values():
        if database["ENGINE"].endswith("postgresql"):
            database.setdefault("OPTIONS", {}).update(
                server_side_binding=True, prepare_threshold=env_int("DATABASE_PREPARE_THRESHOLD", 5)
            )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker ---------------------------------------------------------------------------------
REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, keeping one client per connection pool (core.cache says why).
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.getenv("CACHE_KEY_PREFIX", "care-market"),
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -------------------------------------------------------------------------------------------
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# A message not acknowledged within the visibility timeout is delivered again; it must outlast the
# longest task, or a slow task (acks_late) would run twice. Long waits are periodic sweeps, never ETAs.
CELERY_VISIBILITY_TIMEOUT = max(env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60), CELERY_TASK_TIME_LIMIT * 2)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport, mended so that a worker holding unacknowledged messages when Redis goes away
    # reconnects instead of stopping (config/broker.py says how).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    BROKER_DIR = VAR_DIR / "broker"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# How long /health/ waits for the cache and the broker before calling them unavailable.
HEALTH_PROBE_TIMEOUT_SECONDS = env_float("HEALTH_PROBE_TIMEOUT_SECONDS", 0.5)
# Workers and beat record a heartbeat this often; /health/ answers 503 when none is newer than the maximum age.
WORKER_HEARTBEAT_SECONDS = env_float("WORKER_HEARTBEAT_SECONDS", 15)
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env_float("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", 60)
# A rule run or fan-out whose worker's heartbeat is older than this is sent again (tasks.services.runs).
RUN_STALLED_AFTER_SECONDS = env_float("RUN_STALLED_AFTER_SECONDS", 120)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = timedelta(days=14)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Europe/London"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- API ----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an unauthenticated call a 401 (DRF asks the first class);
    # browser sessions are still accepted (and CSRF-checked) by the second.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, with who a token signs in as and their roles kept in the cache (accounts.access_cache).
        "accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's two, the JSON written by orjson (core.renderers: the same bytes, several times faster).
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON bodies only (refusing one nested too deep, core.api.JSONParser): a form body cannot say null or a list of
    # one, so the same request would mean different things in two formats. A form body is a 415. Uploads read
    # multipart, and only multipart (their views say so).
    "DEFAULT_PARSER_CLASSES": ["core.api.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.query.KnownQueryParameters",
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.query.SearchFilter",
        "core.query.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_MAX_PAGE_SIZE = 500
# The alert inbox counts its rows exactly up to this many; beyond, the count is PostgreSQL's estimate unless a client
# asks for the exact figure (core.api.EstimatedCountPagination says why).
API_EXACT_COUNT_UP_TO = env_int("API_EXACT_COUNT_UP_TO", 10_000)
# How long the cache keeps who an API token signs in as and their roles (0: not at all). The services that change
# tokens, accounts and roles mark the entry changed at once; this bounds only changes made past them.
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 300)

SPECTACULAR_SETTINGS = {
    "TITLE": "Care market API",
    "DESCRIPTION": "Providers, CQC ratings, localities, contracts, block beds, placements and market risk alerts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The system's own fonts: Redoc's defaults come from Google, and nothing the docs need leaves the service.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"},
                "code": {"fontFamily": "ui-monospace, Menlo, Consolas, monospace"},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- E-mail -------------------------------------------------------------------------------------------
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "care-market@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The front-end packages' built files (core/static/vendor/, refreshed by `make assets`) and the service's own.
# With DEBUG on they are served from here as they are; in production from STATIC_ROOT after collectstatic, by
# WhiteNoise, with hashed names and compressed copies.
STATICFILES_DIRS = [BASE_DIR / "core" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# The largest request body (an uploaded file with its form) the service accepts: larger is a 413 before anything
# is read (core.uploads.RequestSizeLimitMiddleware).
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 50)
if UPLOAD_MAX_MB < 1:
    raise ImproperlyConfigured(f"UPLOAD_MAX_MB must be 1 or more, not {UPLOAD_MAX_MB}.")
UPLOAD_MAX_BYTES = UPLOAD_MAX_MB * 1024 * 1024
# A CSV import (vacancies, demand, people waiting) of more lines is refused at the line after them, header included.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
if IMPORT_MAX_ROWS < 1:
    raise ImproperlyConfigured(f"IMPORT_MAX_ROWS must be 1 or more, not {IMPORT_MAX_ROWS}.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security (production) ----------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A signed-in session ends after SESSION_IDLE_SECONDS without a request (a working day by default, where Django's
# default is two weeks); every request starts the time again (the session is saved, with its new expiry, each
# time), so a day's work is never cut short.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 8 * 60 * 60)
if SESSION_IDLE_SECONDS < 60:
    raise ImproperlyConfigured(f"SESSION_IDLE_SECONDS must be 60 or more, not {SESSION_IDLE_SECONDS}.")
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SECURE_REFERRER_POLICY = "same-origin"
SILENCED_SYSTEM_CHECKS = []
if not DEBUG and not SECURE_HSTS_PRELOAD:
    # Preloading is a one-way decision for the domain's owner; leaving it off is deliberate.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# --- Logging ------------------------------------------------------------------------------------------
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = os.getenv("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
        "axes": {"level": "WARNING"},  # lockouts are warnings; each failed attempt is kept in the admin instead
    },
}

# --- Sign-in lockout (django-axes) --------------------------------------------------------------------
# Failed sign-ins (the pages', the admin's and POST /api/v1/accounts/token/) are counted per user name from one
# address and per address (accounts.lockout): after LOGIN_FAILURE_LIMIT for a user name from an address, that
# user name is refused from that address; after LOGIN_ADDRESS_FAILURE_LIMIT from an address, whatever the
# names, every sign-in from it is refused (the API answers 429, the pages and the admin show the lockout
# page) until LOGIN_LOCKOUT_MINUTES pass without another failure. A successful sign-in clears its user name's
# count from its address.
AXES_ENABLED = env_bool("LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100)
if LOGIN_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        f"LOGIN_ADDRESS_FAILURE_LIMIT ({LOGIN_ADDRESS_FAILURE_LIMIT}) must be at least LOGIN_FAILURE_LIMIT "
        f"({AXES_FAILURE_LIMIT}): many people may share one address."
    )
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_HANDLER = "accounts.lockout.SignInLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # in this order: accounts.lockout
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# The admin's lockout page in the admin, the service's own on its sign-in page.
AXES_LOCKOUT_CALLABLE = "accounts.web.views.lockout_response"
# Behind a reverse proxy every request comes from the proxy's address: with TRUSTED_PROXY_COUNT set, the
# client's address is read from X-Forwarded-For, that many proxies from the right.
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Domain defaults (see README.md) ------------------------------------------------------------------
HOLD_DURATION = timedelta(hours=env_int("HOLD_DURATION_HOURS", 48))
VACANCY_REPORT_STALE_DAYS = env_int("VACANCY_REPORT_STALE_DAYS", 7)
# A vacancy report is for today or the days just gone: one dated more than this many days ago is refused.
VACANCY_REPORT_MAX_AGE_DAYS = env_int("VACANCY_REPORT_MAX_AGE_DAYS", 1)
# Use voids before buying spot: a spot bed bought while a block bed of its care type is free within this many
# kilometres of the spot home on its first day needs the broker's reason, and counts as an avoidable spot purchase.
AVOIDABLE_SPOT_RADIUS_KM = env_float("AVOIDABLE_SPOT_RADIUS_KM", 10)
# If a provider fails: a person in its beds is re-placed only in a free bed within this many kilometres of the home
# they are in now; beyond it they are short. The nightly failure_impact rule warns about a provider whose failure
# would leave more than FAILURE_IMPACT_THRESHOLD people without a bed within that radius.
FAILURE_RADIUS_KM = env_float("FAILURE_RADIUS_KM", 20)
FAILURE_IMPACT_THRESHOLD = env_int("FAILURE_IMPACT_THRESHOLD", 10)
# A person waiting for care longer than this (six weeks) is counted as a long wait in the capacity gaps.
PENDING_WAIT_LONG_DAYS = env_int("PENDING_WAIT_LONG_DAYS", 42)
# Alerts: changes within this many seconds of a rule's last request share one event-driven run of it.
RULE_RUN_COALESCE_SECONDS = env_int("RULE_RUN_COALESCE_SECONDS", 600)
# Mobilisation RAG: a milestone not done and due within this many days is amber; recruitment more than this
# percentage behind the weekly trajectory is amber.
MOBILISATION_AMBER_DAYS = env_int("MOBILISATION_AMBER_DAYS", 14)
# The council's own quality audits (PAMMS): the provider's days to comment on a shared draft and to submit an
# action plan after a Requires improvement or Poor rating, and the months to the next audit.
QUALITY_COMMENT_DAYS = env_int("QUALITY_COMMENT_DAYS", 14)
QUALITY_ACTION_PLAN_DAYS = env_int("QUALITY_ACTION_PLAN_DAYS", 14)
QUALITY_REAUDIT_MONTHS = env_int("QUALITY_REAUDIT_MONTHS", 6)
QUALITY_AUDIT_CYCLE_MONTHS = env_int("QUALITY_AUDIT_CYCLE_MONTHS", 24)
# How far back a visit may be planned (an audit recorded after the event).
QUALITY_PLAN_BACKDATE = timedelta(days=env_int("QUALITY_PLAN_BACKDATE_DAYS", 31))
MOBILISATION_RECRUITMENT_TOLERANCE_PERCENT = env_int("MOBILISATION_RECRUITMENT_TOLERANCE_PERCENT", 10)
# Micro-enterprise programmes: the £ an hour of their care saves against framework home care rates (a
# programme's own figure defaults to it).
MICRO_ENTERPRISE_HOURLY_COST_AVOIDANCE = env_pounds("MICRO_ENTERPRISE_HOURLY_COST_AVOIDANCE", "4.50")
# The NLW and CPI increases an annual uplift accepts, in percent: anything outside is a typing slip.
UPLIFT_PERCENT_MIN = env_int("UPLIFT_PERCENT_MIN", -20)
UPLIFT_PERCENT_MAX = env_int("UPLIFT_PERCENT_MAX", 50)
CQC_API_BASE_URL = os.getenv("CQC_API_BASE_URL", "https://api.service.cqc.org.uk/public/v1")
CQC_API_KEY = os.getenv("CQC_API_KEY", "")
CQC_REQUESTS_PER_SECOND = env_float("CQC_REQUESTS_PER_SECOND", 5)
CQC_TIMEOUT_SECONDS = env_float("CQC_TIMEOUT_SECONDS", 20)
CQC_LOCAL_AUTHORITIES = env_list("CQC_LOCAL_AUTHORITIES")
CQC_REGIONS = env_list("CQC_REGIONS")
# A first load stops at the end of a page after this long, leaving room for that page within the task time limit.
CQC_SYNC_TIME_BUDGET_SECONDS = env_float("CQC_SYNC_TIME_BUDGET_SECONDS", CELERY_TASK_TIME_LIMIT / 2)
# One OpenAPI enum for CQC's rating values, shared by every rating field (overall, key questions, changes).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "RatingValueEnum": "providers.models.RatingValue",
    "AuditStatusEnum": "quality.models.AuditStatus",
    "QualityRatingEnum": "quality.models.QualityRating",
    "ActionProgressEnum": "quality.models.ActionProgress",
    "IntelligenceCategoryEnum": "quality.models.IntelligenceCategory",
    "IntelligenceSeverityEnum": "quality.models.IntelligenceSeverity",
    "BreakDecisionEnum": "contracts.models.BreakDecision",
    "PlacementEndReasonEnum": "contracts.models.PlacementEndReason",
    "RegistrationEventKindEnum": "providers.models.RegistrationEventKind",
    "AlertStatusEnum": "tasks.models.AlertStatus",
    "AlertSeverityEnum": "tasks.models.Severity",
    "AlertEventKindEnum": "tasks.models.EventKind",
    "LocalityKindEnum": "geo.models.LocalityKind",
    "ContingencyReasonEnum": "market.models.ContingencyReason",
    "TransferDestinationEnum": "market.models.TransferDestination",
    "MilestoneKindEnum": "market.models.MilestoneKind",
    "MilestoneStatusEnum": "market.models.MilestoneStatus",
    "GatewayOutcomeEnum": "market.models.GatewayOutcome",
    "RiskLevelEnum": "market.models.RiskLevel",
    "CriterionResultEnum": "market.models.CriterionResult",
    "LotStatusEnum": "market.models.LotStatus",
    "LotEndStatusEnum": "market.api.serializers.LOT_END_STATUSES",
    "TenderStatusEnum": "market.models.TenderStatus",
    "LotServiceEnum": "market.models.LotService",
    "CareTypeEnum": "contracts.models.CareType",
    "PlacementSourceEnum": "contracts.models.PlacementSource",
    "DemandCareTypeEnum": "market.models.DemandCareType",
    "DemandSourceEnum": "market.models.DemandSource",
    "MicroEnterpriseStatusEnum": "market.models.MicroEnterpriseStatus",
    "OversightStageEnum": "market.models.OversightStage",
    "StageEnum": "market.models.StageName",  # the tenders' stages, named as before the oversight stages came
    "FailureReasonEnum": "market.models.FailureReason",
    "FailurePersonStatusEnum": "market.models.PersonStatus",
    "ChannelKindEnum": "tasks.models.ChannelKind",
    "NotificationKindEnum": "tasks.models.NotificationKind",
    "NotificationStatusEnum": "tasks.models.NotificationStatus",
}
# --- Alert delivery (tasks.services.delivery; see README.md, "Alert delivery") ---------------------------
# E-mail goes through Django's mail backend (EMAIL_HOST, or the console on the embedded default) or through
# GOV.UK Notify, chosen by ALERT_EMAIL_BACKEND; with a NOTIFY_API_KEY and no choice made, Notify is used.
NOTIFY_API_KEY = os.getenv("NOTIFY_API_KEY", "")
NOTIFY_EMAIL_TEMPLATE_ID = os.getenv("NOTIFY_EMAIL_TEMPLATE_ID", "")
NOTIFY_API_BASE_URL = os.getenv("NOTIFY_API_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = env_float("NOTIFY_TIMEOUT_SECONDS", 10)
ALERT_EMAIL_BACKEND = os.getenv("ALERT_EMAIL_BACKEND", "") or ("notify" if NOTIFY_API_KEY else "django")
if ALERT_EMAIL_BACKEND not in {"django", "notify"}:
    raise ImproperlyConfigured(f"ALERT_EMAIL_BACKEND must be django or notify, not {ALERT_EMAIL_BACKEND!r}.")
if ALERT_EMAIL_BACKEND == "notify" and not (NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID):
    raise ImproperlyConfigured("ALERT_EMAIL_BACKEND is notify: set NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID.")
ALERT_WEBHOOK_TIMEOUT_SECONDS = env_float("ALERT_WEBHOOK_TIMEOUT_SECONDS", 10)
# Webhooks may not post to loopback, private or link-local addresses unless this is set (an internal receiver).
ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
# New alerts for one subscriber within this window go out as one message.
ALERT_BATCH_WINDOW_SECONDS = env_int("ALERT_BATCH_WINDOW_SECONDS", 120)
# A message carries at most this many alert events; the rest of a batch follow in further messages, each with its
# own idempotency key (the first sweep of a whole estate must not make a request no receiver accepts).
ALERT_MESSAGE_EVENTS_LIMIT = env_int("ALERT_MESSAGE_EVENTS_LIMIT", 200)
# A failed send is tried again after ALERT_RETRY_SECONDS, doubling each time up to ALERT_RETRY_MAX_SECONDS,
# ALERT_DELIVERY_ATTEMPTS times in all; then it is a dead letter.
ALERT_DELIVERY_ATTEMPTS = env_int("ALERT_DELIVERY_ATTEMPTS", 6)
ALERT_RETRY_SECONDS = env_float("ALERT_RETRY_SECONDS", 60)
ALERT_RETRY_MAX_SECONDS = env_float("ALERT_RETRY_MAX_SECONDS", 3600)
# After this many dead letters in a row a channel is marked failing and its owner is told in the inbox.
ALERT_CHANNEL_FAILING_AFTER = env_int("ALERT_CHANNEL_FAILING_AFTER", 3)
# An acknowledged high or critical alert not yet resolved is sent again to its owner every this many days.
ALERT_REMINDER_DAYS = env_int("ALERT_REMINDER_DAYS", 7)
# An alert still unresolved (and not snoozed) this many days after it opened is overdue: the weekly summary to each
# area's owner counts them.
ALERT_OVERDUE_DAYS = env_int("ALERT_OVERDUE_DAYS", 14)
# The address alert links in messages point at (the service's own pages and API).
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
POSTCODE_ONLINE_LOOKUP = env_bool("POSTCODE_ONLINE_LOOKUP", False)
POSTCODE_LOOKUP_URL = os.getenv("POSTCODE_LOOKUP_URL", "https://api.postcodes.io/postcodes/")
POSTCODE_LOOKUP_TIMEOUT_SECONDS = env_float("POSTCODE_LOOKUP_TIMEOUT_SECONDS", 5)
GEO_LAYER_CACHE_SECONDS = env_int("GEO_LAYER_CACHE_SECONDS", 24 * 60 * 60)
# How many parsed boundaries each process keeps for localities_at (only those near points asked about).
GEO_BOUNDARY_CACHE_SIZE = env_int("GEO_BOUNDARY_CACHE_SIZE", 2000)

# The map draws the service's own layers on a plain background; a tile layer is added only where one is
# licensed (an address with {z}/{x}/{y}, e.g. the council's own tile server) and its attribution is shown.
MAP_TILE_URL = os.getenv("MAP_TILE_URL", "").strip()
MAP_TILE_ATTRIBUTION = os.getenv("MAP_TILE_ATTRIBUTION", "").strip()
if MAP_TILE_URL and not MAP_TILE_ATTRIBUTION:
    raise ImproperlyConfigured("MAP_TILE_ATTRIBUTION must say whose tiles MAP_TILE_URL serves (their licence asks it).")
