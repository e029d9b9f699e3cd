# pixdeploy — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= 1
# Links in e-mails (invitations) lead to this server unless SITE_URL is set: `make run PORT=8001` follows.
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test check-system install install-dev migrate seed serve worker beat need-broker quality format \
	check-deploy audit clean

## make check-system: the Debian packages pixdeploy needs besides Python (prints the apt-get line if any is missing)
check-system:
	@VENV=$(VENV) sh scripts/check_system.sh $(PYTHON)

$(BIN)/activate: | check-system
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

serve:
	$(PY) manage.py runserver $(HOST):$(PORT)

## make run [PORT=8001]: install, migrate, seed the demo school and serve on http://127.0.0.1:8000
run: check-system seed serve

## make test: install the test needs and run the whole suite (SQLite unless DATABASE_URL is set)
test: check-system install-dev
	$(BIN)/pytest

# A worker or beat without a broker would look for RabbitMQ on localhost: say that Redis is needed instead.
need-broker: install
	@$(PY) -c "from pixdeploy import settings; raise SystemExit(0 if settings.CELERY_BROKER_URL else 1)" || { \
		echo "Il faut Redis pour lancer un worker ou beat : sans REDIS_URL (ni CELERY_BROKER_URL), les tâches de" >&2; \
		echo "fond s'exécutent déjà dans le serveur web (make run). Démarrez Redis, puis dans ce terminal :" >&2; \
		echo "  export REDIS_URL=redis://127.0.0.1:6379/0" >&2; \
		exit 1; }

## make worker: the Celery worker of the development server (needs REDIS_URL)
worker: check-system need-broker
	$(BIN)/celery -A pixdeploy worker -l info

## make beat: the periodic tasks (needs REDIS_URL)
beat: need-broker
	@mkdir -p var
	$(BIN)/celery -A pixdeploy beat -l info --schedule var/celerybeat-schedule

quality: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make audit: the installed packages checked for known vulnerabilities (pip-audit); an unreachable database warns
audit: install-dev
	$(PY) scripts/audit_dependencies.py

check-deploy: install
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=pix.example.fr \
		SITE_URL=https://pix.example.fr $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
