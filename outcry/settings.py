"""Outcry's settings. Everything an operator changes comes from the environment (README: Settings)."""

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("OUTCRY_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def dev_secret_key() -> str:
    # A key generated once per checkout, so sessions survive restarts in development.
    path = DATA_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


OUTCRY_ENV = os.environ.get("OUTCRY_ENV", "development")
PRODUCTION = OUTCRY_ENV == "production"
TESTING = env_bool("OUTCRY_TESTING")
DEBUG = env_bool("DEBUG", default=not PRODUCTION and not TESTING)

SECRET_KEY = os.environ.get("SECRET_KEY") or ("" if PRODUCTION else dev_secret_key())
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("OUTCRY_ENV=production needs SECRET_KEY set to a long random string.")

BENCH_EXEMPT_LOOPBACK = env_bool("BENCH_EXEMPT_LOOPBACK")
if PRODUCTION and BENCH_EXEMPT_LOOPBACK:
    raise RuntimeError("BENCH_EXEMPT_LOOPBACK is for benchmarks only and is refused with OUTCRY_ENV=production.")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [_site.hostname or "localhost", "127.0.0.1", "localhost", "[::1]"]
if not PRODUCTION:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    # The admin with staff two-factor (django-otp) when OUTCRY_STAFF_2FA is on.
    "outcry.safety.apps.OutcryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_countries",  # listed for its translated country names
    "outcry.jobs",
    "outcry.campaigns",
    "outcry.actions",
    "outcry.delivery",
    "outcry.api",
    "outcry.reports",
    "outcry.integrations",
    "outcry.safety",
    "outcry.updates",
    "outcry.studio",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes for the studio's two-factor
    "axes",
]

MIDDLEWARE = [
    # Counts every answer for /metrics, including those the shared copy gives early (outcry/lib/metrics.py).
    "outcry.lib.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A view that cannot reach the database answers 503 with Retry-After, keeping a POST's input (outcry/lib/outage.py).
    "outcry.lib.outage.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Repeats of a shared anonymous page or stats answer go back from here (outcry/lib/shared_cache.py).
    "outcry.lib.shared_cache.SharedResponseMiddleware",
    # Every response says how it may be cached; staff's always private (outcry/lib/cache_headers.py).
    "outcry.lib.cache_headers.CacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "outcry.campaigns.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's CSRF check, plus same-origin proof from the browser's headers: see outcry/lib/csrf.py.
    "outcry.lib.csrf.CrossOriginProtectionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: it turns a lockout into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outcry.urls"
WSGI_APPLICATION = "outcry.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "outcry" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "outcry.campaigns.languages.languages",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["outcry.safety.templatetags.safe_html"],
        },
    },
]

# Database: SQLite in WAL mode by default, PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'outcry.sqlite3'}"
# PostgreSQL connections: each web or task process keeps its connection open between requests
# (DB_CONN_MAX_AGE seconds), checked before reuse so a restarted database costs no failed request.
# DB_POOL_SIZE > 0 uses psycopg's pool instead (per process; for threaded servers). README: Running at scale.
DB_POOL_SIZE = env_int("DB_POOL_SIZE", 0)
DB_HEALTH_CHECKS = env_bool("DB_HEALTH_CHECKS", True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=0 if DB_POOL_SIZE else env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=DB_HEALTH_CHECKS and not DB_POOL_SIZE,
    )
}
if DB_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from psycopg_pool import ConnectionPool

    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        "timeout": 10,
        # The pool's own health check before handing a connection out, as conn_health_checks does.
        **({"check": ConnectionPool.check_connection} if DB_HEALTH_CHECKS else {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout
        # instead of one failing with "database is locked" when it upgrades a read lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
if os.environ.get("OUTCRY_TEST_DB_NAME"):
    # Lets several checkouts run their suites against one PostgreSQL server at once.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["OUTCRY_TEST_DB_NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, rate limits and live counts: Redis through REDIS_URL, local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "outcry.lib.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test processes share one Redis database; each keeps to its own keys.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "outcry") + os.environ.get("PYTEST_XDIST_WORKER", ""),
            # A Redis that hangs must not hang every request: past this, a read is a miss (outcry/lib/redis_cache.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outcry"}}
# Abuse counters and replay markers (outcry/safety/ratelimit.py) never share an evictable cache with pages,
# which anonymous reads with random query strings can fill: with Redis their own alias and key prefix, without
# it a table in the database (every process shares it and nothing evicts it).
# OUTCRY_LIMIT_STORE=database keeps them in the database even with Redis.
OUTCRY_LIMIT_STORE = "redis" if REDIS_URL and os.environ.get("OUTCRY_LIMIT_STORE", "redis") == "redis" else "database"
if OUTCRY_LIMIT_STORE == "redis":
    CACHES["limits"] = CACHES["default"] | {"KEY_PREFIX": f"{CACHES['default']['KEY_PREFIX']}-limits"}
# Failed staff logins must be counted across every web process: Redis, or a table in the database
# (created by the safety app's migrations) when there is no Redis.
CACHES["axes"] = CACHES["default"] if REDIS_URL else {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "outcry_axes_cache",
}

# Background work: django.tasks with the django-tasks-db backend, in the same database.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "delivery"],
    }
}

# Email: with EMAIL_URL unset, mail is kept in the outbox that the admin shows.
EMAIL_URL = os.environ.get("EMAIL_URL", "")


def mailer_from_url(url: str) -> dict:
    if not url:
        return {"BACKEND": "outcry.delivery.backends.OutboxBackend"}
    parts = urlsplit(url)
    options: dict = {
        "host": parts.hostname or "localhost",
        "port": parts.port or (465 if parts.scheme == "smtps" else 587 if parts.scheme == "smtp+tls" else 25),
        "timeout": env_int("EMAIL_TIMEOUT", 20),
    }
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    if parts.scheme == "smtp+tls":
        options["use_tls"] = True
    elif parts.scheme == "smtps":
        options["use_ssl"] = True
    elif parts.scheme != "smtp":
        raise RuntimeError(f"EMAIL_URL must start with smtp://, smtp+tls:// or smtps://, not {parts.scheme}://")
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


MAILERS = {"default": mailer_from_url(EMAIL_URL)}
# Letters go out as "Name via Organisation" <letters@MAIL_DOMAIN> (the supporter's address in From would fail
# DMARC at the target's server), with Reply-To r-<token>@ and the envelope sender b-<token>@MAIL_DOMAIN.
MAIL_DOMAIN = os.environ.get("MAIL_DOMAIN") or (_site.hostname if _site.hostname not in {None, "127.0.0.1", "localhost"} else "outcry.example.org")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"Outcry <noreply@{MAIL_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Delivery (outcry/delivery, README: Delivery). A sending worker renews its claim on a message (its
# lease) every OUTCRY_LEASE_SECONDS / 6; a claim whose lease lapsed belongs to a dead worker and is
# taken over. OUTCRY_DELIVERY_STALE_SECONDS is the old name of the same setting.
OUTCRY_LEASE_SECONDS = env_int("OUTCRY_LEASE_SECONDS", env_int("OUTCRY_DELIVERY_STALE_SECONDS", 30))
# After a send, recording its outcome retries through a lost database connection this long, so a
# database restart does not leave an accepted message to be sent again.
OUTCRY_RECORD_RETRY_SECONDS = env_int("OUTCRY_RECORD_RETRY_SECONDS", 120)
# The circuit breaker for a mail server (or webhook receiver) that is down: one probe after
# OUTCRY_CIRCUIT_FIRST_SECONDS, then doubling up to OUTCRY_CIRCUIT_MAX_SECONDS apart.
OUTCRY_CIRCUIT_FIRST_SECONDS = env_int("OUTCRY_CIRCUIT_FIRST_SECONDS", 2)
OUTCRY_CIRCUIT_MAX_SECONDS = env_int("OUTCRY_CIRCUIT_MAX_SECONDS", 15)
OUTCRY_DELIVERY_RETRY_SECONDS = env_int("OUTCRY_DELIVERY_RETRY_SECONDS", 60)
OUTCRY_DELIVERY_MAX_ATTEMPTS = env_int("OUTCRY_DELIVERY_MAX_ATTEMPTS", 12)
OUTCRY_DELIVERY_SWEEP_SECONDS = env_int("OUTCRY_DELIVERY_SWEEP_SECONDS", 60)
# Messages a sender claims and reads together (one lease, renewed in one statement); each is still
# recorded alone the moment the mail server accepts it.
OUTCRY_SEND_BATCH = env_int("OUTCRY_SEND_BATCH", 50)
OUTCRY_CONFIRM_DAYS = env_int("OUTCRY_CONFIRM_DAYS", 7)
# Campaign updates: how fast they go out in all, and to any one provider's domain (emails a minute);
# how long the one-click "act again" link in a receipt or update keeps working.
OUTCRY_UPDATE_RATE_PER_MINUTE = env_int("OUTCRY_UPDATE_RATE_PER_MINUTE", 1200)
OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE = env_int("OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE", 300)
OUTCRY_RETURN_LINK_DAYS = env_int("OUTCRY_RETURN_LINK_DAYS", 30)
# Supporters given an update's email per transaction: what a worker killed mid-fan-out can have half done.
OUTCRY_UPDATE_BATCH = env_int("OUTCRY_UPDATE_BATCH", 1000)
# Inbound mail (`make inbound`, README: Targets and replies): replies to r-<token>@MAIL_DOMAIN and
# bounces to b-<token>@MAIL_DOMAIN, behind the organisation's MX or relay.
INBOUND_HOST = os.environ.get("INBOUND_HOST", "127.0.0.1")
INBOUND_PORT = env_int("INBOUND_PORT", 8025)
INBOUND_LMTP = env_bool("INBOUND_LMTP")
# A reply bigger than this is refused at DATA (552), before any of it is parsed.
OUTCRY_INBOUND_MAX_BYTES = env_int("OUTCRY_INBOUND_MAX_BYTES", 5_000_000)
OUTCRY_INBOUND_ATTACHMENT_BYTES = env_int("OUTCRY_INBOUND_ATTACHMENT_BYTES", 1_000_000)
# Hard bounces of distinct letters after which a target's address is marked failing and staff are told.
OUTCRY_BOUNCES_TO_FAIL = env_int("OUTCRY_BOUNCES_TO_FAIL", 3)
# A letter accepted by our server counts as delivered once this long has passed without a bounce.
OUTCRY_DELIVERED_AFTER_HOURS = env_int("OUTCRY_DELIVERED_AFTER_HOURS", 48)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "outcry" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request while it is missing
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "outcry" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Hashed names (outcry.71a2daaad338.css) are immutable and WhiteNoise serves them for ten years.
# This is for unhashed names, whose content changes with each deploy.
WHITENOISE_MAX_AGE = 300 if PRODUCTION else 60

# Public pages load nothing from another origin and run no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, "mailto:"],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# /metrics answers only with `Authorization: Bearer <METRICS_TOKEN>`, and is a 404 while it is unset.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Keyed hashes of IP addresses and emails use a key of their own, so rotating SECRET_KEY
# for sessions does not silently break deduplication.
OUTCRY_HASH_KEY = os.environ.get("OUTCRY_HASH_KEY", SECRET_KEY)
# Counter shards: writes spread over this many rows per campaign, summed on read.
# 64: under 32 concurrent actions, two meet on one row (and one waits for the other's commit) rarely;
# a read still sums one index page. Changing it needs no migration: reads sum whatever rows exist.
OUTCRY_COUNTER_SHARDS = env_int("OUTCRY_COUNTER_SHARDS", 64)
# How long the page and the stats endpoint may serve a cached count.
OUTCRY_COUNT_CACHE_SECONDS = env_int("OUTCRY_COUNT_CACHE_SECONDS", 2)
# Without Redis, how often each web process writes the thank-you views it tallied (outcry/actions/counting.py note()).
OUTCRY_VIEW_FLUSH_SECONDS = env_int("OUTCRY_VIEW_FLUSH_SECONDS", 10)
# How long one rendering of a campaign page serves every anonymous visitor (outcry/lib/shared_cache.py).
OUTCRY_PAGE_CACHE_SECONDS = env_int("OUTCRY_PAGE_CACHE_SECONDS", 2)
# While the database is unreachable, public pages and stats are served from their last good copy for
# at most this long (and a CDN is told it may do the same: stale-if-error); README: Running at scale.
OUTCRY_STALE_SECONDS = env_int("OUTCRY_STALE_SECONDS", 600)
# What Retry-After says to an action (or any request that needs the database) during an outage.
OUTCRY_OUTAGE_RETRY_SECONDS = env_int("OUTCRY_OUTAGE_RETRY_SECONDS", 60)
# How often an open page asks for the live count (slower while the tab is hidden).
OUTCRY_COUNTER_POLL_MS = env_int("OUTCRY_COUNTER_POLL_MS", 5000)
# How long each web process reuses a shared page or stats answer from its own memory.
OUTCRY_LOCAL_CACHE_SECONDS = env_int("OUTCRY_LOCAL_CACHE_SECONDS", 1)
# How long the public integrity report (two grouped counts per campaign) may be served from cache.
OUTCRY_INTEGRITY_CACHE_SECONDS = env_int("OUTCRY_INTEGRITY_CACHE_SECONDS", 300)
# The public report counts actions taken before the current hour, rounded to this, and shows fewer than
# OUTCRY_INTEGRITY_PUBLIC_MIN as "fewer than …", so it cannot tell whether one address acted (staff see it exact).
OUTCRY_INTEGRITY_PUBLIC_ROUNDING = env_int("OUTCRY_INTEGRITY_PUBLIC_ROUNDING", 10)
OUTCRY_INTEGRITY_PUBLIC_MIN = env_int("OUTCRY_INTEGRITY_PUBLIC_MIN", 10)
# Files only the organisation may download (hand-in documents): never under MEDIA_ROOT, which is public.
OUTCRY_PRIVATE_DIR = Path(os.environ.get("OUTCRY_PRIVATE_DIR", DATA_DIR / "private"))
# Webhooks may POST to loopback and private addresses only outside production (they would reach our own network).
OUTCRY_WEBHOOK_ALLOW_PRIVATE = env_bool("OUTCRY_WEBHOOK_ALLOW_PRIVATE", default=not PRODUCTION)

# Abuse resistance (outcry/safety). A limit is "COUNT/SECONDS"; see README: Security and privacy.
# Reverse proxies whose X-Forwarded-For is believed (CIDR list; outcry/lib/client.py, README: Behind a proxy).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# The older setting: how many entries of X-Forwarded-For to read at most (from a trusted proxy only).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# The network one client stands for in rate limits and velocity: an IPv6 subscriber gets a whole /64.
OUTCRY_RATE_IPV4_PREFIX = env_int("OUTCRY_RATE_IPV4_PREFIX", 32)
OUTCRY_RATE_IPV6_PREFIX = env_int("OUTCRY_RATE_IPV6_PREFIX", 64)
OUTCRY_RATE_IP_CAMPAIGN = os.environ.get("OUTCRY_RATE_IP_CAMPAIGN", "20/3600")
OUTCRY_RATE_IP_SITE = os.environ.get("OUTCRY_RATE_IP_SITE", "60/3600")
OUTCRY_RATE_DOMAIN_CAMPAIGN = os.environ.get("OUTCRY_RATE_DOMAIN_CAMPAIGN", "300/3600")
OUTCRY_RATE_DOMAIN_SITE = os.environ.get("OUTCRY_RATE_DOMAIN_SITE", "1000/3600")
# Asking for a confirmation link again (per client network): the worker also limits each address.
OUTCRY_RATE_RESEND = os.environ.get("OUTCRY_RATE_RESEND", "10/3600")
# Big webmail providers are shared by millions: a per-domain limit on them would stop a real surge.
OUTCRY_RATE_DOMAIN_EXEMPT = env_list(
    "OUTCRY_RATE_DOMAIN_EXEMPT",
    "gmail.com,googlemail.com,outlook.com,hotmail.com,hotmail.co.uk,hotmail.fr,hotmail.it,live.com,msn.com,"
    "yahoo.com,yahoo.co.uk,yahoo.fr,yahoo.it,icloud.com,me.com,proton.me,protonmail.com,gmx.de,gmx.net,"
    "web.de,orange.fr,free.fr,libero.it,aol.com,mail.ru,yandex.ru",
)
# A person needs a few seconds to fill the form; faster submissions are held for review.
OUTCRY_MIN_FILL_SECONDS = env_int("OUTCRY_MIN_FILL_SECONDS", 3)
# Proof of work: the browser tries up to this many numbers (about half on average).
OUTCRY_POW_MAX_NUMBER = env_int("OUTCRY_POW_MAX_NUMBER", 50000)
OUTCRY_POW_EXPIRES_SECONDS = env_int("OUTCRY_POW_EXPIRES_SECONDS", 3600)
# Velocity alerts: a group (IP hash, email domain, country, referral) is a burst when its actions in
# the window reach the minimum and this factor times its usual rate over the day before.
# How long each web process keeps a campaign's spike controls (outcry/safety/controls.py) before reading them again.
OUTCRY_CONTROLS_SECONDS = env_int("OUTCRY_CONTROLS_SECONDS", 5)
OUTCRY_VELOCITY_WINDOW_MINUTES = env_int("OUTCRY_VELOCITY_WINDOW_MINUTES", 60)
OUTCRY_VELOCITY_MIN_ACTIONS = env_int("OUTCRY_VELOCITY_MIN_ACTIONS", 20)
OUTCRY_VELOCITY_FACTOR = env_int("OUTCRY_VELOCITY_FACTOR", 5)
# How long the emailed "your data" link works.
OUTCRY_DATA_LINK_DAYS = env_int("OUTCRY_DATA_LINK_DAYS", 7)
# How long a studio preview link of a draft works (anyone who has it sees the draft).
OUTCRY_PREVIEW_LINK_DAYS = env_int("OUTCRY_PREVIEW_LINK_DAYS", 7)
# How long an emailed invitation to an organisation's studio works.
OUTCRY_INVITE_DAYS = env_int("OUTCRY_INVITE_DAYS", 7)
# The most pixels an uploaded image may have (read from its header, before decoding): 50 million takes a
# 48-megapixel phone photo; decoding one in the worker needs about 150 MB. outcry/lib/images.py.
OUTCRY_IMAGE_MAX_PIXELS = env_int("OUTCRY_IMAGE_MAX_PIXELS", 50_000_000)
# The largest image file a campaigner may upload into a story (bytes).
OUTCRY_IMAGE_MAX_BYTES = env_int("OUTCRY_IMAGE_MAX_BYTES", 20_000_000)
# Staff must pass TOTP two-factor to use the admin. On by default in production; development keeps
# the demo login usable without an authenticator app.
OUTCRY_STAFF_2FA = env_bool("OUTCRY_STAFF_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "Outcry"

# Staff login lockout (django-axes): attempts are kept in the cache under keyed hashes of the address,
# never as raw IPs in the database or the logs.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "axes"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "outcry.safety.lockout.hashed_client_ip"
AXES_CLIENT_STR_CALLABLE = "outcry.safety.lockout.client_str"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "safety/locked_out.html"
# security.W003 looks for CsrfViewMiddleware by name; outcry/lib/csrf.py subclasses it, and the check
# outcry.E001 (outcry/safety/checks.py) makes sure a subclass is installed instead.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No bearer token (a path's my-data, confirm, unsubscribe, return or preview token) and no email address
    # reaches a log line, whoever logs it: outcry/lib/logs.py.
    "filters": {"redact": {"()": "outcry.lib.logs.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
