# SaintsXCTF API. `make run` sets everything up and serves the API with demo data; `make test` tests it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint lock migrate demo bench clean faults soak

# Python 3.11 (pyproject.toml requires-python, .python-version; the lock files are compiled for it). Installs are
# reproducible: requirements*.txt pin every package, transitive ones included, with hashes (--require-hashes).
$(VENV)/.installed: requirements.txt requirements-dev.txt scripts/system-deps.sh
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Python 3.11 is needed (PYTHON=$(PYTHON) is $$($(PYTHON) --version)); set PYTHON=python3.11" >&2; exit 1; }
	./scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# The API (gunicorn) and the mail worker beside it; stopping one (Ctrl-C) stops both.
run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py send_queued_mail & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn saintsxctf.wsgi:application --bind $(HOST):$(PORT) \
		--forwarded-allow-ips="127.0.0.1"

test: install
	./scripts/test-deps.sh
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Recompile the lock files after editing requirements.in / requirements-dev.in (needs PyPI).
lock: install
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements-dev.txt requirements-dev.in

# The load benchmark on MariaDB (bench/README.md); e.g. `make bench BENCH_DURATION=3 BENCH_SCALES=small`.
# `make bench BENCH_REPLICA=1`: the read mix without and with one read replica (private primary and replica).
bench: install
	./scripts/bench-deps.sh
	$(PY) bench/run.py

# Restart a private MariaDB under a steady write load: the API recovers, no acknowledged write is lost.
# FAULTS_ARGS="--write log --crash" etc.; see ops/faults.py.
faults: install
	$(PY) ops/faults.py $(FAULTS_ARGS)

# A steady load against gunicorn for SOAK_MINUTES (default 10): zero errors, bounded worker memory.
soak: install
	$(PY) ops/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
