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
# Both cores: see conftest.py for how tests are grouped on the two workers.
XDIST ?= -n 2 --dist loadfile --no-loadscope-reorder
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
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# The unit tests and every notebook at the lower bounds, within CI's time: each notebook once, in
# its solutions/ version (notebooks/ differs only in the exercise cells), no browser test and no
# nbgrader round trip (`make test` runs them with the current versions; they execute every
# notebook again). VENV in the environment makes the test that runs `make lab` serve JupyterLab
# from this environment too.
test-lower: install-lower
	VENV=$(LOWER_VENV) COURSE_LOWER_BOUNDS=lower-bounds.txt $(LOWER_VENV)/bin/python -m pytest $(XDIST) tests solutions \
		--deselect tests/test_browser.py \
		--deselect tests/test_grading.py::test_nbgrader_grades_each_exercise_exactly_when_its_check_says_correct $(PYTEST_ARGS)

notebooks: $(STAMP)
	$(BIN)/python -m course_utils.notebooks generate

check-notebooks: $(STAMP)
	$(BIN)/python -m course_utils.notebooks check

refresh: $(STAMP)
	$(BIN)/python -m course_utils.notebooks refresh $(NOTEBOOKS)

datasets: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,data]"
	$(BIN)/python datasets/make_datasets.py all

# The website: Sphinx + MyST-NB (the `site` extra) execute and render the solution notebooks.
# MathJax, RequireJS and the widget manager come from npm tarballs into the site's own files, so
# no page loads anything from a CDN. The build reruns only when one of its inputs changed.
SITE       ?= _site
SITE_NPM   := mathjax@3.2.2 @jupyter-widgets/html-manager@1.0.15 requirejs@2.3.8
SITE_STAMP := $(VENV)/.installed-site
.PHONY: site test-site
SITE_INPUTS := $(shell find solutions course_utils datasets book -type f -not -path '*/__pycache__/*' -not -name '*.pyc') README.md pyproject.toml

$(SITE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,site]"
	touch $(SITE_STAMP)

$(SITE)/npm/.fetched: Makefile
	@command -v npm >/dev/null || { echo "make site needs npm to fetch MathJax and the widget manager (Debian: apt-get install npm)"; exit 1; }
	rm -rf $(SITE)/npm && mkdir -p $(SITE)/npm
	cd $(SITE)/npm && npm pack --silent $(SITE_NPM) >/dev/null
	touch $@

$(SITE)/html/index.html: $(SITE_STAMP) $(SITE)/npm/.fetched $(SITE_INPUTS)
	$(BIN)/python -m book.stage $(SITE)/source --npm $(SITE)/npm
	rm -rf $(SITE)/html $(SITE)/html.partial $(SITE)/jupyter_execute $(SITE)/doctrees
	$(BIN)/python -m sphinx -b html -d $(SITE)/doctrees $(SITE)/source $(SITE)/html.partial
	mv $(SITE)/html.partial $(SITE)/html

site: $(SITE)/html/index.html
	@echo "The site is in $(SITE)/html. Open $(SITE)/html/index.html in a browser, or serve it:"
	@echo "  $(BIN)/python -m http.server --directory $(SITE)/html   (then http://localhost:8000)"

test-site: site
	COURSE_SITE="$(CURDIR)/$(SITE)/html" $(BIN)/python -m pytest tests/test_site.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(LOWER_VENV) .pytest_cache
