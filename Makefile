# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CASES ?= 40
SEED ?= 7
#: The browser tests drive Debian's Chromium through Playwright; Playwright's own browser
#: download is never used (no `playwright install`).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then echo sudo; fi)

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed | $(CHROMIUM)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/recoup demo --cases $(CASES) --seed $(SEED)

# Installed only when missing; `apt-get update` only if the first attempt fails.
$(CHROMIUM):
	@echo "make: $(CHROMIUM) is missing: installing Debian's 'chromium' package for the browser tests" >&2
	@DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium \
	  || { $(SUDO) apt-get update \
	       && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium; } \
	  || { echo "make: could not install the Debian package 'chromium' ($(CHROMIUM));" \
	            "install it (apt-get install chromium) and run make test again" >&2; exit 1; }
	@test -x $(CHROMIUM) || { echo "make: package 'chromium' installed but $(CHROMIUM) is missing" >&2; exit 1; }

test: $(VENV)/.installed-test | $(CHROMIUM)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_webhooks.py
	$(BIN)/python bench/bench_workflow.py
	$(BIN)/python bench/bench_agent.py
	$(BIN)/python bench/bench_console.py

clean:
	rm -rf $(VENV) .recoup build *.egg-info
