# Partisipasi Publik: `make run` serves the portal with demo data, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=true
# Tests run with development settings; production settings are checked by a test of their own.
TEST_ENV := DEBUG=true SECRET_KEY=tests-only-secret-key-not-for-production-0123456789
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test test-sqlite test-postgres install browsers messages bench loadtest check-deploy security backup restore clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,security]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@# The email worker runs beside the development server and stops with it.
	$(DEV_ENV) $(BIN)/python manage.py db_worker --interval 5 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Browser tests (tests/browser) need Debian's chromium and axe-core, pinned in package-lock.json.
# Each is installed only when missing. If that fails, the browser tests skip locally and fail in CI.
CHROMIUM ?= /usr/bin/chromium
browsers:
	@if [ ! -x $(CHROMIUM) ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing chromium with apt-get" >&2; \
	    $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null \
	      || echo "WARNING: chromium could not be installed; the browser tests cannot run" >&2; \
	  else echo "WARNING: no apt-get to install chromium; the browser tests cannot run" >&2; fi; \
	fi
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then \
	  npm ci --no-audit --no-fund --silent || echo "WARNING: npm ci failed; the accessibility tests cannot run" >&2; \
	fi

test: test-sqlite test-postgres

test-sqlite: $(STAMP)
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/.test.sqlite3 $(BIN)/pytest -n 2 -m "not postgres and not browser" -q

# Everything, browser journeys included (screenshots and reports land in artifacts/browser/).
test-postgres: $(STAMP) browsers
	bash .ci/ensure-postgres
	$(TEST_ENV) DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -q

messages: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

# Bandit over our code (fails on high-severity findings), then pip-audit over the installed pins
# (.ci/audit-pins: fails on known-vulnerable pins; when the advisory service cannot be reached it
# prints why and passes, unless PIP_AUDIT_REQUIRED=true). CI runs this first.
BANDIT_TARGETS ?= accounts audit config consultations notifications participation programs transparency bench manage.py
security: $(STAMP)
	$(BIN)/bandit --quiet --recursive --severity-level high $(BANDIT_TARGETS)
	$(BIN)/python .ci/audit-pins

check-deploy: $(STAMP)
	SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=partisipasi.example.go.id \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Benchmark at scale (not part of the tests): seeds the `bench` database on 127.0.0.1:5432, then loads
# each page with wrk. BENCH_SCALE=10 for ten times the data, BENCH_SCALE= to reuse the seeded data;
# BENCH_ARGS passes options to bench.run (--duration, --workers, --only ...). See docs/performance.md.
BENCH_SCALE ?= 1
BENCH_ARGS ?=
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.run $(if $(BENCH_SCALE),--seed-scale $(BENCH_SCALE)) $(BENCH_ARGS)

# Load and fault test on a throwaway PostgreSQL cluster of its own (a few minutes, exits non-zero on failure).
LOADTEST_ARGS ?=
loadtest: $(STAMP)
	@# nginx runs docs/nginx.conf in front of one instance; optional: without it that check is skipped.
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || (apt-get install -y -qq nginx-light >/dev/null 2>&1 || echo "WARNING: nginx not installed; the nginx check is skipped" >&2)
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

# Backups of the database named by DATABASE_URL (pg_dump, custom format) and of MEDIA_ROOT, with the
# environment of the portal (production variables); restore into a new, empty database. See README.
BACKUP_DIR ?= backups
backup: $(STAMP)
	$(BIN)/python manage.py backup --to $(BACKUP_DIR)

restore: $(STAMP)
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=$(BACKUP_DIR)/partisipasi-YYYYMMDD-HHMMSS [RESTORE_ARGS=--replace]" >&2; exit 2)
	$(BIN)/python manage.py restore $(BACKUP) $(RESTORE_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .test.sqlite3 staticfiles
