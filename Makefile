# Clipscope: `make run` serves the backend, `make test` runs every check. Both set up .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check
PORT ?= 8000
export PORT

.PHONY: run test lint typecheck pytest mobile-test api-types screenshots bench migrate venv dev-venv clean push-service worker test-servers

$(VENV)/.stamp-run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-run requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.stamp-run
dev-venv: $(VENV)/.stamp-dev

migrate: venv
	$(PY) -m backend.migrate

run: migrate
	$(VENV)/bin/gunicorn -c gunicorn.conf.py backend.wsgi:app

# Scale-out mode: a Celery worker (see README); the web process runs with CLIPSCOPE_EXECUTOR=celery.
# Each worker is named WORKER_NAME, or after its process id and host: two on one host never clash.
worker: migrate
	$(VENV)/bin/celery -A backend.celery_worker worker --loglevel=INFO \
		--concurrency=$${CLIPSCOPE_WORKERS:-2} --hostname=$${WORKER_NAME:-clipscope-$$$$@%h}

PY_DIRS := $(wildcard backend tests bench migrations localexpo tools)

lint: dev-venv
	$(VENV)/bin/ruff check $(PY_DIRS)
	$(VENV)/bin/ruff format --check $(PY_DIRS)

typecheck: dev-venv
	$(VENV)/bin/mypy

# The tests start throwaway PostgreSQL, Redis and RabbitMQ servers of their own (tests/services.py)
# from Debian's packages; this installs whichever is missing. The machine's services are never used.
TEST_SERVER_PACKAGES := postgresql redis-server rabbitmq-server
test-servers:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	test -x /usr/lib/rabbitmq/bin/rabbitmq-server || missing="$$missing rabbitmq-server"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
		else echo "make test needs the Debian packages:$$missing (apt-get install$$missing as root)"; exit 1; fi; \
		$$sudo apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi

pytest: dev-venv test-servers
	$(PY) -m pytest -q --durations=15

mobile-test: venv
	bash mobile/scripts/test.sh

# Regenerates the app's API types (mobile/src/lib/api.gen.ts) from the server's OpenAPI document.
api-types: venv
	bash mobile/scripts/api-types.sh

# Regenerates docs/screenshots with the browser test (the only run that writes them).
screenshots: venv
	bash mobile/scripts/test.sh screenshots

test: lint typecheck pytest
	@if [ -f mobile/scripts/test.sh ]; then $(MAKE) --no-print-directory mobile-test; fi

bench: dev-venv
	$(PIP) install -q -r bench/requirements.txt
	# scenedetect's wheel asks for the GUI opencv-python; the headless one is pinned above.
	$(PIP) install -q --no-deps scenedetect==0.7.2
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
