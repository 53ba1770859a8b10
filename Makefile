# Explaining Deep Learning Models — the two commands are `make lab` and `make test`.
# Each creates .venv and installs the course into it the first time (about 2–3 minutes), then
# only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root unless told (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
PYTEST_ARGS ?=
# The second environment: the course at exactly its lower bounds (lower-bounds.txt).
LOWER_VENV  ?= .venv-lower
LOWER_BIN   := $(LOWER_VENV)/bin
LOWER_STAMP := $(LOWER_VENV)/.installed

.PHONY: help install lab test install-lower test-lower notebooks check-notebooks refresh datasets clean

help:
	@echo "make lab        open the course in JupyterLab (installs into $(VENV) first)"
	@echo "make test       run every test: unit tests, notebooks under nbval, packaging"
	@echo "make test-lower unit tests and solutions/ notebooks at the lower bounds, in $(LOWER_VENV)"
	@echo "make notebooks  regenerate notebooks/ from solutions/ (and strip outputs)"
	@echo "make refresh    re-execute solutions/ and update the expected outputs, then regenerate"
	@echo "make datasets   regenerate the bundled data files and their checksums"

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# pip installs the course with lower-bounds.txt as constraints: every dependency named in
# pyproject.toml at exactly its lower bound (their own dependencies at the newest they accept).
$(LOWER_STAMP): pyproject.toml lower-bounds.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(LOWER_BIN)/python || $(PYTHON) -m venv $(LOWER_VENV)
	$(LOWER_BIN)/python -m pip install --quiet --upgrade pip
	$(LOWER_BIN)/python -m pip install --quiet -e ".[dev]" -c lower-bounds.txt
	touch $(LOWER_STAMP)

install-lower: $(LOWER_STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The unit tests and every notebook at the lower bounds, within CI's time: each notebook once, in
# its solutions/ version (notebooks/ differs only in the exercise cells), and no browser test
# (`make test` runs both with the current versions).
test-lower: $(LOWER_STAMP)
	COURSE_LOWER_BOUNDS=lower-bounds.txt $(LOWER_BIN)/python -m pytest tests solutions --deselect tests/test_browser.py $(PYTEST_ARGS)

notebooks: $(STAMP)
	$(BIN)/python -m course_utils.notebooks generate

check-notebooks: $(STAMP)
	$(BIN)/python -m course_utils.notebooks check

refresh: $(STAMP)
	$(BIN)/python -m course_utils.notebooks refresh $(NOTEBOOKS)

datasets: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,data]"
	$(BIN)/python datasets/make_datasets.py all

clean:
	rm -rf $(VENV) $(LOWER_VENV) .pytest_cache
