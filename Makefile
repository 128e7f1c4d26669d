# Two commands for a newcomer:  `make run` (dashboard on the demo warehouse)  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= data/warehouse.duckdb
PORT   ?= 8501

.PHONY: run test demo lint bench bench-national national system-deps clean screenshots test-spark

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The project itself is installed in development mode (pyproject.toml): its packages import by name
# from anywhere, with no sys.path edits.
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

$(DB): | $(VENV)/.runtime
	CDS_WAREHOUSE=$(DB) $(BIN)/python -m demo

demo: $(VENV)/.runtime
	CDS_WAREHOUSE=$(DB) $(BIN)/python -m demo

run: $(VENV)/.runtime $(DB)
	CDS_WAREHOUSE=$(DB) $(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# Debian packages the browser test needs (Chromium and fonts with Vietnamese glyphs).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/dejavu ] || [ ! -d /usr/share/fonts/truetype/liberation2 ] || [ ! -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium fonts-dejavu-core fonts-noto-core fonts-liberation2 nginx-light openssl >/dev/null; \
		else \
			echo "Install Chromium, fonts, nginx and openssl first: sudo apt-get install chromium fonts-dejavu-core fonts-noto-core fonts-liberation2 nginx-light openssl"; \
			exit 1; \
		fi; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: $(VENV)/.dev system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The marts built by Spark over the Parquet lake against DuckDB's (docs/scaling.md): needs Java 17+.
test-spark: $(VENV)/.dev
	$(BIN)/pip install -q -r requirements-spark.txt
	$(BIN)/python -m pytest -m spark tests/scaling/test_spark_marts.py

bench: $(VENV)/.dev $(DB)
	$(BIN)/python -m bench.bench_demo_build
	CDS_WAREHOUSE=$(DB) $(BIN)/python -m bench.bench_pages
	CDS_WAREHOUSE=$(DB) $(BIN)/python -m bench.bench_reports

# Every page in both languages at 1366 and 400 px, full page, as PNGs under screenshots/ (git-ignored),
# to look at before calling a page done.
screenshots: $(VENV)/.dev $(DB)
	CDS_WAREHOUSE=$(DB) $(BIN)/python -m bench.screenshots

# National scale (about 10 GB of files, a 3 GB warehouse, 15-20 minutes on 2 cores): see docs/scaling.md.
NATIONAL_DB := data/national/warehouse.duckdb

national: $(VENV)/.runtime
	$(BIN)/python -m demo --scale national --db $(NATIONAL_DB)

bench-national: $(VENV)/.dev
	@test -f $(NATIONAL_DB) || $(MAKE) national
	$(BIN)/python -m bench.bench_national_etl --files data/national
	$(BIN)/python -m bench.bench_national --db $(NATIONAL_DB)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
