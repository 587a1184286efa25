"""
Settings for the SaintsXCTF API: one module, driven by environment variables, with safe local defaults.

Unset everything and you get a local development setup: SQLite in the project directory, local-memory
cache, console email, DEBUG on. Production sets DATABASE_URL, SECRET_KEY, DEBUG=false, ALLOWED_HOSTS, ...
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# ------------------------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# With DEBUG=false there is no default: an empty ALLOWED_HOSTS refuses to start (see the end of this module).
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Browsers on other origins (django-cors-headers): only the origins listed, none by default. Tokens travel in the
# Authorization header, never in cookies, so credentials are not allowed.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 3600

INSTALLED_APPS = [
    "saintsxctf.operations.apps.SaintsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "saintsxctf.foundation",  # the ground wing: app label `saintsxctf`
    "users",
    "teams",
    "groups",
    "logs",
    "comments",
    "notifications",
    "functions",
    "saintsxctf.operations",  # the wing above the apps: admin site, demo data, importer, commands
]

MIDDLEWARE = [
    # First: the request id and the request's log line cover everything below (saintsxctf/foundation/requestlog.py).
    "saintsxctf.foundation.requestlog.RequestLogMiddleware",
    # A body refused unread is read to its end after the response, so the worker's close is orderly (no 502).
    "saintsxctf.foundation.middleware.DrainRequestBodyMiddleware",
    # Then /health and /ready answer before anything else runs (no host check, TLS redirect, auth, throttle).
    "saintsxctf.foundation.health.HealthCheckMiddleware",
    # Which database each read of the request uses (saintsxctf/foundation/replicas); a pass-through without replicas.
    "saintsxctf.foundation.replicas.routing.ReplicaRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer (CommonMiddleware, the views): preflights and CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "saintsxctf.foundation.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "saintsxctf.urls"
WSGI_APPLICATION = "saintsxctf.wsgi.application"
# The contract owns trailing slashes (`/v2/logs` redirects itself); Django must not add its own 301s.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ------------------------------------------------------------------------------------------------
# Database: DATABASE_URL (mysql://user:pass@host:port/name through mysqlclient); unset = SQLite file
# ------------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Seconds a database connect, read or write may take (MySQL/MariaDB); 0 = no limit. A hung database then fails
# the request (503 with Retry-After, saintsxctf/foundation/api/errors.py) instead of holding a worker. manage.py raises the
# read and write limits for its batch work (seeding, imports) unless they are set (see manage.py).
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3)
DB_READ_TIMEOUT = env_int("DB_READ_TIMEOUT", 15)
DB_WRITE_TIMEOUT = env_int("DB_WRITE_TIMEOUT", 15)
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"]["OPTIONS"] = {
        **{name: seconds for name, seconds in [("connect_timeout", DB_CONNECT_TIMEOUT),
                                               ("read_timeout", DB_READ_TIMEOUT),
                                               ("write_timeout", DB_WRITE_TIMEOUT)] if seconds > 0},
        "charset": "utf8mb4",
        # eq_range_index_dive_limit: the feeds match a group's or a team's authors with `username IN (list)`.
        # For each value the optimizer dives into every candidate index to estimate rows, which took three
        # quarters of a 130-author page query (3 of 4 ms); past 32 values it uses the index statistics (the
        # plan stays the same: the (deleted, date, log_id) index read backwards).
        "init_command": "SET sql_mode='STRICT_TRANS_TABLES', innodb_strict_mode=1, eq_range_index_dive_limit=32",
        "isolation_level": "read committed",
    }
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no server to hold connections open for; a long-lived connection only risks locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # How long a write waits for another process's write lock (`make run` has two workers) before it fails (503).
    DATABASES["default"]["OPTIONS"] = {"timeout": env_int("SQLITE_LOCK_TIMEOUT", 10)}

# Read replicas (saintsxctf/foundation/replicas): DATABASE_REPLICA_URLS, comma separated, adds the aliases replica1,
# replica2, ... Reads of GET requests go to a usable replica; writes, transactions, requests that write, commands
# and a writer's reads for REPLICA_READ_YOUR_WRITES_SECONDS go to the primary. Needs REDIS_URL (the writers are
# remembered there for every instance): without it every read goes to the primary.
REPLICA_MAX_LAG_SECONDS = env_float("REPLICA_MAX_LAG_SECONDS", 2)        # skip a replica further behind than this
REPLICA_CHECK_SECONDS = env_float("REPLICA_CHECK_SECONDS", 1)            # how often a process reads a replica's lag
REPLICA_RETRY_SECONDS = env_float("REPLICA_RETRY_SECONDS", 5)            # how long a failed replica is left alone
REPLICA_CONNECT_TIMEOUT = env_int("REPLICA_CONNECT_TIMEOUT", 1)          # seconds; then the primary serves the read
REPLICA_READ_YOUR_WRITES_SECONDS = env_int("REPLICA_READ_YOUR_WRITES_SECONDS", 10)
DATABASE_REPLICAS = []
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    # No health check (a ping) before a reused connection's first statement: the replica engine hands a statement
    # that fails for the connection to the primary (saintsxctf/foundation/replicas/fallback.py), so the ping would only cost
    # a round trip per request.
    _replica = dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=False)
    _engine = _replica["ENGINE"].rsplit(".", 1)[-1]
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"] or _engine not in {"mysql", "sqlite3"}:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: replica {_index} must use the primary's engine "
                                   "(MySQL/MariaDB, or SQLite for tests)")
    _replica["ENGINE"] = f"saintsxctf.foundation.replicas.{_engine}"  # the primary's engine, with the primary as fallback
    _replica["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    if _engine == "mysql":
        _replica["OPTIONS"]["connect_timeout"] = REPLICA_CONNECT_TIMEOUT
    _replica["TEST"] = {**DATABASES["default"].get("TEST", {}), "MIRROR": "default"}
    DATABASES[f"replica{_index}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_index}")
DATABASE_ROUTERS = ["saintsxctf.foundation.replicas.routing.ReplicaRouter"]
if REPLICA_READ_YOUR_WRITES_SECONDS <= REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS + 1:
    # A replica may serve reads while up to MAX_LAG (+1: the lag is counted in whole seconds) behind, and a lag
    # is up to CHECK seconds old: a writer must read from the primary at least that long.
    raise ImproperlyConfigured("REPLICA_READ_YOUR_WRITES_SECONDS must exceed REPLICA_MAX_LAG_SECONDS + "
                               "REPLICA_CHECK_SECONDS + 1")

DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
AUTH_USER_MODEL = "users.User"

# ------------------------------------------------------------------------------------------------
# Passwords: bcrypt; legacy `$2a$`/`$2b$` hashes are verified as they are (users.User.check_password)
# ------------------------------------------------------------------------------------------------
# The first hasher makes every new digest; it must keep a raw bcrypt hash the web client can verify
# (saintsxctf/foundation/auth/hashers.py, deviations.md 13). The others only read older digests, which are re-hashed
# with the first at the next sign-in.
PASSWORD_HASHERS = [
    "saintsxctf.foundation.auth.hashers.ClientBCryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
]
# The runner's own user record (GET /v2/users/<own username or email>) carries the raw bcrypt hash of their
# password in `password`, because the web client checks the typed password against it (deviations.md 13).
# Turn it off once no client needs it; no other response ever carries a hash.
SERVE_OWN_PASSWORD_HASH = env_bool("SERVE_OWN_PASSWORD_HASH", True)

# Every new password (signup, reset, the admin) passes these. The web client asks for 8+ characters on its reset
# page and up to 80; signup keeps the contract's 6 (README, "Passwords").
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "first", "last", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 6}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ------------------------------------------------------------------------------------------------
# Cache: Redis when REDIS_URL is set; otherwise none. State every process must agree on never lives in a
# per-process cache: revoked sessions and throttle counts are in the database (every configuration), and the
# aggregates (saintsxctf/foundation/aggregates.py) are cached only in Redis; without it they are computed on every read.
# ------------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
# Seconds a Redis connect or command may take before the call fails (the cache then fails open, see
# saintsxctf/foundation/aggregates.py); a hung Redis can never hold a request longer than a few of these.
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 0.5)
if REDIS_URL:
    CACHES = {"default": {
        "BACKEND": "saintsxctf.foundation.cache.SharedRedisCache", "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX"),
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
AGGREGATE_CACHE = bool(REDIS_URL)

# ------------------------------------------------------------------------------------------------
# Email: console by default, SMTP when EMAIL_BACKEND/EMAIL_HOST say so
# ------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds an SMTP connect or reply may take; the mail worker then retries the message later (saintsxctf/foundation/mail.py).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "SaintsXCTF <no-reply@saintsxctf.com>")
# The mail queue (saintsxctf/foundation/mail.py): the worker retries a failed send after MAIL_RETRY_SECONDS, doubled per
# attempt (at most an hour), MAIL_MAX_ATTEMPTS times in all; a claimed mail is another worker's after
# MAIL_LEASE_SECONDS (longer than a send can take: at least three SMTP timeouts).
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)
MAIL_RETRY_SECONDS = env_float("MAIL_RETRY_SECONDS", 30)
MAIL_LEASE_SECONDS = max(env_float("MAIL_LEASE_SECONDS", 300), 3 * EMAIL_TIMEOUT)
# Who gets a mail (through the queue) for every unhandled error, with its traceback: "Name <a@b.c>, c@d.e".
ADMINS = [(address.split("<")[0].strip() or address, address.split("<")[-1].rstrip(">").strip())
          for address in env_list("ADMINS", "")]
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The web client's address, used in links inside emails.
WEB_APP_URL = env("WEB_APP_URL", "https://www.saintsxctf.com")
# This API as a mail's reader reaches it (links in emails that the API itself serves, e.g. undoing an email
# change): the front proxy serves it under /api of the web client's origin.
API_PUBLIC_URL = env("API_PUBLIC_URL", f"{WEB_APP_URL.rstrip('/')}/api")
# The coach dashboard flags a runner with no log for this many days (groups/dashboard.py).
COACH_QUIET_DAYS = env_int("COACH_QUIET_DAYS", 7)
# Where runners' reports (the iOS app's "Report" screen, POST /fn/email/report) are mailed.
REPORT_EMAIL = env("REPORT_EMAIL", env("API_CONTACT_EMAIL", "andrew@jarombek.com"))

# ------------------------------------------------------------------------------------------------
# The API
# ------------------------------------------------------------------------------------------------
API_CONTACT_EMAIL = env("API_CONTACT_EMAIL", "andrew@jarombek.com")
# Written into the created_app/modified_app/deleted_app audit columns of rows this API writes.
AUDIT_APP_NAME = env("AUDIT_APP_NAME", "saints-xctf-api")
# /ready: how long the database and the cache may take to answer before the instance reports itself not ready.
READY_TIMEOUT = env_float("READY_TIMEOUT", 2.0)
# Adds an X-SQL-Query-Count header to every response (load testing only).
SQL_QUERY_COUNT_HEADER = env_bool("SQL_QUERY_COUNT_HEADER", False)
if SQL_QUERY_COUNT_HEADER:
    MIDDLEWARE.insert(0, "saintsxctf.foundation.middleware.QueryCountHeaderMiddleware")

# Hard limits on request bodies (saintsxctf/foundation/api/parsers.py): larger bodies answer 413, deeper JSON 400. The web
# client's largest body is a few kB and its deepest three levels.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 256 * 1024)
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 20)
# Pages (saintsxctf/foundation/api/pagination.py): the largest `limit` of a feed or list, and a list's page without one.
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100)
API_DEFAULT_PAGE_SIZE = env_int("API_DEFAULT_PAGE_SIZE", 50)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["saintsxctf.foundation.auth.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["saintsxctf.foundation.api.renderers.ContractJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["saintsxctf.foundation.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "saintsxctf.foundation.api.schema.ContractAutoSchema",
    "EXCEPTION_HANDLER": "saintsxctf.foundation.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles (saintsxctf/foundation/api/throttles.py): per client address and per account named in the request, counted
    # in the shared cache. `<requests>/<period>`, e.g. 30/min or 100/10min.
    "DEFAULT_THROTTLE_RATES": {
        # Sign-in (/auth/token, /auth/token/pair, the admin login): per address, and per account and address.
        "token_ip": env("THROTTLE_TOKEN_IP", "60/min"),
        "token_account": env("THROTTLE_TOKEN_ACCOUNT", "30/min,300/day"),
        "signup_ip": env("THROTTLE_SIGNUP_IP", "20/min"),
        "signup_account": env("THROTTLE_SIGNUP_ACCOUNT", "10/min"),
        "forgot_password_ip": env("THROTTLE_FORGOT_PASSWORD_IP", "20/min"),
        "forgot_password_account": env("THROTTLE_FORGOT_PASSWORD_ACCOUNT", "5/min"),
        "activation_code_ip": env("THROTTLE_ACTIVATION_CODE_IP", "30/min"),
        "activation_code_account": env("THROTTLE_ACTIVATION_CODE_ACCOUNT", "10/min"),
        # Every check of a guessable code (forgot-password validate and change_password, activation code
        # lookups, signup), one allowance per address for all of them.
        "code_check_ip": env("THROTTLE_CODE_CHECK_IP", "30/10min,300/day"),
        "change_password_account": env("THROTTLE_CHANGE_PASSWORD_ACCOUNT", "10/min"),
        "notification_sender": env("THROTTLE_NOTIFICATION_SENDER", "30/min,500/day"),
        "report": env("THROTTLE_REPORT", "10/hour"),  # POST /fn/email/report, per runner
    },
    # How many proxies in front of gunicorn append to X-Forwarded-For. 0: the client address is REMOTE_ADDR and
    # the header is ignored (otherwise any client could name its own address and dodge the per-address limits).
    "NUM_PROXIES": env_int("THROTTLE_NUM_PROXIES", 0),
}

# Tokens (saintsxctf/foundation/auth/tokens.py). Access tokens from /auth/token/refresh and /auth/token/pair are short-lived;
# new clients refresh them (refresh tokens rotate, and the used one is blacklisted). The `result` token of the
# legacy POST /auth/token lives longer because the existing clients never refresh: when it expires they send
# their runner back to the sign-in page (the original's tokens lived 28 days). Logging out and changing the
# password revoke both kinds at once, which is what makes a long legacy lifetime tolerable.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", SECRET_KEY),
    "USER_ID_FIELD": "username",
    "USER_ID_CLAIM": "sub",
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Clocks of API instances differ a little: a token one instance issued is used at once on another, whose clock
    # may be behind its `iat` (PyJWT refuses a token issued in the future, and the client would be signed out).
    "LEEWAY": env_int("JWT_LEEWAY_SECONDS", 5),
    "UPDATE_LAST_LOGIN": False,
    "TOKEN_OBTAIN_SERIALIZER": "saintsxctf.foundation.auth.serializers.TokenPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "saintsxctf.foundation.auth.serializers.TokenRefreshSerializer",
    "TOKEN_VERIFY_SERIALIZER": "saintsxctf.foundation.auth.serializers.TokenVerifySerializer",
}
JWT_LEGACY_ACCESS_LIFETIME = timedelta(hours=env_int("JWT_LEGACY_ACCESS_HOURS", 7 * 24))

SPECTACULAR_SETTINGS = {
    "TITLE": "SaintsXCTF API",
    "DESCRIPTION": "Running logs for a cross-country and track team: the SaintsXCTF API v2.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # One tag per resource group, described (saintsxctf/foundation/api/schema.py), after drf-spectacular's enum naming.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "saintsxctf.foundation.api.schema.tags_with_descriptions"],
    # The coach's view (groups/serializers.py): one name per choice set shared by several fields.
    "ENUM_NAME_OVERRIDES": {
        "TargetKindEnum": "groups.models.TARGET_KIND_CHOICES",
        "TargetStatusEnum": ["under", "on", "over"],
        "DashboardFlagKindEnum": ["quiet", "low_feel", "feel_falling", "pain"],
    },
}

# ------------------------------------------------------------------------------------------------
# Internationalisation and static files
# ------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = False  # the legacy database stores naive UTC datetimes; we keep them as they are

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# ------------------------------------------------------------------------------------------------
# Media: profile and group pictures (functions/), through Django's storage API. A local folder by default
# (MEDIA_ROOT); S3 or any S3-compatible store (MinIO, R2, ...) when MEDIA_S3_BUCKET is set, through
# django-storages. Credentials: MEDIA_S3_ACCESS_KEY_ID/MEDIA_S3_SECRET_ACCESS_KEY, or boto3's own chain
# (AWS_ACCESS_KEY_ID, an instance role, ...) when those are unset.
# ------------------------------------------------------------------------------------------------
MEDIA_ROOT = env("MEDIA_ROOT", str(BASE_DIR / "media"))
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET")
if MEDIA_S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL") or None,      # unset: AWS itself
            "region_name": env("MEDIA_S3_REGION") or None,
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": env("MEDIA_S3_ADDRESSING_STYLE") or None,  # "path" for most S3-compatible stores
            "location": env("MEDIA_S3_PREFIX"),                        # a folder inside the bucket, if shared
            "file_overwrite": False,
            "default_acl": None,  # the bucket's own policy; pictures are served through /uasset, not by S3
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Uploads (functions/pictures.py): the first segment of every picture's key (the original's `prod`/`dev`, so a
# store that holds the original bucket's objects serves them unchanged), the bucket named in the upload URLs
# the clients rewrite to /s3/..., how long an upload URL lives, and what an upload may be.
UASSET_ENV = env("UASSET_ENV", "prod")
UPLOAD_URL_BUCKET = env("UPLOAD_URL_BUCKET", "uasset.saintsxctf.com")
UPLOAD_URL_MAX_AGE = env_int("UPLOAD_URL_MAX_AGE", 300)  # seconds, as the original's presigned URLs
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 40_000_000)

STORAGES = {
    "default": MEDIA_STORAGE,
    # Hashed, compressed files in production (needs `collectstatic`); plain files while developing.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# ------------------------------------------------------------------------------------------------
# Security (production toggles; `manage.py check --deploy` is clean with DEBUG=false and these on)
# ------------------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Logs (saintsxctf/foundation/requestlog.py): one JSON object per line on stderr, each with the id of the request it belongs
# to; one line per request on `saintsxctf.request`; errors with a traceback also mailed to ADMINS (queued).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "saintsxctf.foundation.requestlog.RequestIdFilter"},
        "quiet_client_errors": {"()": "saintsxctf.foundation.requestlog.QuietClientErrors"},
    },
    "formatters": {"json": {"()": "saintsxctf.foundation.requestlog.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
        "mail_admins": {"class": "saintsxctf.foundation.requestlog.QueuedAdminEmailHandler", "level": "ERROR",
                        "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {
        "saintsxctf.request": {"level": env("REQUEST_LOG_LEVEL", "INFO")},
        "django.request": {"filters": ["quiet_client_errors"], "handlers": ["mail_admins"]},
        "saintsxctf.errors": {"handlers": ["mail_admins"]},
    },
}

# ------------------------------------------------------------------------------------------------
# Production fails closed: with DEBUG=false the settings refuse to load (so manage.py, gunicorn and the worker
# all refuse to start), naming the variable, when a value would make the deployment unsafe.
# ------------------------------------------------------------------------------------------------


def production_problems() -> list[str]:
    """What is unsafe about these settings for DEBUG=false (empty when nothing is)."""
    problems = []
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        problems.append("SECRET_KEY is unset or the development key: set it to a long random value "
                        "(anyone could sign tokens with the public development key)")
    if env("JWT_SIGNING_KEY") == DEVELOPMENT_SECRET_KEY:
        problems.append("JWT_SIGNING_KEY is the development key: unset it (SECRET_KEY is used) or set a random one")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty: set the host names this API answers to, comma separated")
    if DATABASE_REPLICAS and not REDIS_URL:
        problems.append("DATABASE_REPLICA_URLS is set without REDIS_URL: read-your-writes needs the shared cache "
                        "(without it no read would go to a replica)")
    if CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        problems.append("CACHES holds a per-process cache: set REDIS_URL (processes would disagree)")
    return problems


# Caches one process keeps to itself. No environment variable selects one (without REDIS_URL there is no cache
# at all, and the state every process must share lives in the database), so this can only trip when someone
# edits this module; it stays as the guard of the rule "no per-process shared state in production".
PER_PROCESS_CACHES = {"django.core.cache.backends.locmem.LocMemCache",
                      "django.core.cache.backends.filebased.FileBasedCache"}

if not DEBUG and (PRODUCTION_PROBLEMS := production_problems()):
    raise ImproperlyConfigured("Refusing to start with DEBUG=false:\n  " + "\n  ".join(PRODUCTION_PROBLEMS))
