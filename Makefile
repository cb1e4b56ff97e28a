# Outcry. `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run

HOST ?= 127.0.0.1
PORT ?= 8000
# Web server processes and threads each (empty: one process per core, 4 threads). README: Running at scale.
WEB_WORKERS ?=
WEB_THREADS ?=
VENV := .venv
VPY := $(VENV)/bin/python

# Python 3.12+: $PYTHON, else the first python3.x on PATH that really runs and is new enough
# (pyenv shims exist for versions that are not selected and fail when called), else pyenv's own.
define find_python
for c in "$$PYTHON" python3.14 python3.13 python3.12 python3 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
  [ -n "$$c" ] || continue; \
  if "$$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then command -v "$$c"; exit 0; fi; \
done; exit 1
endef

$(VENV)/.installed: requirements.lock
	@py=$$($(find_python)) || { echo "Outcry needs Python 3.12 or newer: install it, or set PYTHON=/path/to/python3.12" >&2; exit 1; }; \
	  [ -x $(VPY) ] || { echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); }
	$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

# Translations: each catalogue compiles from its .po with GNU gettext's msgfmt (Debian: gettext).
# Without msgfmt the pages still work, in English; `make test` then fails on the translation tests.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard outcry/locale/*/LC_MESSAGES/django.po))
outcry/locale/%.mo: outcry/locale/%.po
	@if command -v msgfmt >/dev/null; then msgfmt --check -o $@ $<; \
	  else echo "msgfmt not found: install gettext (apt-get install gettext) to compile $<" >&2; fi

.PHONY: install run demo serve worker inbound test bench migrate messages makemessages screenshots lint
install: $(VENV)/.installed $(MO_FILES)

migrate: install
	$(VPY) manage.py migrate --noinput -v0

demo: migrate
	$(VPY) manage.py load_demo

# Share links, receipts, embed snippets and previews name the address this server answers on, unless
# SITE_URL says otherwise (a server listening on every interface is reached as 127.0.0.1).
SITE_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
run: export SITE_URL ?= http://$(SITE_HOST):$(PORT)
run: demo
	$(VPY) manage.py run_dev --host $(HOST) --port $(PORT)

serve: install
	$(VPY) manage.py collectstatic --noinput -v0
	$(VPY) manage.py migrate --noinput -v0
	WEB_WORKERS=$(WEB_WORKERS) WEB_THREADS=$(WEB_THREADS) $(VPY) -m outcry.server --host $(HOST) --port $(PORT)

worker: install
	$(VPY) manage.py worker

# Replies and bounces by SMTP on INBOUND_HOST:INBOUND_PORT (INBOUND_LMTP=1 for LMTP). README: Targets and replies.
inbound: install
	$(VPY) manage.py inbound

test: install
	$(VPY) -m pytest $(PYTEST_ARGS)

# ruff, mypy (strict on lib/, jobs/ and services; settings in pyproject.toml), the import layers
# (.importlinter) and missing migrations. .ci/run runs it before the tests; run it before landing.
lint: install
	$(VPY) -m ruff check outcry tests bench manage.py
	$(VPY) -m mypy
	$(VENV)/bin/lint-imports --no-cache
	$(VPY) manage.py makemigrations --check --dry-run

# The phone screenshots in docs/screenshots/ that the README shows, taken by the browser tests.
screenshots: install
	OUTCRY_DOCS_SCREENSHOTS=1 $(VPY) -m pytest -q tests/browser -k fit_a_phone

bench: install
	$(VPY) bench/run.py

messages: $(MO_FILES)

# Collect new strings into every catalogue (then translate the empty msgstr entries and `make messages`).
makemessages: $(VENV)/.installed
	$(VPY) manage.py makemessages $(foreach l,$(notdir $(wildcard outcry/locale/*)),-l $(l)) \
	  --ignore=.venv --ignore=tests --ignore=data --ignore=staticfiles --ignore=bench --no-location --no-wrap -v0
