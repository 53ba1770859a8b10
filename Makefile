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

.PHONY: help install lab test notebooks check-notebooks refresh datasets clean

help:
	@echo "make lab        open the course in JupyterLab (installs into $(VENV) first)"
	@echo "make test       run every test: unit tests, notebooks under nbval, packaging"
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

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
	rm -rf $(VENV) .pytest_cache
