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
# pip constraints for the install (`make install-lower` passes lower-bounds.txt).
CONSTRAINTS ?=
# The second environment: the course at exactly its lower bounds.
LOWER_VENV ?= .venv-lower

.PHONY: help install lab test install-lower test-lower notebooks check-notebooks refresh datasets clean

help:
	@echo "make lab        open the course in JupyterLab (installs into $(VENV) first)"
	@echo "make test       run every test: unit tests, notebooks under nbval, packaging"
	@echo "make test-lower unit tests and solutions/ notebooks at the lower bounds, in $(LOWER_VENV)"
	@echo "make notebooks  regenerate notebooks/ from solutions/ (and strip outputs)"
	@echo "make refresh    re-execute solutions/ and update the expected outputs, then regenerate"
	@echo "make datasets   regenerate the bundled data files and their checksums"

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" $(if $(CONSTRAINTS),-c $(CONSTRAINTS))
	touch $(STAMP)

install: $(STAMP)

# The course with lower-bounds.txt as pip constraints: every dependency named in pyproject.toml
# at exactly its lower bound (their own dependencies at the newest they accept).
install-lower:
	$(MAKE) install VENV=$(LOWER_VENV) CONSTRAINTS=lower-bounds.txt

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The unit tests and every notebook at the lower bounds, within CI's time: each notebook once, in
# its solutions/ version (notebooks/ differs only in the exercise cells), and no browser test
# (`make test` runs both with the current versions). VENV in the environment makes the test that
# runs `make lab` serve JupyterLab from this environment too.
test-lower: install-lower
	VENV=$(LOWER_VENV) COURSE_LOWER_BOUNDS=lower-bounds.txt $(LOWER_VENV)/bin/python -m pytest tests solutions --deselect tests/test_browser.py $(PYTEST_ARGS)

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
