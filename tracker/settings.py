"""Settings: one module, every variable read from the environment. The defaults are `make demo`'s
(SQLite, eager Celery, console e-mail, DEBUG on); production is switched on by variables."""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DJANGO_DEBUG=(bool, True),
    DJANGO_SECRET_KEY=(str, ""),
    DJANGO_SECRET_KEY_FALLBACKS=(list, []),
    DJANGO_ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]", "testserver"]),
    DJANGO_CSRF_TRUSTED_ORIGINS=(list, []),
    DJANGO_SECURE_SSL_REDIRECT=(bool, True),
    DJANGO_SECURE_HSTS_SECONDS=(int, 3600),
    DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=(bool, True),
    DJANGO_LOG_LEVEL=(str, "INFO"),
    DATABASE_URL=(str, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    DATABASE_CONN_MAX_AGE=(int, 60),
    DATABASE_JIT_OFF=(bool, True),
    CACHE_URL=(str, "locmemcache://"),
    TRACKER_CACHE_URL=(str, ""),
    TRACKER_CACHE_SECONDS=(int, 86400),
    TRACKER_PAGE_WAIT_SECONDS=(float, 8.0),
    TRACKER_PAGES_QUEUED=(int, 4),
    TRACKER_PAGES_QUEUE=(str, ""),
    CELERY_BROKER_URL=(str, ""),
    CELERY_RESULT_BACKEND=(str, ""),
    CELERY_TASK_TIME_LIMIT=(int, 300),
    EMAIL_URL=(str, "consolemail://"),
    DEFAULT_FROM_EMAIL=(str, "tracker@localhost"),
    TRACKER_TIME_ZONE=(str, "Asia/Yangon"),
    TRACKER_STATIC_ROOT=(str, str(BASE_DIR / "staticfiles")),
    TRACKER_API_CLIENT_RATE=(str, "1000/hour"),
    TRACKER_API_ANON_RATE=(str, "100/hour"),
    TRACKER_API_USER_RATE=(str, "1000/hour"),
    TRACKER_PROXIES=(int, 0),
    TRACKER_API_IDEMPOTENCY_DAYS=(int, 30),
    TRACKER_KOBO_PAYLOAD_DAYS=(int, 90),
    TRACKER_STOCK_STALE_DAYS=(int, 180),
    TRACKER_OFFLINE_PLACES_ROOT=(str, "MMR002"),
    TRACKER_GAZETTEER_LOCAL_LANGUAGE=(str, "my"),
    TRACKER_API_USAGE_FLUSH_SECONDS=(float, 60),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DJANGO_DEBUG")
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-key-for-local-development-only"  # noqa: S105 - never used with DEBUG off
# Earlier keys, still accepted (sessions, the API's cursors) while a new one takes over.
SECRET_KEY_FALLBACKS = env("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tracker.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "taggit",
    "gazetteer",
    "reports",
    "intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "reports.middleware.NoStoreForPrivatePages",
    # A change the database gave up on (a deadlock, after the services' retries): a 503 page
    # saying nothing was saved, not a server error.
    "reports.middleware.BusyDatabase",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reports.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env("DATABASE_CONN_MAX_AGE")
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compiling: on the base tables' larger reads it cost more than the query (about
    # 200 ms of a 500 ms read at a million reports), and the summaries' reads never need it.
    # Asked of each connection; a DATABASE_URL saying otherwise (?options=-c jit=on) is kept.
    # Behind a pooler that refuses startup options (PgBouncer, RDS Proxy): DATABASE_JIT_OFF=0
    # and `ALTER DATABASE <name> SET jit = off` instead (deploy/README.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if env("DATABASE_JIT_OFF") and not re.search(r"(^|\s)-c\s*jit=", _options.get("options", "")):
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# A failed CSRF check answers with the site's own page, in the person's language.
CSRF_FAILURE_VIEW = "reports.views.errors.csrf_failure"
LOGIN_REDIRECT_URL = "accounts:start"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("my", "Burmese")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language of the gazetteer's local-script names (MIMU: Burmese): pages in it show them.
GAZETTEER_LOCAL_LANGUAGE = env("TRACKER_GAZETTEER_LOCAL_LANGUAGE")
# Stored in UTC, shown in the time of the first deployment's users.
TIME_ZONE = env("TRACKER_TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("TRACKER_STATIC_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")

# One cache shared by every web process (Redis in deploy/), so API rate limits hold across
# gunicorn workers; the default keeps it in each process, which is right for one runserver.
CACHES = {"default": env.cache_url("CACHE_URL")}
# The public pages' fragments, kept under the data version (reports.views.cached; docs/caching.md):
# by default in each process (at most 100, up to 0.6 MB each at 300,000 reports); TRACKER_CACHE_URL
# (redis://...) shares them between the web processes, dummycache:// keeps none. A fragment is
# never served after a change to the data, whatever TRACKER_CACHE_SECONDS (how long an unused
# one is kept).
CACHES["pages"] = (
    env.cache_url("TRACKER_CACHE_URL")
    if env("TRACKER_CACHE_URL")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tracker-pages",
        "OPTIONS": {"MAX_ENTRIES": 100},
    }
)
CACHES["pages"]["TIMEOUT"] = env("TRACKER_CACHE_SECONDS")
# A page that can take longer to count than a web process may wait (the IHL view filtered by a
# tag or a source type over many reports) is made by the worker when there is one and it shares
# the "pages" cache; the request that queues it waits this long for it, then answers "being counted"
# (reports.views.cached.prepared; docs/caching.md).
TRACKER_PAGE_WAIT_SECONDS = env("TRACKER_PAGE_WAIT_SECONDS")
if not 0 <= TRACKER_PAGE_WAIT_SECONDS <= 25:
    raise ImproperlyConfigured(
        "TRACKER_PAGE_WAIT_SECONDS must be between 0 and 25 (a web request has 30 s)."
    )
# At most so many such pages wait for the worker at once (a visitor asking for many filters
# would otherwise hold up the e-mails and exports behind them); past it, "try again later".
TRACKER_PAGES_QUEUED = env("TRACKER_PAGES_QUEUED")
if TRACKER_PAGES_QUEUED < 1:
    raise ImproperlyConfigured("TRACKER_PAGES_QUEUED must be at least 1.")
# The Celery queue those pages are made on: empty, the worker's one queue, behind and beside
# the e-mails and exports; a name (compose.yaml: "pages"), a queue of their own, for a worker
# of its own (deploy/start-worker with CELERY_QUEUES), so that no page holds up a message.
TRACKER_PAGES_QUEUE = env("TRACKER_PAGES_QUEUE")

# Celery: with no broker the embedded default runs tasks in-process, so a new user needs no
# server; with CELERY_BROKER_URL set (Redis in deploy/), a real worker runs them.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env("CELERY_TASK_TIME_LIMIT")
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, 1)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "moderation-digest": {"task": "reports.tasks.send_moderation_digest", "schedule": 24 * 3600},
    "partner-api-retention": {
        "task": "reports.tasks.prune_partner_api_records",
        "schedule": 24 * 3600,
    },
}

# Partner API: requests per API client, and per address for anonymous public reads
# ("off" turns anonymous readers away). Counted in the default cache.
TRACKER_API_CLIENT_RATE = env("TRACKER_API_CLIENT_RATE")
TRACKER_API_ANON_RATE = env("TRACKER_API_ANON_RATE")
# Signed-in people using the API from the browser (their session), per account.
TRACKER_API_USER_RATE = env("TRACKER_API_USER_RATE")
# Days the partner API keeps Idempotency-Key answers and client_id fingerprints, and the whole
# payload of a Kobo submission that became a report (reports.tasks.prune_partner_api_records).
TRACKER_API_IDEMPOTENCY_DAYS = env("TRACKER_API_IDEMPOTENCY_DAYS")
TRACKER_KOBO_PAYLOAD_DAYS = env("TRACKER_KOBO_PAYLOAD_DAYS")
if min(TRACKER_API_IDEMPOTENCY_DAYS, TRACKER_KOBO_PAYLOAD_DAYS) < 1:
    raise ImproperlyConfigured(
        "TRACKER_API_IDEMPOTENCY_DAYS and TRACKER_KOBO_PAYLOAD_DAYS are days: at least 1."
    )
# A stock figure older than this many days at a period's end is marked stale in every output
# (counting rule 4): still shown, never as if current.
TRACKER_STOCK_STALE_DAYS = env("TRACKER_STOCK_STALE_DAYS")
# The area whose places a partner's phone keeps for filing offline (docs/offline.md): a P-code;
# only this area, its places and the places above it, whatever the organisation reported from.
TRACKER_OFFLINE_PLACES_ROOT = env("TRACKER_OFFLINE_PLACES_ROOT")
if TRACKER_STOCK_STALE_DAYS < 1:
    raise ImproperlyConfigured("TRACKER_STOCK_STALE_DAYS is a number of days: at least 1.")
# Each process writes its API clients' request counts at most this often (and at exit).
TRACKER_API_USAGE_FLUSH_SECONDS = env("TRACKER_API_USAGE_FLUSH_SECONDS")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reports.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "reports.api.throttling.ClientRateThrottle",
        "reports.api.throttling.SessionUserRateThrottle",
        "reports.api.throttling.AnonRateThrottle",
    ],
    # How many reverse proxies stand in front of the tracker: a client's address is taken
    # from X-Forwarded-For only as far as they set it (0: the connection's own address, so a
    # made-up header cannot buy a fresh anonymous budget).
    "NUM_PROXIES": env("TRACKER_PROXIES"),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    # One error shape; reports/api/errors.py maps the domain's exceptions into it.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "iso-8601",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "reports.api.errors.DomainExceptionHandler",
    # An unexpected error is answered in the same JSON shape even with DEBUG on.
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    # One documented shape for every 400 (the default lists only the declared fields, while
    # unknown parameters and engine errors are reported by name too).
    "ERROR_SCHEMAS": {"400": "reports.api.errors.BadRequestSerializer"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Karenni tracker partner API",
    "DESCRIPTION": (
        "Approved reports of displacement and civilian harm, in their public shape, and the "
        "numbers the dashboard shows. See docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum",
        "MetricEnum": "reports.vocabulary.Metric",
        "CauseEnum": "reports.vocabulary.Cause",
        "SourceTypeEnum": "reports.vocabulary.SourceType",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "reports.api.schema.describe_read_parameters",
    ],
}

TAGGIT_CASE_INSENSITIVE = True

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env("DJANGO_SECURE_SSL_REDIRECT")
    # Start short; raise it once HTTPS is known to work (browsers remember it).
    SECURE_HSTS_SECONDS = env("DJANGO_SECURE_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS")
    # HSTS preloading is a request to the browsers' list, made by hand, hard to undo and only
    # for a max-age of a year or more: a deployment's own decision, not a default.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL")},
    # Bots probing by IP address would otherwise fill the log with tracebacks.
    "loggers": {
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
        # In-process (eager) tasks would log a line each, drowning the demo's own output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# --- access record and change history (issue 12)
# Every request of a signed-in person to the moderation, partner or admin area, and every
# download of non-public data, is written to reports.AccessRecord inside the request (a
# failed write fails the request: nothing is shown unrecorded). Changes to sources, events,
# organisations, memberships, API clients and accounts are kept by django-simple-history.
INSTALLED_APPS += ["simple_history"]
MIDDLEWARE += [
    # Who made a change in a web request, for the history rows (services outside a request
    # set the actor themselves).
    "simple_history.middleware.HistoryRequestMiddleware",
    "reports.middleware.RecordAccess",
]
# The history is a record, not an undo button: changes go through the services.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Days the access record and axes' sign-in records are kept (reports.tasks.prune_access_records,
# daily). PostgreSQL
# refuses to delete a record younger than 30 days whatever runs the delete (migration 0012).
TRACKER_ACCESS_RECORD_DAYS = env.int("TRACKER_ACCESS_RECORD_DAYS", default=365)
if TRACKER_ACCESS_RECORD_DAYS < 30:
    raise ImproperlyConfigured("TRACKER_ACCESS_RECORD_DAYS is a number of days: at least 30.")
CELERY_BEAT_SCHEDULE["access-record-retention"] = {
    "task": "reports.tasks.prune_access_records",
    "schedule": 24 * 3600,
}

# --- Content-Security-Policy (issue 12)
# Scripts and styles come only from the tracker itself; an inline <script> or <style> runs only
# with the nonce of its response ({{ request.csp_nonce }}), so injected markup cannot run. The
# charts and the map are SVG drawn on the server (no script, no style attribute). The Swagger UI
# page (templates/drf_spectacular/swagger_ui.html) loads the self-hosted sidecar bundle and puts
# the nonce on its two inline blocks. The nonce is added to the header only on responses whose
# template asked for it.
from csp.constants import NONCE, NONE, SELF  # noqa: E402 - kept inside this part's block

INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Swagger UI would otherwise send the schema's address to validator.swagger.io for a badge,
# which the policy (rightly) blocks.
SPECTACULAR_SETTINGS["SWAGGER_UI_SETTINGS"] = {"deepLinking": True, "validatorUrl": None}

# --- Login protection (issue 12)
# django-axes counts failed sign-ins (reports/login_protection.py says why two limits): an
# account is paused after TRACKER_LOGIN_FAILURE_LIMIT failures from anywhere, an address after
# TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT failures on any accounts, each until
# TRACKER_LOGIN_COOLOFF_MINUTES after the failure that reached its limit. The address is the
# one the API's rate limits use (TRACKER_PROXIES). Attempts and lockouts are in the admin.
TRACKER_LOGIN_FAILURE_LIMIT = env.int("TRACKER_LOGIN_FAILURE_LIMIT", default=5)
TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
TRACKER_LOGIN_COOLOFF_MINUTES = env.int("TRACKER_LOGIN_COOLOFF_MINUTES", default=30)
if min(TRACKER_LOGIN_FAILURE_LIMIT, TRACKER_LOGIN_COOLOFF_MINUTES) < 1:
    raise ImproperlyConfigured(
        "TRACKER_LOGIN_FAILURE_LIMIT and TRACKER_LOGIN_COOLOFF_MINUTES must be at least 1."
    )
if TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT < TRACKER_LOGIN_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT must be at least TRACKER_LOGIN_FAILURE_LIMIT: "
        "many people share an address, one person has one account."
    )
# Before the apps whose roles (reports/roles.py) hold its permissions, so they exist when the
# roles are synced after migrate.
INSTALLED_APPS.insert(INSTALLED_APPS.index("gazetteer"), "axes")
# Last, so it turns the refusal that authenticate() records into the lockout page.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
# Checked first: a paused account or address is refused before its password is even tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "reports.login_protection.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = TRACKER_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "reports.login_protection.cool_off"
# Tries during a pause are refused but not counted, so the end the page shows holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "reports.login_protection.client_address"
AXES_LOCKOUT_CALLABLE = "reports.login_protection.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Every failure stays on the record (who tried which name, from where, whether it was paused);
# axes' per-name cap (AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT) keeps a flood from filling it.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# reports/admin/login_attempts.py registers axes' models with the end of each lock shown.
AXES_ENABLE_ADMIN = False
# Masked in the log and in the stored form data (axes always masks the password).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# Axes announces itself at every start; the settings above say the same.
AXES_VERBOSE = False

# --- Second factor (issue 12)
# Moderators and administrators sign in with a password and then a code from an authenticator
# app (TOTP, django-otp's otp_totp) or one of their recovery codes (otp_static); anyone else may
# turn it on. reports/second_factor.py holds the rule and the one check (SecondFactorRequired),
# reports/views/second_factor.py the set-up and verify pages. A wrong code counts as a failed
# sign-in for django-axes (the pause above), and each device also makes every wrong code wait
# twice as long as the last before the next is even checked (django-otp's throttling, on).
INSTALLED_APPS.insert(INSTALLED_APPS.index("gazetteer"), "django_otp")
INSTALLED_APPS.insert(INSTALLED_APPS.index("gazetteer"), "django_otp.plugins.otp_totp")
INSTALLED_APPS.insert(INSTALLED_APPS.index("gazetteer"), "django_otp.plugins.otp_static")
# Right after sign-in is known, so every later middleware and view sees request.user.otp_device.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "reports.second_factor.SecondFactorRequired",
)
OTP_TOTP_ISSUER = "Karenni tracker"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin never shows a device's secret (an administrator resets a lost device by deleting it).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A typed code is a secret like a password: masked in axes' record of failures.
AXES_SENSITIVE_PARAMETERS += ["code"]

# --- Notifications (issue 14): outbox, inbox, e-mail in the recipient's language
# Every notice is a row (reports.models.Notification) written with the decision that causes it,
# e-mailed by a task queued after commit and, failing that, by the sweep below or
# `manage.py deliver_notifications` (docs/notifications.md). Links in e-mails start with
# TRACKER_SITE_URL, the tracker's public address.
TRACKER_SITE_URL = env.str("TRACKER_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How long a delivery's claim on a notice lasts: longer than any task may run (the time limit
# kills it first), so a running delivery is never taken over; a killed one's notice is free
# again this long after it was claimed.
TRACKER_NOTIFICATION_LEASE_SECONDS = CELERY_TASK_TIME_LIMIT + 30
# Redis hands a task that a killed worker took (acks_late) to another worker after this long:
# kombu's default is an hour. Never queue a task with a countdown or ETA beyond it (it would be
# handed out again); the notices' retries wait in the database instead.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 60}
CELERY_BEAT_SCHEDULE["notification-delivery"] = {
    "task": "reports.tasks.deliver_notifications",
    "schedule": 60,
}
# A mail server that stops answering fails the attempt (and it is retried) instead of holding
# a delivery past its lease. An EMAIL_URL's own ?timeout= wins.
EMAIL_TIMEOUT = globals().get("EMAIL_TIMEOUT") or 30
# The header's inbox link and its unread count.
TEMPLATES[0]["OPTIONS"]["context_processors"].append("reports.context_processors.inbox")
# --- Evidence attachments (issue 14, docs/evidence.md)
# Originals are kept unchanged, with their SHA-256, in a private storage that is never served
# as static or media files: every download goes through a view that checks who asks and writes
# the access record. Filesystem by default (TRACKER_EVIDENCE_ROOT); an S3-compatible bucket in
# production through django-storages (TRACKER_EVIDENCE_STORAGE=s3 and the AWS_* variables in
# docs/evidence.md; `pip install django-storages[s3]`).
TRACKER_EVIDENCE_ROOT = env.path("TRACKER_EVIDENCE_ROOT", default=BASE_DIR / "media" / "private")
TRACKER_EVIDENCE_MAX_BYTES = env.int("TRACKER_EVIDENCE_MAX_BYTES", default=25 * 1024 * 1024)
# The largest piece of a chunked upload one request may carry, and how long an unfinished
# upload is kept before it expires (and its pieces are deleted).
TRACKER_EVIDENCE_CHUNK_BYTES = env.int("TRACKER_EVIDENCE_CHUNK_BYTES", default=512 * 1024)
TRACKER_EVIDENCE_UPLOAD_HOURS = env.int("TRACKER_EVIDENCE_UPLOAD_HOURS", default=72)
if env.str("TRACKER_EVIDENCE_STORAGE", default="filesystem") == "s3":
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("TRACKER_EVIDENCE_BUCKET"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No base_url: nothing in this storage has a public address.
        "OPTIONS": {"location": str(TRACKER_EVIDENCE_ROOT), "base_url": None},
    }
# KoboToolbox attachments: a mapped submission's files (its `_attachments` download URLs) are
# fetched as evidence with this API token of a Kobo account that can see the project, only
# from these hosts. Without a token they are not fetched (docs/evidence.md).
TRACKER_KOBO_API_TOKEN = env.str("TRACKER_KOBO_API_TOKEN", default="")
TRACKER_KOBO_ATTACHMENT_HOSTS = env.list(
    "TRACKER_KOBO_ATTACHMENT_HOSTS",
    default=[
        "kf.kobotoolbox.org",
        "kc.kobotoolbox.org",
        "eu.kobotoolbox.org",
        "kc-eu.kobotoolbox.org",
    ],
)
CELERY_BEAT_SCHEDULE["evidence-upload-expiry"] = {
    "task": "reports.tasks.expire_evidence_uploads",
    "schedule": 3600,
}
# A chunk is read into memory as the request's body: it must stay under Django's body limit.
if not 0 < TRACKER_EVIDENCE_CHUNK_BYTES < vars().get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440):
    raise ImproperlyConfigured("TRACKER_EVIDENCE_CHUNK_BYTES must be under the body limit.")
# --- end of evidence attachments

# Assisted intake (docs/intake.md). The server fetches a web address for the extractor only
# when TRACKER_INTAKE_FETCH_URLS is on (public http(s) addresses only); a text is read up to
# TRACKER_INTAKE_MAX_CHARS characters, an uploaded or fetched file up to TRACKER_INTAKE_MAX_BYTES.
TRACKER_INTAKE_FETCH_URLS = env.bool("TRACKER_INTAKE_FETCH_URLS", default=False)
TRACKER_INTAKE_MAX_CHARS = env.int("TRACKER_INTAKE_MAX_CHARS", default=100_000)
TRACKER_INTAKE_MAX_BYTES = env.int("TRACKER_INTAKE_MAX_BYTES", default=5_000_000)
if min(TRACKER_INTAKE_MAX_CHARS, TRACKER_INTAKE_MAX_BYTES) < 1:
    raise ImproperlyConfigured("TRACKER_INTAKE_MAX_CHARS and TRACKER_INTAKE_MAX_BYTES: at least 1.")
# The extractor's candidates carry a figure's qualifier, which the aggregates' own "qualifier"
# (a total's, a smaller set) would otherwise collide with in the schema's enum names.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["FigureQualifierEnum"] = "reports.vocabulary.Qualifier"
# --- Export jobs (issue 16, docs/exports.md)
# A dashboard download of the reports behind the numbers streams while it has at most
# TRACKER_EXPORT_STREAM_MAX_ROWS rows (an XLSX: TRACKER_EXPORT_XLSX_MAX_ROWS); a larger one is
# made by a background job (reports.tasks.run_export) into TRACKER_EXPORT_ROOT, a directory
# outside the web root that only the tracker's views serve, and deleted (the job marked
# expired) TRACKER_EXPORT_KEEP_HOURS after it was made. Without a broker, a job runs in a
# thread of the web process that asked, after the response (TRACKER_EXPORT_WITHOUT_BROKER
# "thread"), or before it ("inline", what the tests use).
TRACKER_EXPORT_ROOT = env.path("TRACKER_EXPORT_ROOT", default=BASE_DIR / "media" / "exports")
TRACKER_EXPORT_STREAM_MAX_ROWS = env.int("TRACKER_EXPORT_STREAM_MAX_ROWS", default=50_000)
TRACKER_EXPORT_XLSX_MAX_ROWS = env.int("TRACKER_EXPORT_XLSX_MAX_ROWS", default=5_000)
TRACKER_EXPORT_KEEP_HOURS = env.int("TRACKER_EXPORT_KEEP_HOURS", default=24)
TRACKER_EXPORT_TIME_LIMIT = env.int("TRACKER_EXPORT_TIME_LIMIT", default=3600)
TRACKER_EXPORT_WITHOUT_BROKER = env.str("TRACKER_EXPORT_WITHOUT_BROKER", default="thread")
if TRACKER_EXPORT_WITHOUT_BROKER not in ("thread", "inline"):
    raise ImproperlyConfigured('TRACKER_EXPORT_WITHOUT_BROKER is "thread" or "inline".')
if min(TRACKER_EXPORT_KEEP_HOURS, TRACKER_EXPORT_TIME_LIMIT) < 1:
    raise ImproperlyConfigured(
        "TRACKER_EXPORT_KEEP_HOURS and TRACKER_EXPORT_TIME_LIMIT must be at least 1."
    )
CELERY_BEAT_SCHEDULE["export-expiry"] = {
    "task": "reports.tasks.expire_exports",
    "schedule": 15 * 60,
}
