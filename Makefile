# Two commands for a new user: `make demo` (set up, load demo data, start) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): one a core; 0 runs the tests in this one process.
TEST_WORKERS ?= auto

.PHONY: demo test setup lint typecheck format lock worker clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "Python's venv module is missing: on Debian or Ubuntu, install python3-venv."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	touch $@

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py import_gazetteer gazetteer/data/mimu_sample_village_tracts.csv gazetteer/data/mimu_sample_towns.csv
	$(BIN)/python manage.py import_place_aliases gazetteer/data/place_aliases.csv
	$(BIN)/python manage.py import_boundaries gazetteer/data/boundaries/sample_states.geojson gazetteer/data/boundaries/sample_districts.geojson
	$(BIN)/python manage.py load_demo

demo: setup
	@echo "The tracker is starting at http://$(HOST):$(PORT)/ (admin at http://$(HOST):$(PORT)/admin/). Stop it with Ctrl-C."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs: strict on the domain core, the rest not yet (see pyproject.toml).
typecheck: $(VENV)/.installed
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(VENV)/.installed
	$(BIN)/celery -A tracker worker --loglevel=INFO

# Re-pin the dependencies after editing pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
