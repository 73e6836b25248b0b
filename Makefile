# One entry point for people and CI. `make run`, `make test`, `make demo` set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := locales
PO := $(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
CODE := bot handlers matching services db
# Type-checked: the code, and tests and benchmarks under a looser section (see pyproject.toml).
TYPED := $(CODE) tests bench

.PHONY: setup run test test-postgres test-package demo lint typecheck check locales extract i18n bench clean

setup: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# aiogram's I18n refuses to start without compiled catalogs.
$(LOCALES)/%/LC_MESSAGES/messages.mo: $(LOCALES)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d $(LOCALES) -D messages -l $* --statistics

run: setup
	$(BIN)/lotse run

demo: setup
	$(BIN)/lotse demo

test: setup lint typecheck
	$(BIN)/pytest -q

# The database and dispatcher tests again on a throwaway PostgreSQL server (installed if missing).
test-postgres: setup
	.ci/with-postgres $(BIN)/pytest -q tests/db tests/bot

# The wheel is complete: built, installed (not editable) in a fresh virtualenv, and the demo
# played from another folder (.ci/package).
test-package: setup
	VENV=$(VENV) .ci/package

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy $(TYPED)

# Refresh the template and merge it into every catalog (then translate what is new).
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k __ -k N_ -k ngettext:1,2 -k lazy_gettext \
		--no-location --sort-output --project=lotse --copyright-holder="Lotse" \
		-o $(LOCALES)/messages.pot $(CODE)
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --no-fuzzy-matching --ignore-obsolete

locales: $(MO)

# The whole round after changing text in the code: extract, update every catalog, compile them
# all (docs/TRANSLATING.md). The same steps one by one: `lotse i18n extract|update|compile`.
i18n: extract
	$(BIN)/pybabel compile -d $(LOCALES) -D messages --statistics

# Each prints one JSON line; together about six minutes on two cores.
bench: setup
	$(BIN)/python -m bench.candidates
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.floor
	$(BIN)/python -m bench.burst
	$(BIN)/python -m bench.interference
	$(BIN)/python -m bench.langid
	$(BIN)/python -m bench.stats

clean:
	rm -rf $(VENV) $(LOCALES)/*/LC_MESSAGES/*.mo .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
