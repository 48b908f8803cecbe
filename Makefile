# Stepwell: the README's commands. Needs only Python 3.11, make and git.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ENV := DJANGO_SETTINGS_MODULE=stepwell.settings.demo

.PHONY: demo test lint bench install serve clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/stepwell migrate --noinput
	$(DEMO_ENV) $(BIN)/stepwell seed-demo
	$(DEMO_ENV) $(BIN)/stepwell measures-due --daily
	$(DEMO_ENV) $(BIN)/stepwell audit checkpoint --daily
	@echo ""
	@echo "Stepwell demo clinic: http://127.0.0.1:8000/  (Ctrl-C to stop; background jobs log to var/worker.log)"
	$(DEMO_ENV) $(BIN)/stepwell db_worker > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/stepwell runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python scripts/run_tests.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
