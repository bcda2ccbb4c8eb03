# Set-up and everyday commands; see README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1:8000
# Test processes (pytest-xdist): one more than the cores, since the browser and fault
# tests spend part of their time waiting. Each takes one test at a time, in the
# suite's order (long tests first within each of pytest-django's parts, tests/conftest.py):
# work stealing would hand a worker a test in a transaction after one that flushed the
# database. WORKERS=0 runs the suite in this process.
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test browser tools serve migrate demo messages translations bench clean

run: $(VENV)/.runtime translations migrate demo serve

test: $(VENV)/.dev translations browser tools
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(WORKERS) --maxschedchunk 1 --durations=15 $(PYTEST_ARGS)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Browser tests use Debian's Chromium; without it (and without root to install
# it) they are skipped with a reason.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "Chromium is missing: the browser tests will be skipped."

# The HTML checker (html-validate) and Lighthouse, pinned in tests/node/package-lock.json;
# without npm the HTML check is skipped with a reason and make bench leaves Lighthouse out.
tools: tests/node/node_modules/.installed

tests/node/node_modules/.installed: tests/node/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/node --no-audit --no-fund --silent && touch $@; \
		else echo "npm is missing: the HTML check will be skipped."; fi

# Compiled with polib (pure Python), so set-up needs no gettext binaries.
translations: $(MO_FILES)

%.mo: %.po $(VENV)/.runtime
	$(PY) -c "import sys, polib; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])" $< $@

migrate: $(VENV)/.runtime
	DEBUG=1 $(PY) manage.py migrate --no-input

demo: $(VENV)/.runtime
	DEBUG=1 $(PY) manage.py load_demo

# Links in e-mails point where the server listens, unless SITE_URL says otherwise.
# The task worker (e-mails, exports) runs beside the server on the database
# queue; Ctrl-C stops both (the trap stops the worker however the server ends).
# E-mails go to tmp/mail/, one file each, with one line each on the console;
# the worker says only when a task fails.
serve: $(VENV)/.runtime
	@export DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST)} TASKS_LOG_LEVEL=$${TASKS_LOG_LEVEL:-WARNING}; \
	$(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

# Needs GNU gettext (xgettext); only for developers who change strings.
messages: $(VENV)/.runtime
	DEBUG=1 $(PY) manage.py makemessages -l es --no-obsolete --no-location --ignore=.venv --ignore=staticfiles

# Not part of the suite (tests/test_bench_smoke.py runs the same code at a tiny size):
# generates 1,000 organizations, measures, writes docs/benchmarks.md; then the live event
# (300 people through one shared link, locust against gunicorn on PostgreSQL,
# tests/bench/live_event.sh, a few minutes) and 100,000 organizations on PostgreSQL
# (tests/bench/scale.sh, about 15 minutes).
bench: $(VENV)/.runtime $(VENV)/.bench translations tools
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk is missing: the load test will be skipped."
	$(PY) tests/bench/run.py
	bash tests/bench/live_event.sh
	bash tests/bench/scale.sh

# locust and its dependencies, for make bench only.
$(VENV)/.bench: tests/bench/requirements.txt | $(PY)
	$(PIP) install -r tests/bench/requirements.txt
	touch $@

clean:
	rm -rf $(VENV) staticfiles $(MO_FILES) tests/node/node_modules
