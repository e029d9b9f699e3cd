"""pixdeploy settings, read from the environment.

With no environment at all the app runs on a SQLite file with Celery tasks run
eagerly, so that a newcomer needs no server. DATABASE_URL and REDIS_URL (or
CELERY_BROKER_URL) switch to PostgreSQL and a real broker.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

from accounts.oidc.config import socialaccount_providers

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# A deployment is recognised by its own SECRET_KEY; without one we are on a
# developer's machine and use a fixed key so that sessions survive restarts.
SECRET_KEY = env("SECRET_KEY", default="")
PRODUCTION = bool(SECRET_KEY)
if not PRODUCTION:
    SECRET_KEY = "django-insecure-dev-only-key-never-used-in-production-0123456789"
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

# In production only the site's names: the container's health check (http://127.0.0.1:8000/sante/) is answered
# by pixdeploy.middleware.HealthCheckMiddleware before the host is checked.
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",  # sign-in through the ENT or ÉduConnect (docs/ent.md)
    "allauth.socialaccount.providers.openid_connect",
    # Ours, from the bottom layer up (see ARCHITECTURE.md).
    "accounts",
    "crcn",
    "jobs",
    "orga",
    "certif",
    "pixdeploy",
]

MIDDLEWARE = [
    "pixdeploy.middleware.HealthCheckMiddleware",  # first: /sante/ answers whatever the host, over plain HTTP
    "django.middleware.security.SecurityMiddleware",
    "pixdeploy.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
]

ROOT_URLCONF = "pixdeploy.urls"
WSGI_APPLICATION = "pixdeploy.wsgi.application"
ASGI_APPLICATION = "pixdeploy.asgi.application"

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
                "pixdeploy.context_processors.navigation",
            ],
            "builtins": ["documents.template_filters"],  # count_of: "0 élève", "2 élèves"
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A persistent connection cut by PostgreSQL (restart, pg_terminate_backend) is replaced at the next request's
# first query instead of failing it (bench/faults/database_cut.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Behind PgBouncer in transaction mode (docs/operations.md): no server-side cursor outlives a transaction.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "accounts.hashers.TemporaryPasswordHasher",
]
# Checked wherever a password is chosen: change, reset, invitation, admin site, createsuperuser. Staff (teachers,
# school admins, superusers) 12 characters at least, pupils 8; pupils' generated temporary passwords are not chosen.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.password_validation.MinimumLengthByRoleValidator", "OPTIONS": {"staff": 12, "pupil": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: accounts come from imports and invitations, never from open sign-up.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "change_password": "accounts.forms.ChangePasswordForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Sign-in through the ENT or ÉduConnect (docs/ent.md): OpenID Connect providers from OIDC_PROVIDERS (JSON) and from
# the admin site (« Applications de réseaux sociaux »). An identity signs in to the account its claims designate
# (orga.pupils.ent), never to a new one; local accounts keep working.
SOCIALACCOUNT_ADAPTER = "orga.pupils.ent.EntAccountAdapter"
SOCIALACCOUNT_PROVIDERS = socialaccount_providers(env("OIDC_PROVIDERS", default=""))
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an address alone never signs in: orga.pupils.ent decides
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
# Wrong passwords, at sign-in and as the current password of a change, are counted by accounts.rate_limits as every
# typed secret (per account first, then per address far above a computer room), so allauth's own login_failed and
# change_password limits are off. A computer room signs in from one public address: allauth's limit on every
# sign-in leaves room for 300 a minute from one address.
ACCOUNT_RATE_LIMITS = {"login": "300/m/ip", "login_failed": "", "change_password": ""}
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For (docker-compose: 1).
# 0 ignores the header, which anyone can forge. Every limiter reads the address through accounts.client_address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[pixdeploy] "

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Tests and a first `make run` need no collectstatic: whitenoise serves the finders.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=not PRODUCTION)
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env("EMAIL_URL", default=""):
    vars().update(env.email("EMAIL_URL"))
# The site's public address, for links in e-mails sent outside a request (commands, tasks).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="pixdeploy <ne-pas-repondre@pixdeploy.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: no broker configured → tasks run eagerly, in the web process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or env("REDIS_URL", default="")  # empty counts as unset
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# The queue the web sends tasks to and the worker consumes (the test suite uses one of its own per run).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="pixdeploy")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = CELERY_BROKER_URL or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker dies is delivered again (acks late; a killed pool process requeues at once). Its job's
# `claim` lets it redo the work once the dead runner's heartbeat is older than JOBS_HEARTBEAT_TIMEOUT.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# No task's return value is read (jobs write their rows), except the ping of /etat/ (ignore_result=False). Without
# this, each task sent subscribes to its result in Redis: with Redis down, `.delay()` retried that for 20 s and then
# broke the process's Celery app for good ("must be restarted"; bench/faults/redis_down.py).
CELERY_TASK_IGNORE_RESULT = True
# A task sent while the broker is down is refused within about a second (the job then says so, jobs/queue.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}

# Background jobs (jobs/): seconds. A running job beats at each progress step.
JOBS_HEARTBEAT_TIMEOUT = env.int("JOBS_HEARTBEAT_TIMEOUT", default=300)  # silent longer: its runner is gone
JOBS_FAIL_AFTER = env.int("JOBS_FAIL_AFTER", default=900)  # silent longer: marked failed by jobs.fail_stale_jobs
JOBS_QUEUED_TIMEOUT = env.int("JOBS_QUEUED_TIMEOUT", default=3600)  # queued longer: never picked up, failed
JOBS_UPLOAD_RETENTION = env.int("JOBS_UPLOAD_RETENTION", default=86400)  # an interrupted job's upload, for a retry
JOBS_CHECKPOINT_DELAY = env.float("JOBS_CHECKPOINT_DELAY", default=0)  # tests only: time to kill a worker mid-job
# Redis hands an unacknowledged task (its worker died) to another worker after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=JOBS_HEARTBEAT_TIMEOUT + 60)
}
CELERY_BEAT_SCHEDULE = {
    "fail-stale-jobs": {"task": "jobs.fail_stale_jobs", "schedule": 60.0},
    "delete-abandoned-uploads": {"task": "jobs.delete_abandoned_uploads", "schedule": 3600.0},
    "expire-invitations": {"task": "orga.expire_invitations", "schedule": 3600.0},
    # Every night at 3:15 (Europe/Paris), after the backups: pupils past PUPIL_RETENTION_YEARS erased.
    "purge-expired-pupils": {
        "task": "pixdeploy.purge_expired_pupils",
        "schedule": crontab(minute=15, hour=3),
    },
    # Monday 7:00 in CELERY_TIMEZONE (Europe/Paris).
    "weekly-digests": {
        "task": "pixdeploy.send_weekly_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}

if CELERY_BROKER_URL:
    # Redis shared by every server (the sign-in counters count together); when it does not answer, the counters go
    # on in each process's memory and sessions are read from the database (accounts.fail_safe_cache).
    _REDIS_CACHE = {
        "BACKEND": "accounts.fail_safe_cache.FailSafeRedisCache",
        "LOCATION": CELERY_BROKER_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "FALLBACK": "local"},
    }
    CACHES = {
        "default": _REDIS_CACHE,
        "sessions": {**_REDIS_CACHE, "OPTIONS": {**_REDIS_CACHE["OPTIONS"], "FALLBACK": "none"}},
    }
    # Sessions read from Redis, written through to the database: one query less on every page.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# RGPD: years a pupil stays after an import found them gone (disabled) before the nightly purge erases them
# (pixdeploy.erasure). One year, because: the CNIL's rule for schools' pupil files (dispense n° 17, délibération
# 2012-171) keeps schooling data no longer than the school year they were recorded for; the ENT's decree (arrêté
# of 30 November 2006, art. 6 as amended in 2017) deletes a pupil's ENT data within three months of the account
# no longer being needed. A pupil is disabled by the next year's SIECLE import, after the year's results were used
# (checklist, hand-over to LSU/LSL, closing of the year): one more year covers a pupil who comes back, a late
# question from a family or an académie, and the following rentrée, and is still short. A school or académie that
# wants less sets 0: the pupil is erased the first night after an import disables them.
PUPIL_RETENTION_YEARS = env.int("PUPIL_RETENTION_YEARS", default=1)
# A published validated certificate of an erased pupil keeps its certified identity (names, birth date) this long
# after its session, so that the attestation can still be checked on /verifier/: Pix gives its certificate a
# validity of three years.
CERTIFICATE_KEPT_YEARS = env.int("CERTIFICATE_KEPT_YEARS", default=3)

# The highest CRCN level a pupil can reach (Pix: MAX_REACHABLE_LEVEL). 5 → 640 pix; 8 → 1024.
PIX_MAX_REACHABLE_LEVEL = env.int("PIX_MAX_REACHABLE_LEVEL", default=5)

MESSAGE_TAGS = {10: "info", 20: "info", 25: "success", 30: "warning", 40: "error"}
DSFR_MARK_OPTIONAL_FIELDS = True

# Scripts from our own static files only (DSFR, htmx, static/js/): no inline script, no event attribute.
# Style attributes stay allowed (bar widths); <style> elements do not (htmx's indicator styles are in
# static/css/pixdeploy.css). Sent in production only, by pixdeploy.middleware; "" sends nothing.
STRICT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
CONTENT_SECURITY_POLICY = ""

# Production hardening (`manage.py check --deploy` passes clean with it).
if PRODUCTION and not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    CONTENT_SECURITY_POLICY = env("CONTENT_SECURITY_POLICY", default=STRICT_CONTENT_SECURITY_POLICY)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: every form, htmx's included, carries {% csrf_token %}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
