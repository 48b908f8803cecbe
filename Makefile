# Stepwell: the README's commands. Needs only Python 3.11, make and git.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
LOCKED := $(VENV)/.locked
STAMP := $(VENV)/.installed
DEMO_ENV := DJANGO_SETTINGS_MODULE=stepwell.settings.demo
# The lock files: production.txt for servers (deploy/Dockerfile), development.txt (the same
# pins plus the dev extra) for `make install`. `make lock` rewrites both from pyproject.toml;
# `make lock LOCK_ARGS=--upgrade` also moves every pin to the newest release that fits.
LOCK_PRODUCTION := requirements/production.txt
LOCK_DEVELOPMENT := requirements/development.txt
LOCK_FLAGS := --generate-hashes --universal --quiet $(LOCK_ARGS)

.PHONY: demo test lint bench load install lock serve clean

# Every package from the lock, each checked against its hash.
$(LOCKED): $(LOCK_DEVELOPMENT)
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK_DEVELOPMENT)
	touch $(LOCKED)

# Then the project itself, without resolving anything; pip check catches a dependency
# added to pyproject.toml but not yet to the lock.
$(STAMP): $(LOCKED) pyproject.toml
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; \
		echo "The lock files miss a dependency of pyproject.toml: run make lock."; exit 1; }
	touch $(STAMP)

install: $(STAMP)

lock: $(LOCKED)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in $(LOCK_FLAGS) \
		-o $(LOCK_PRODUCTION)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev \
		-c $(LOCK_PRODUCTION) $(LOCK_FLAGS) -o $(LOCK_DEVELOPMENT)

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/stepwell migrate --noinput
	$(DEMO_ENV) $(BIN)/stepwell seed-demo
	@echo ""
	@echo "Stepwell demo clinic: http://127.0.0.1:8000/  (Ctrl-C to stop; background jobs log to var/worker.log, daily jobs to var/daily.log)"
	$(DEMO_ENV) $(BIN)/stepwell db_worker > var/worker.log 2>&1 & worker=$$!; \
	$(DEMO_ENV) $(BIN)/stepwell daily --every 3600 > var/daily.log 2>&1 & daily=$$!; \
	trap 'kill $$worker $$daily 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/stepwell runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python scripts/run_tests.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

# The load test (bench/load/): a throwaway PostgreSQL, the demo plus a chain of PATIENTS,
# gunicorn and two job workers, locust for DURATION seconds; prints req/s, p50/p95/p99, errors.
USERS ?= 50
DURATION ?= 60
PATIENTS ?= 2000
load: $(STAMP)
	$(BIN)/python bench/load/run.py --users $(USERS) --duration $(DURATION) --patients $(PATIENTS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
