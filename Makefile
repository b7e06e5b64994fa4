# zerovisit: `make run` starts everything on SQLite, `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
# Cases loaded by make bench-metrics (its database is named after the number, so a load can be measured again).
CASES ?= 1000000

.PHONY: help venv runtime run test lint openapi openapi-check migrate clean demo bench-metrics bench-load bench-events bench-receivers bench-cli fuzz faults

help:
	@echo "make run            create the environment, migrate SQLite under var/, start all three services"
	@echo "make test           run every test (PostgreSQL too when ZV_TEST_POSTGRES_URL is set)"
	@echo "make lint           ruff, mypy and the import contracts"
	@echo "make openapi        regenerate openapi/*.json from the code"
	@echo "make openapi-check  fail when openapi/*.json differs from the code"
	@echo "make demo           a simulated half-year through the three services on their own databases (var/demo/)"
	@echo "make bench-metrics  1,000,000 cases on PostgreSQL: summary latency beside a plain aggregate (CASES=10000000)"
	@echo "make fuzz           schemathesis against every service with 500 examples per operation"
	@echo "make faults         kill services and restart PostgreSQL under traffic; count events lost and duplicated"
	@echo "make bench-load     submission, evidence uploads and step completion at 64 clients beside a bare insert (PostgreSQL)"
	@echo "make bench-events   submission to job latency at 20 submissions/s (PostgreSQL)"
	@echo "make bench-receivers CPU and SQL statements per event: workflow making jobs, metrics keeping facts, intake following jobs"
	@echo "make bench-cli      start-up time of zerovisit --help and users create (hyperfine)"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Two stamps, so that `make run` and `make test` never undo each other: `run` installs the runtime dependencies
# only and leaves anything else in place (--inexact); the development environment (`make test`, `make lint`, ...)
# syncs the dev group as well. Bytecode is compiled at install time, so the command line starts fast even
# where PYTHONDONTWRITEBYTECODE is set.
.venv/.synced-runtime: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev --inexact --compile-bytecode
	@touch $@

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	@touch $@ .venv/.synced-runtime

runtime: .venv/.synced-runtime

venv: .venv/.synced

run: runtime
	$(PY) -m services.cli run

migrate: runtime
	$(PY) -m services.cli migrate

test: venv
	$(PY) -m pytest

lint: venv
	.venv/bin/ruff check .
	.venv/bin/mypy services tools
	.venv/bin/lint-imports

openapi: venv
	$(PY) -m services.openapi write

openapi-check: venv
	$(PY) -m services.openapi check

demo: venv
	$(PY) -m tools.demo

bench-metrics: venv
	$(PY) -m tools.bench.metrics.bench_summary --cases $(CASES) --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/zv_bench_metrics_$(CASES)

bench-load: venv
	$(PY) -m tools.bench.load.run --clients 64 --seconds 30 --relays after
	$(PY) -m tools.bench.load.run --clients 64 --seconds 30 --relays separate --output tools/bench/load/RESULTS-pipeline.md

bench-events: venv
	$(PY) -m tools.bench.events.run --rate 20 --seconds 30

bench-receivers: venv
	$(PY) -m tools.bench.receivers.run --batches 40

bench-cli: venv
	$(PY) -m tools.bench.cli.run

fuzz: venv
	ZV_FUZZ_EXAMPLES=500 $(PY) -m pytest tests/fuzz

faults: venv
	$(PY) -m tools.bench.faults.run

clean:
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
