# The two commands of the README: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

CHROMIUM := /usr/bin/chromium

.PHONY: run test run-prod bench bench-data load install chromium bench-import

# Benchmarks (bench/README.md): a generated database of 50,000 customers and
# 1,000,000 complaints, made once (make bench-data makes it again).
BENCH_DB         ?= /tmp/portal-bench/bench.db
BENCH_CUSTOMERS  ?= 50000
BENCH_COMPLAINTS ?= 1000000

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

run: install
	$(FLASK) portal init-db
	$(FLASK) portal seed --demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production: gunicorn on PORTAL_DATABASE_URL (README "Production"); the schema
# is brought up to date first. WORKERS defaults to 2 x cores + 1, each serving
# THREADS requests at once. Threaded workers keep answering the master while a
# long export streams, so TIMEOUT (seconds without a sign of life) does not cut
# it; a sync worker would be killed in the middle of any request longer than that.
WORKERS ?= $$((2 * $$(nproc) + 1))
THREADS ?= 4
TIMEOUT ?= 120

run-prod: install
	$(FLASK) portal migrate
	$(VENV)/bin/gunicorn --workers $(WORKERS) --worker-class gthread --threads $(THREADS) \
		--bind $(HOST):$(PORT) --timeout $(TIMEOUT) --access-logfile - wsgi:app

test: install chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# The benchmarks measure the work of a request: rate limits off (PORTAL_RATE_LIMITS=0).
bench: install $(BENCH_DB)
	$(VENV)/bin/pip install -q -e '.[bench]'
	PORTAL_RATE_LIMITS=0 $(PY) bench/run.py --db $(BENCH_DB)
	PORTAL_RATE_LIMITS=0 $(PY) bench/export.py --db $(BENCH_DB)
	PORTAL_RATE_LIMITS=0 $(PY) bench/handover.py --db $(BENCH_DB)

load: install $(BENCH_DB)
	$(VENV)/bin/pip install -q -e '.[bench]'
	PORTAL_RATE_LIMITS=0 $(PY) bench/load.py --db $(BENCH_DB)

$(BENCH_DB):
	$(MAKE) bench-data

bench-data: install
	$(PY) bench/generate.py --db $(BENCH_DB) --customers $(BENCH_CUSTOMERS) --complaints $(BENCH_COMPLAINTS)

# The end-to-end tests (tests/e2e) drive Debian's chromium. Installed here when
# we may (root with apt-get); otherwise those tests fail and say how to get it.
chromium:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	fi

# Import benchmark: 100,000 generated customer rows, dry run then import, on a
# fresh SQLite database (ROWS=... for another size); prints time and memory.
ROWS ?= 100000
bench-import: install
	$(PY) scripts/bench_import.py --rows $(ROWS)
