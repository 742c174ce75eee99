# Each target installs what it needs in a virtual environment in .venv: `make site` gkcat alone,
# `make test` gkcat with its test tools (Playwright, ruff, mypy ...).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: site test bench schemas samples clean office browser

# `make site` installs gkcat as a user would (a wheel, no editable hooks), again whenever its code changes.
$(STAMP): pyproject.toml $(shell find src templates -type f -not -path '*/__pycache__/*' 2>/dev/null)
	@# Debian's Python needs python3-venv for `-m venv`; install it only when venv is missing.
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --force-reinstall --no-deps . && $(BIN)/python -m pip install --quiet .
	touch $(STAMP)

# The tests run the checkout's code: an editable install. setuptools then says (as information, not a
# problem) that a folder named like the package could shadow it; that notice is left out.
$(TEST_STAMP): $(STAMP)
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

# Check the sample catalogs strictly, print the disclosure map, and build them into catalogs/site/.
site: $(STAMP)
	$(BIN)/gkcat -C catalogs validate --strict
	$(BIN)/gkcat -C catalogs summary
	$(BIN)/gkcat -C catalogs build

# Lint and types are tests too: ruff and mypy with zero findings, then pytest.
test: $(TEST_STAMP) office browser
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m pytest

# A real spreadsheet program for the test that prints a workbook to PDF (Debian packages).
office:
	@command -v soffice >/dev/null && command -v pdftotext >/dev/null || { \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    libreoffice-calc-nogui fonts-noto-cjk poppler-utils; }

# A real browser and checkers for the site tests: Debian's Chromium with CJK fonts (Playwright drives
# it; never `playwright install`), axe-core from npm, and Java for the Nu HTML checker.
browser:
	@command -v chromium >/dev/null && command -v java >/dev/null && command -v npm >/dev/null \
	  && fc-list :lang=zh | grep -q . || { \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    chromium fonts-noto-cjk default-jre-headless $$(command -v npm >/dev/null || echo npm); }
	@test -f tests/browser/node_modules/axe-core/axe.min.js || npm ci --prefix tests/browser --no-audit --no-fund

bench: $(TEST_STAMP)
	$(BIN)/python bench/bench.py

# Regenerate the JSON Schemas from the models (a test fails when they are stale).
schemas: $(STAMP)
	$(BIN)/python -m gkcat.model.schema schemas

# Regenerate domains.yaml and the city's base catalogs from the reference tables.
samples: $(STAMP)
	$(BIN)/python tools/make_samples.py

clean:
	rm -rf $(VENV) site bench-out test-output tests/browser/node_modules
