# The front door. `make reports` builds every study report on the bundled sample;
# `make test` runs the linters and the whole test suite. Both set up .venv first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := data/sample/responses.csv

.PHONY: reports test test-fast lab cx sample bench clean-reports help
.DEFAULT_GOAL := help

help:
	@echo "make reports   build every study report into reports/ (sets up .venv)"
	@echo "make test      ruff + pytest: unit, property, notebook and end-to-end tests"
	@echo "make test-fast the same without the slow tests (kernels, reports, simulations): the inner loop"
	@echo "make lab       JupyterLab on notebooks/ with the project kernel (outputs stripped on commit)"
	@echo "make cx ARGS='describe segment_study'   the cx command (also .venv/bin/cx)"
	@echo "make bench     performance benchmarks (not part of the tests)"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("cxlib needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

# One stamp per extra, rebuilt when the dependency declarations change.
$(VENV)/.runtime: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name cxlib --display-name "Python (cxlib)" >/dev/null
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(VENV)/.bench: $(VENV)/.dev
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	touch $@

$(VENV)/.lab: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[lab]'
	$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements"
	touch $@

$(SAMPLE): | $(VENV)/.runtime
	$(BIN)/cx sample data/sample

sample: $(SAMPLE)

reports: $(VENV)/.runtime $(SAMPLE)
	$(BIN)/cx run-all

test: $(VENV)/.dev $(SAMPLE)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

test-fast: $(VENV)/.dev $(SAMPLE)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow"

# Outputs never reach git: nbstripout strips them on commit (a filter in this clone's .git/config), and the
# Python version JupyterLab writes into a notebook's metadata with them; Lab saves a tracked study notebook through
# the same filter, so one only opened and run leaves git status clean (cxlib/reports/lab.py).
# JupyterLab's news pop-up is off (its announcements plugin, disabled in this environment only).
# JupyterLab refuses to run as root unless told; containers often run as root.
lab: $(VENV)/.lab $(SAMPLE)
	if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install && \
		git config filter.nbstripout.extrakeys "metadata.language_info"; fi
	$(BIN)/jupyter lab notebooks/ --ContentsManager.pre_save_hook=cxlib.reports.lab.save_as_committed $(if $(filter 0,$(shell id -u)),--allow-root)

cx: $(VENV)/.runtime $(SAMPLE)
	$(BIN)/cx $(ARGS)

bench: $(VENV)/.bench $(SAMPLE)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean-reports:
	find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
