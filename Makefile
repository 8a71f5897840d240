# Two commands do everything on a fresh machine:
#   make book   - create .venv, install pinned dependencies, build output/<slug>.pdf, .epub and -web/
#   make test   - the same environment, then the test suite (real Pandoc, WeasyPrint, EPUBCheck)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: book check test test-fast lint bench kindle system-deps ace clean

book: $(STAMP) system-deps ace
	$(PY) build.py build --verify --format pdf,epub,html,cover,onix,crossref

check: $(STAMP)
	$(PY) build.py check

test: $(STAMP) system-deps ace
	$(PY) -m pytest -q

# the tests that lay out no book: seconds
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

# Calibre's conversion to Kindle (AZW3), reporting any warning; installs calibre if missing
kindle: book
	sh tools/kindle-check.sh

bench: $(STAMP)
	sh bench/setup-peers.sh
	$(PY) bench/benchmark.py

# Java runs EPUBCheck in the tests; WeasyPrint needs Pango. Installed only when missing.
system-deps:
	@sh tools/system-deps.sh

# DAISY Ace (npm, pinned) for the EPUB's accessibility check, in Debian's chromium
ace: system-deps
	@sh tools/ace-setup.sh

# the locked dependencies (requirements.lock: pip-compile --generate-hashes --extra test pyproject.toml),
# then folio itself, editable, with its `folio` command
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13), "Python 3.11 to 3.13 is needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# lint and format check (ruff, from the lock)
lint: $(STAMP)
	$(VENV)/bin/ruff check folio tests bench build.py
	$(VENV)/bin/ruff format --check folio tests bench build.py

clean:
	rm -rf output .pytest_cache
