"""Harbor settings, read from the environment (see .env.example and the README).

Only the embedded setup has defaults: SQLite, Celery on kombu's filesystem transport and
email written to files, all under ``var/``. Secrets have no default and DEBUG is off unless
set, so a missing ``SECRET_KEY`` stops start-up.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(
    env.str("HARBOR_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False
)

VAR_DIR = Path(env.str("HARBOR_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address every email link is built on. No default: ./dev run sets it from
# PORT, and start-up stops without it (harbor.checks) unless DEBUG is on.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
HARBOR_TESTING = env.bool("HARBOR_TESTING", default=False)
# Parallel test processes (pytest-xdist names each in PYTEST_XDIST_WORKER) get their own
# broker folder or broker key prefix, and their own Redis database for the cache and rate
# limits, so that one process's Celery worker never takes another's messages and one
# process's cache.clear() never wipes another's keys. Empty outside tests.
TEST_PROCESS = env.str("PYTEST_XDIST_WORKER", default="") if HARBOR_TESTING else ""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "anymail",
    "phonenumber_field",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "harbor",
    "accounts",
    "supporters",
    "legislators",
    "campaigns",
    "petitions",
    "advocacy",
    "alerts",
    "reach",
    "webhooks",
    "api",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "harbor.middleware.LanguageFromQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "harbor.middleware.RejectUndecodableFormMiddleware",
    "harbor.middleware.StripControlCharactersFromQueryMiddleware",
    "harbor.middleware.StyledMethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second login step: django-otp reads the verified device from the session, and
    # Harbor's middleware sends a user who owes a code to that step (accounts.twofactor).
    "django_otp.middleware.OTPMiddleware",
    "accounts.twofactor.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "harbor.urls"
WSGI_APPLICATION = "harbor.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'harbor.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE makes writers queue
    # on the lock instead of failing with "database is locked" on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not :memory:, so that a real worker process can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits and counters must not live in process memory) ----------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and TEST_PROCESS:
    # A test's cache.clear() is FLUSHDB: each parallel test process gets a Redis database
    # of its own (gw0 the configured one, gw1 the one below it, ...).
    _url = urlsplit(REDIS_URL)
    _db = int(_url.path.strip("/") or 0) - int(TEST_PROCESS.removeprefix("gw") or 0)
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_db % 16}"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "harbor_cache",
        }
    }
# Rendered page fragments ({% cache %}: the petition page's text, recent signers and
# sign-ons) stay in each process's memory, no round trip: every fragment key carries
# what invalidates it (the petition's updated_at, a version in the shared cache that
# petitions.selectors.touch_petition_page bumps), so no process serves a stale one.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "harbor-fragments",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# --- Auth, i18n, static ---------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out (username, IP) before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:staff-dashboard"
LOGOUT_REDIRECT_URL = "pages:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not HARBOR_TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
HARBOR_MAX_IMPORT_BYTES = env.int("HARBOR_MAX_IMPORT_BYTES", default=50 * 1024 * 1024)

PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DB_FORMAT = "E164"

# --- Security (production settings; harmless behind the embedded server) -------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("BEHIND_TLS_PROXY", default=False)
    else None
)
# HTTPS only, once the site is served over TLS: the four are named as Django's settings
# and off by default (the embedded server is plain HTTP). Production sets all four
# (`manage.py check --deploy` then prints nothing); HSTS preload is hard to undo.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# A load balancer's health checks may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp) ---------------------------------------------
# No inline script or style anywhere: every page's scripts and styles are static files,
# data reaches scripts in data- attributes or json_script. tests/security checks the
# templates and a browser loads the pages with this header on.
# Frames the campaign page may show (its video: YouTube through youtube-nocookie.com).
HARBOR_CSP_FRAME_SRC = env.list(
    "HARBOR_CSP_FRAME_SRC", default=["https://www.youtube-nocookie.com"]
)
# Where a campaign's self-hosted video may come from (Campaign.video_file_url takes a
# site path or any https:// address).
HARBOR_CSP_MEDIA_SRC = env.list("HARBOR_CSP_MEDIA_SRC", default=["https:"])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", *HARBOR_CSP_MEDIA_SRC],
        "frame-src": ["'self'", *HARBOR_CSP_FRAME_SRC],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Login lockout (django-axes): the staff login and the admin login ----------------
# After HARBOR_LOGIN_FAILURE_LIMIT failed logins for one username from one IP (the IP as
# harbor.net reads it, stored by axes only as harbor.net.lockout_ip's pseudonym of its
# keyed hash), that pair is refused for HARBOR_LOGIN_COOLOFF_MINUTES, the right
# password included; each failure during the lockout restarts it. Keyed by the pair, so a
# stranger elsewhere cannot lock a staff member out. Failures live in axes' own tables.
AXES_FAILURE_LIMIT = env.int("HARBOR_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env.int("HARBOR_LOGIN_COOLOFF_MINUTES", default=15)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "harbor.net.lockout_ip"
# The login form's field is "username" (axes would look for the model's "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "harbor.net.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ALLOWED_CORS_ORIGINS = SITE_URL or "null"
# Logins are not logged one by one (the audit log and axes' failure rows are enough).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# --- Two-factor login (django-otp: TOTP apps, static backup codes) --------------------
# On: a staff admin must enrol an authenticator app before any staff page opens. Anyone
# with a confirmed device must enter a code after the password, whatever this says.
HARBOR_REQUIRE_2FA = env.bool("HARBOR_REQUIRE_2FA", default=not DEBUG)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env.str("HARBOR_2FA_ISSUER", default="Harbor")

# --- Email: every message leaves through harbor.mail ----------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="harbor.mail_backends.FileEmailBackend"
)
HARBOR_MAIL_DIR = Path(env.str("HARBOR_MAIL_DIR", default=str(VAR_DIR / "mail")))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Harbor <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    key: value
    for key, value in {
        "POSTMARK_SERVER_TOKEN": env.str("POSTMARK_SERVER_TOKEN", default=""),
        "POSTMARK_API_URL": env.str("POSTMARK_API_URL", default=""),
        "SENDGRID_API_KEY": env.str("SENDGRID_API_KEY", default=""),
        "SENDGRID_API_URL": env.str("SENDGRID_API_URL", default=""),
        "MAILGUN_API_KEY": env.str("MAILGUN_API_KEY", default=""),
        "MAILGUN_SENDER_DOMAIN": env.str("MAILGUN_SENDER_DOMAIN", default=""),
        "MAILGUN_API_URL": env.str("MAILGUN_API_URL", default=""),
        "BREVO_API_KEY": env.str("BREVO_API_KEY", default=""),
        "BREVO_API_URL": env.str("BREVO_API_URL", default=""),
        # Alerts (issue #10): Resend's batch API takes per-recipient content and an
        # Idempotency-Key; EMAIL_BACKEND=harbor.mail_backends.ResendBatchBackend.
        "RESEND_API_KEY": env.str("RESEND_API_KEY", default=""),
        "RESEND_API_URL": env.str("RESEND_API_URL", default=""),
        "AMAZON_SES_CLIENT_PARAMS": None,
        "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
    }.items()
    if value
}

# --- Unsubscribe, suppression and tracking webhooks (supporters, alerts) -------------
# A mailbox for List-Unsubscribe's mailto (its inbound webhook unsubscribes); optional.
HARBOR_UNSUBSCRIBE_MAILTO = env.str("HARBOR_UNSUBSCRIBE_MAILTO", default="")
# The key of the suppression list's hashes. Unset: derived from SECRET_KEY (set it in
# production and never change it: a new key forgets every suppressed address).
HARBOR_SUPPRESSION_KEY = env.str("HARBOR_SUPPRESSION_KEY", default="")
# The ESPs' own webhook signatures, where anymail checks one (basic auth with
# ANYMAIL_WEBHOOK_SECRET above is checked for every ESP).
ANYMAIL.update(
    {
        key: value
        for key, value in {
            "MAILGUN_WEBHOOK_SIGNING_KEY": env.str(
                "MAILGUN_WEBHOOK_SIGNING_KEY", default=""
            ),
            "RESEND_SIGNING_SECRET": env.str("RESEND_SIGNING_SECRET", default=""),
        }.items()
        if value
    }
)

# Alert sending (issue #10, alerts/esp.py): recipients per ESP batch call. 0: the ESP's
# documented limit (Resend 100, Postmark 500, ...); a smaller number is used as is.
ALERTS_CHUNK_SIZE = env.int("ALERTS_CHUNK_SIZE", default=0)
# An alert confirmed for at most this many people is frozen in the request (it starts at
# once); a bigger one by a worker (an AlertStart job; its page says "preparing").
ALERTS_FREEZE_IN_REQUEST_UP_TO = env.int("ALERTS_FREEZE_IN_REQUEST_UP_TO", default=2000)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# Tests get their own queue folder, so a dev server's leftover messages never reach them.
CELERY_QUEUE_DIR = VAR_DIR / (
    f"celery-test{TEST_PROCESS}" if HARBOR_TESTING else "celery"
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    # Longer than the longest task, countdown or ETA, or Redis redelivers a running task.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}
    if TEST_PROCESS:
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{TEST_PROCESS}:"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Logging: ids only, never personal data -------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Legislators, bills, districts (issue #3) -----------------------------------------
# Bill sync is disabled (and logs so) while a key is unset. Keys are api.data.gov /
# Open States keys; base URLs point at the real services and are overridden in tests.
CONGRESS_API_KEY = env.str("CONGRESS_API_KEY", default="")
CONGRESS_API_URL = env.str("CONGRESS_API_URL", default="https://api.congress.gov/v3")
OPENSTATES_API_KEY = env.str("OPENSTATES_API_KEY", default="")
OPENSTATES_API_URL = env.str("OPENSTATES_API_URL", default="https://v3.openstates.org")
# Street address → districts when a ZIP spans several. Off (empty) by default, so the
# embedded setup never reaches the internet; production sets the real Census geocoder,
# https://geocoding.geo.census.gov/geocoder. While off, the supporter chooses.
CENSUS_GEOCODER_URL = env.str("CENSUS_GEOCODER_URL", default="")
# Official portraits of members of Congress, by bioguide id.
CONGRESS_PHOTO_URL = env.str(
    "CONGRESS_PHOTO_URL",
    default="https://unitedstates.github.io/images/congress/225x275/{bioguide}.jpg",
)
LEGISLATORS_HTTP_TIMEOUT = env.float("LEGISLATORS_HTTP_TIMEOUT", default=10.0)
LEGISLATORS_HTTP_MAX_ATTEMPTS = env.int("LEGISLATORS_HTTP_MAX_ATTEMPTS", default=4)
# How long a process keeps its copy of the ZIP crosswalk before re-reading it.
LEGISLATORS_ZIP_CACHE_SECONDS = env.int("LEGISLATORS_ZIP_CACHE_SECONDS", default=600)
# --- end legislators ------------------------------------------------------------------

# --- Legislator refresh, portraits, the Congress in force (issue #9) ------------------
# Portraits are copied into MEDIA storage (manage.py fetch_portraits) so pages never load
# an image from another host. Only photo URLs starting with one of these prefixes are
# fetched; empty (the default) fetches nothing and pages show initials.
LEGISLATORS_PORTRAIT_URL_PREFIXES = env.list(
    "LEGISLATORS_PORTRAIT_URL_PREFIXES", default=[]
)
LEGISLATORS_PORTRAIT_MAX_BYTES = env.int(
    "LEGISLATORS_PORTRAIT_MAX_BYTES", default=2 * 1024 * 1024
)
# manage.py sync_legislators: upstream files in the shipped formats. Empty = that part
# is not refreshed. Congress: legislators-current.yaml and
# legislators-district-offices.yaml; Open States: a .tar.gz of openstates/people.
LEGISLATORS_CONGRESS_CURRENT_URL = env.str(
    "LEGISLATORS_CONGRESS_CURRENT_URL", default=""
)
LEGISLATORS_CONGRESS_OFFICES_URL = env.str(
    "LEGISLATORS_CONGRESS_OFFICES_URL", default=""
)
LEGISLATORS_OPENSTATES_ARCHIVE_URL = env.str(
    "LEGISLATORS_OPENSTATES_ARCHIVE_URL", default=""
)
# Largest download accepted, and the share of today's current legislators a refreshed
# file must still hold (a file that collapses below it is refused, nothing changed).
LEGISLATORS_SYNC_MAX_BYTES = env.int(
    "LEGISLATORS_SYNC_MAX_BYTES", default=200 * 1024 * 1024
)
LEGISLATORS_SYNC_MIN_RATIO = env.float("LEGISLATORS_SYNC_MIN_RATIO", default=0.9)
# The day each Congress's districts take over, where it is not the constitutional
# January 3 of its first year: "120=2027-01-03,121=2029-01-03".
HARBOR_CONGRESS_SWITCHES = {
    int(number): datetime.date.fromisoformat(day)
    for number, day in env.dict("HARBOR_CONGRESS_SWITCHES", default={}).items()
}
# --- end legislator refresh -----------------------------------------------------------

# --- Petitions (issue #4) -------------------------------------------------------------
# Sign-form rate limits: at most N submissions per key in each fixed window, counted in
# Redis (REDIS_URL) or else in the database; 0 turns a limit off. Generous per IP, because
# carrier NAT puts many phones behind one address on a viral day. The per-email limit
# counts one email from one IP (harbor.ratelimit): keyed by the email alone, a stranger
# could lock its owner out of every form.
PUBLIC_FORM_RATE_LIMIT_WINDOW = env.int("PUBLIC_FORM_RATE_LIMIT_WINDOW", default=600)
PUBLIC_FORM_RATE_LIMIT_PER_IP = env.int("PUBLIC_FORM_RATE_LIMIT_PER_IP", default=200)
PUBLIC_FORM_RATE_LIMIT_PER_EMAIL = env.int(
    "PUBLIC_FORM_RATE_LIMIT_PER_EMAIL", default=10
)
# Rows of the sharded signature counter, and how long public pages cache the sum.
PETITIONS_COUNTER_SHARDS = env.int("PETITIONS_COUNTER_SHARDS", default=16)
PETITIONS_COUNT_CACHE_SECONDS = env.int("PETITIONS_COUNT_CACHE_SECONDS", default=5)
# The petition page's cached fragments (text, recent signers, sign-ons), per petition and
# language; invalidated when they change, so this only bounds a missed invalidation.
PETITIONS_PAGE_CACHE_SECONDS = env.int("PETITIONS_PAGE_CACHE_SECONDS", default=300)
# Intake rows one drain batch takes (one transaction of a few statements).
PETITIONS_INTAKE_BATCH_SIZE = env.int("PETITIONS_INTAKE_BATCH_SIZE", default=500)
# The sign request asks for a drain at most this often across every process.
PETITIONS_INTAKE_DRAIN_DEBOUNCE_SECONDS = env.int(
    "PETITIONS_INTAKE_DRAIN_DEBOUNCE_SECONDS", default=1
)
# How long a double opt-in confirmation link stays valid.
PETITIONS_CONFIRM_MAX_AGE_DAYS = env.int("PETITIONS_CONFIRM_MAX_AGE_DAYS", default=14)
# The proxies in front of Harbor (CIDRs, comma-separated). Only a request whose peer is
# one of them has its forwarded-for header read (harbor.net.client_ip), right to left,
# skipping trusted hops. Empty (the default): REMOTE_ADDR is the client, always.
HARBOR_TRUSTED_PROXIES = env.list("HARBOR_TRUSTED_PROXIES", default=[])
# That header, as Django names it in request.META.
HARBOR_CLIENT_IP_HEADER = env.str(
    "HARBOR_CLIENT_IP_HEADER", default="HTTP_X_FORWARDED_FOR"
)
# A friendly page, not Django's bare 403, when a form's CSRF token is missing or stale.
CSRF_FAILURE_VIEW = "harbor.views.csrf_failure"
# --- end petitions --------------------------------------------------------------------

# --- Advocacy: calls (issue #9) -------------------------------------------------------
# Call intelligence: an office is "saturated" when, over the last N hours, at least the
# threshold share of at least MIN_CALLS calls to it ended busy / no answer / voicemail
# full; the call flow then suggests the district office or a letter. The shares are
# cached for CACHE_SECONDS.
ADVOCACY_SATURATION_HOURS = env.int("ADVOCACY_SATURATION_HOURS", default=2)
ADVOCACY_SATURATION_THRESHOLD = env.float("ADVOCACY_SATURATION_THRESHOLD", default=0.6)
ADVOCACY_SATURATION_MIN_CALLS = env.int("ADVOCACY_SATURATION_MIN_CALLS", default=10)
ADVOCACY_SATURATION_CACHE_SECONDS = env.int(
    "ADVOCACY_SATURATION_CACHE_SECONDS", default=60
)
# Seconds the call pages cache a campaign's action and each place's targets and scripts
# (a staff edit or a new cosponsor shows within this time); 0 turns the cache off.
ADVOCACY_PAGE_CACHE_SECONDS = env.int("ADVOCACY_PAGE_CACHE_SECONDS", default=60)
# Days a caller's link (their pass through their targets) stays valid.
ADVOCACY_CALL_LINK_MAX_AGE_DAYS = env.int("ADVOCACY_CALL_LINK_MAX_AGE_DAYS", default=7)
# --- end advocacy: calls --------------------------------------------------------------

# --- letters to legislators (advocacy/letters.py, advocacy/cwc.py) --------------------
# Communicating with Congress: the House's message endpoint and key (members of the House
# get their letters through CWC only when both are set), and the Senate's (the same for
# senators). Without them a member's letter goes to their contact form, ready to paste.
CWC_API_URL = env.str("CWC_API_URL", default="")
CWC_API_KEY = env.str("CWC_API_KEY", default="")
CWC_SENATE_API_URL = env.str("CWC_SENATE_API_URL", default="")
CWC_SENATE_API_KEY = env.str("CWC_SENATE_API_KEY", default="")
# Who delivers, as CWC registered it (CWC is off while CWC_DELIVERY_AGENT is blank).
CWC_DELIVERY_AGENT = env.str("CWC_DELIVERY_AGENT", default="")
CWC_DELIVERY_AGENT_ACK_EMAIL = env.str("CWC_DELIVERY_AGENT_ACK_EMAIL", default="")
CWC_DELIVERY_AGENT_CONTACT_NAME = env.str("CWC_DELIVERY_AGENT_CONTACT_NAME", default="")
CWC_DELIVERY_AGENT_CONTACT_EMAIL = env.str(
    "CWC_DELIVERY_AGENT_CONTACT_EMAIL", default=""
)
CWC_DELIVERY_AGENT_CONTACT_PHONE = env.str(
    "CWC_DELIVERY_AGENT_CONTACT_PHONE", default=""
)
CWC_ORGANIZATION = env.str("CWC_ORGANIZATION", default="")
CWC_LIBRARY_OF_CONGRESS_TOPIC = env.str(
    "CWC_LIBRARY_OF_CONGRESS_TOPIC", default="Crime and Law Enforcement"
)
CWC_HTTP_TIMEOUT = env.float("CWC_HTTP_TIMEOUT", default=20.0)
# The longest letter a supporter may send (characters; CWC takes at most 10,000).
LETTERS_MAX_BODY_CHARS = env.int("LETTERS_MAX_BODY_CHARS", default=10000)
# --- end letters ----------------------------------------------------------------------

# --- jobs (harbor/jobs.py) ------------------------------------------------------------
# A running job whose claim is older than this belongs to a dead worker and is taken
# over (long jobs refresh their claim as they go). The sweep runs every minute.
HARBOR_JOB_STALE_SECONDS = env.int("HARBOR_JOB_STALE_SECONDS", default=120)
# A pending job is re-enqueued by the sweep once it has waited this long for its message.
HARBOR_JOB_REQUEUE_AFTER_SECONDS = env.int(
    "HARBOR_JOB_REQUEUE_AFTER_SECONDS", default=60
)

# --- privacy: retention (supporters/privacy.py; issue #11) ---------------------------
# Applied once a day by the beat task supporters.apply_retention. Double opt-in
# signatures never confirmed are deleted after this many days (0: kept); they were
# never counted, so no counter changes.
HARBOR_RETENTION_UNCONFIRMED_DAYS = env.int(
    "HARBOR_RETENTION_UNCONFIRMED_DAYS", default=30
)
# Supporters with no action, no consent change and no change to their record for this
# many years are anonymised through the erasure service (0: never; the organisation's
# decision, so off by default).
HARBOR_RETENTION_INACTIVE_YEARS = env.int("HARBOR_RETENTION_INACTIVE_YEARS", default=0)
# At most this many supporters anonymised per pass; the next day's pass goes on.
HARBOR_RETENTION_BATCH = env.int("HARBOR_RETENTION_BATCH", default=1000)

# --- Alerts: compose and guardrails (issue #10) ---------------------------------------
# Who an alert comes from when its chapter names no sender (Chapter.alert_from_*): the
# address must be one the ESP lets Harbor send from.
ALERTS_FROM_NAME = env.str("ALERTS_FROM_NAME", default="Harbor")
ALERTS_FROM_EMAIL = env.str("ALERTS_FROM_EMAIL", default="alerts@localhost")
# The organisation's postal address, in every alert's footer (CAN-SPAM asks for one).
# (The tracking part of issue #10 defines the same setting: keep one on merge.)
HARBOR_POSTAL_ADDRESS = env.str("HARBOR_POSTAL_ADDRESS", default="")
# At most this many alerts a chapter (or the national list) starts sending per day
# (TIME_ZONE's day); 0 turns the cap off.
ALERTS_DAILY_CAP_PER_CHAPTER = env.int("ALERTS_DAILY_CAP_PER_CHAPTER", default=3)
# --- end alerts compose ---------------------------------------------------------------
# --- Patch-through calls through Twilio (issue #9) ------------------------------------
# Off while any of the three is unset: the call page then offers click-to-call only.
# The auth token also verifies X-Twilio-Signature on every TwiML view and callback.
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
# Where the REST API is: Twilio itself, or a loopback fake in tests (scheme and host).
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com")
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=10.0)
# Office hours in each office's local time (the Washington office on Eastern time):
# opening and closing time, and the weekdays (0 = Monday) an office answers.
PATCH_THROUGH_OFFICE_OPENS = env.str("PATCH_THROUGH_OFFICE_OPENS", default="09:00")
PATCH_THROUGH_OFFICE_CLOSES = env.str("PATCH_THROUGH_OFFICE_CLOSES", default="17:00")
PATCH_THROUGH_OFFICE_DAYS = env.list(
    "PATCH_THROUGH_OFFICE_DAYS", cast=int, default=[0, 1, 2, 3, 4]
)
# "Call me" requests per window (seconds), per client IP and per phone number.
PATCH_THROUGH_RATE_LIMIT_WINDOW = env.int(
    "PATCH_THROUGH_RATE_LIMIT_WINDOW", default=3600
)
PATCH_THROUGH_RATE_LIMIT_PER_IP = env.int("PATCH_THROUGH_RATE_LIMIT_PER_IP", default=20)
PATCH_THROUGH_RATE_LIMIT_PER_NUMBER = env.int(
    "PATCH_THROUGH_RATE_LIMIT_PER_NUMBER", default=3
)
# A call not reported ended after this many minutes is ended by the beat sweep
# (advocacy.expire_patch_calls), which blanks its phone number.
PATCH_THROUGH_MAX_CALL_MINUTES = env.int("PATCH_THROUGH_MAX_CALL_MINUTES", default=120)
# The twilio library logs every REST request at INFO; its warnings are enough.
LOGGING["loggers"] = {"twilio.http_client": {"level": "WARNING"}}
# --- end patch-through ----------------------------------------------------------------

# --- Outgoing webhooks (webhooks/; issue #11) -----------------------------------------
# Harbor POSTs new supporters, signatures and outreaches to the endpoints staff admins
# configure at /staff/webhooks/. (The ESPs' incoming webhooks are ANYMAIL_* above.)
# Loopback, private, link-local and reserved addresses are refused unless this is on:
# on by default only under DEBUG and in tests (a loopback receiver).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=DEBUG or HARBOR_TESTING
)
# Seconds to wait for the connection, and for each read of the answer.
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=5.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=10.0)
# At most this much of a receiver's answer is read (and none of it kept).
WEBHOOKS_MAX_RESPONSE_BYTES = env.int("WEBHOOKS_MAX_RESPONSE_BYTES", default=65536)
# Up to this many new deliveries are queued one message each by the writer; more (a
# bulk import or intake drain) are one message that a worker fans out.
WEBHOOKS_ENQUEUE_INLINE_MAX = env.int("WEBHOOKS_ENQUEUE_INLINE_MAX", default=20)
# --- end outgoing webhooks ------------------------------------------------------------

# --- The OSDI API (api/, issue #11) ---------------------------------------------------
# The most records one page of a collection holds (a larger per_page is this).
API_MAX_PER_PAGE = env.int("API_MAX_PER_PAGE", default=100)
# Each API view sets its own authentication (API tokens only), renderers and error
# document; these defaults keep any other DRF view closed.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Harbor OSDI API",
    "DESCRIPTION": "OSDI v1.2 (HAL+JSON) as Action Network speaks it: people, tags, "
    "petitions and signatures, advocacy campaigns and outreaches, messages. "
    "Authenticate with an API token in the OSDI-API-Token header.",
    "VERSION": "1.2",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
# --- end OSDI API ---------------------------------------------------------------------

# --- Reach dashboard (issue #12) ------------------------------------------------------
# The rollups are recomputed for the last N days every five minutes (beat), and in
# full, after an exactness check against plain counts, every night. A signature
# confirmed more than N days after it was signed appears after the next full rebuild.
REACH_ROLLUP_RECENT_DAYS = env.int("REACH_ROLLUP_RECENT_DAYS", default=7)
# The dashboard's default date range: the last N days.
REACH_DEFAULT_DAYS = env.int("REACH_DEFAULT_DAYS", default=90)
# --- end reach ------------------------------------------------------------------------
