# The customer lifecycle notebook collection. `make` lists the targets.
# `make test` and `make reports` create .venv with the machine's python3 (3.11+) when it is missing,
# and re-install it when pyproject.toml changed; nothing needs installing by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PEER   := .venv-peer
PEER_STAMP := $(PEER)/.installed
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help venv test unit nbval lint format reports notebooks lab bench clean chromium fonts java

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "error: $(PYTHON) is older than 3.11; run make PYTHON=python3.11 (or newer)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

# lifelines, the peer library the survival tests compare against, caps pandas < 3; it gets its own
# environment so the project itself runs on current pandas.
$(PEER_STAMP): tests/peer/requirements.txt
	@test -x $(PEER)/bin/python || $(PYTHON) -m venv $(PEER)
	$(PEER)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/peer/requirements.txt
	@touch $(PEER_STAMP)

venv: $(STAMP) ## create or refresh .venv (done by the other targets when needed)

# The browser test drives Debian's chromium (playwright never downloads a browser of its own here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian's chromium for the browser test"; \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# Chinese stage names on the site need a CJK font; the browser test fails on a missing glyph.
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { echo "installing Debian's fonts-noto-cjk for the Chinese labels"; \
		apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; }

# The engines' aggregations are tested on Spark in local mode, which needs Java 17 or newer.
java:
	@java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' || { echo "installing Debian's Java runtime for the Spark tests"; \
		apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; }

test: $(STAMP) $(PEER_STAMP) chromium fonts java lint ## lint, unit tests (Spark in local mode too), nbval over the committed notebooks, the data zoo, the browser test
	$(BIN)/python -m pytest

LINTED := lifecycle_utils tests benchmarks notebooks

lint: $(STAMP) ## ruff: lint and format check of the package, tests, benchmarks and notebooks
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: $(STAMP) ## ruff: fix what can be fixed and format the code in place
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

unit: $(STAMP) $(PEER_STAMP) java ## unit tests only (fast)
	$(BIN)/python -m pytest tests

nbval: $(STAMP) ## nbval only: re-execute the notebooks and compare the checked cells
	$(BIN)/python -m pytest notebooks

OUT ?= reports
reports: $(STAMP) ## execute every notebook into reports/ and build the site (reports/index.html) (own data: DATA=path CUSTOMER_COL=.. DATE_COL=.. AMOUNT_COL=.. or QUANTITY_COL=.. UNIT_PRICE_COL=.., OBSERVATION_END=.., OUT=.., any other flag in ARGS="..")
	$(BIN)/python -m lifecycle_utils report --notebooks notebooks --out $(OUT) \
		$(if $(DATA),--data "$(DATA)") $(if $(CUSTOMER_COL),--customer-col "$(CUSTOMER_COL)") \
		$(if $(DATE_COL),--date-col "$(DATE_COL)") $(if $(AMOUNT_COL),--amount-col "$(AMOUNT_COL)") \
		$(if $(QUANTITY_COL),--quantity-col "$(QUANTITY_COL)") $(if $(UNIT_PRICE_COL),--unit-price-col "$(UNIT_PRICE_COL)") \
		$(if $(OBSERVATION_END),--observation-end "$(OBSERVATION_END)") $(ARGS)

# record_timing=False: no execution timestamps in the committed notebooks, so a re-run without a change
# leaves no diff (tests/test_notebook_parameters.py checks that none are committed).
notebooks: $(STAMP) ## re-execute the committed notebooks in place (after changing them)
	cd notebooks && for nb in [0-9][0-9]_*.ipynb; do \
		../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.record_timing=False "$$nb" || exit 1; done
	$(BIN)/python -c "import glob; from lifecycle_utils.report import strip_run_metadata as s; \
		[s(p) for p in sorted(glob.glob('notebooks/[0-9][0-9]_*.ipynb'))]"

bench: $(STAMP) ## run the benchmarks (timings and peak memory; not part of the tests)
	$(BIN)/python benchmarks/bench.py 100000 1000000

lab: $(STAMP) ## open JupyterLab with the project's environment (as root, e.g. in a container, with --allow-root)
	$(BIN)/jupyter lab notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

clean: ## remove .venv, generated reports and caches
	rm -rf $(VENV) $(PEER) reports/*.html reports/*.ipynb reports/*.json reports/_static reports/_images \
		reports/api reports/searchindex.js reports/objects.inv reports/site-warnings.txt .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
