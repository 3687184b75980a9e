# The README's commands. Every target that runs code depends on setup, which is idempotent.
PY := .venv/bin/python
VENV_STAMP := .venv/.installed
NODE_STAMP := node_modules/.installed

.PHONY: setup demo test lint bench up clean browser

setup: $(VENV_STAMP) $(NODE_STAMP) browser .venv-checkov

# checkov (Bicep checks, tests/infra) pins its own dependency tree, so it lives in its own venv.
.venv-checkov: .venv-checkov/bin/checkov

# Keyed on the executable, so a half-finished install is retried.
.venv-checkov/bin/checkov:
	python3 -m venv .venv-checkov && .venv-checkov/bin/pip install -q --disable-pip-version-check checkov==3.3.30

$(VENV_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium drives the browser tests; Playwright's own browser download cannot work offline.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || { echo "could not install chromium (need root and apt)"; exit 1; }; }

demo: setup
	$(PY) -m local demo --out out/demo

up: setup
	$(PY) -m local up --state-dir .state

test: setup
	$(PY) -m pytest

lint: setup
	.venv/bin/ruff check .
	.venv/bin/mypy
	$(PY) tools/check_architecture.py

bench: setup
	$(PY) -m local bench

clean:
	rm -rf .venv .venv-checkov node_modules out .state .mypy_cache .ruff_cache .pytest_cache
