# pixdeploy — production image (gunicorn + whitenoise; Celery worker and beat use the same image).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Runtime libraries WeasyPrint 70 needs (Pango, HarfBuzz with subsetting), a font and MIME data; pg_dump and
# pg_restore (PostgreSQL 15's, as the postgres:15 service) for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        postgresql-client \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        shared-mime-info \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

# Non-root user; its home gives fontconfig a writable cache directory.
RUN groupadd --system pixdeploy \
    && useradd --system --gid pixdeploy --create-home --home-dir /home/pixdeploy --shell /usr/sbin/nologin pixdeploy

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# A SECRET_KEY switches the settings to production (manifest static storage); this one is only for the build.
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 python manage.py collectstatic --noinput

# /app/media belongs to the app user so that a named volume mounted there starts with that owner.
RUN mkdir -p /app/media && chown pixdeploy:pixdeploy /app/media

USER pixdeploy

EXPOSE 8000

CMD ["gunicorn", "pixdeploy.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
