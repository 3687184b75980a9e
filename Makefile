# The README's commands. Every target that runs code depends on setup, which is idempotent.
PY := .venv/bin/python
# Stamps are keyed on the content of what they install, not on file times: a fresh checkout, or another
# worktree sharing .venv and node_modules through symlinks, installs nothing unless a pin changed.
REQ_KEY := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
LOCK_KEY := $(shell cat package.json package-lock.json | sha256sum | cut -c1-12)
VENV_STAMP := .venv/.installed-$(REQ_KEY)
NODE_STAMP := node_modules/.installed-$(LOCK_KEY)
# The venv's own packaging tools, upgraded once per version pair (the stamp names both, so a new pin reruns it).
PIP_VERSION := 26.3
SETUPTOOLS_VERSION := 84.2.1
TOOLS_STAMP := .venv/.tools-pip$(PIP_VERSION)-setuptools$(SETUPTOOLS_VERSION)

.PHONY: setup demo test lint bench up clean browser audit

setup: $(VENV_STAMP) $(NODE_STAMP) browser .venv-checkov

# checkov (Bicep checks, tests/infra) pins its own dependency tree, so it lives in its own venv.
.venv-checkov: .venv-checkov/bin/checkov

# Keyed on the executable, so a half-finished install is retried.
.venv-checkov/bin/checkov:
	python3 -m venv .venv-checkov && .venv-checkov/bin/pip install -q --disable-pip-version-check checkov==3.3.30

# Never deletes or recreates an existing venv: creates one only where there is none, then upgrades in place.
$(TOOLS_STAMP):
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check pip==$(PIP_VERSION) setuptools==$(SETUPTOOLS_VERSION)
	touch $@

# Order-only on the tools: new tools do not reinstall the requirements, but come first in a fresh venv.
$(VENV_STAMP): | $(TOOLS_STAMP)
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# npm ci empties node_modules before installing, so it runs only when node_modules does not already hold
# exactly what package-lock.json pins (local/lockcheck.py compares npm's record of what it installed).
$(NODE_STAMP):
	python3 -m local.lockcheck || npm ci --no-audit --no-fund --loglevel=error
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

# Two workers (each its own stack); a module's tests stay on one worker, with its module-scoped fixtures.
test: setup
	$(PY) -m pytest -n 2 --dist loadfile

lint: setup
	.venv/bin/ruff check .
	.venv/bin/mypy
	$(PY) tools/check_architecture.py

# pip-audit (requirements) and npm audit (package-lock.json); both need their advisory service online. Exits 1
# only on a found advisory; what could not be checked is printed as NOT AUDITED (docs/local.md).
audit: $(VENV_STAMP)
	$(PY) -m local.audit

bench: setup
	$(PY) -m local bench

clean:
	rm -rf .venv .venv-checkov node_modules out .state .mypy_cache .ruff_cache .pytest_cache
