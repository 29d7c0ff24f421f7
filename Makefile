# Two set-up commands, from a fresh clone with Python 3.11+:
#   make run    installs the bot and starts it (the console when no platform is configured)
#   make test   installs the bot with its test tools and runs every test (those on PostgreSQL
#               only with TEST_DATABASE_URL set; see the README)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test other-days install install-test demo catalogue readme

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==26.3

install: $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"

run: install
	$(BIN)/partnerbot run

demo: install
	$(BIN)/partnerbot console --demo

test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# The tests that let real time in, again with the system clock on a leap day and on the night
# the clocks go forward in Europe (both at once): none may pass only on the day it was written.
OTHER_DAYS ?= 2028-02-29T12:00 2027-03-27T23:30
other-days: install-test
	$(BIN)/python scripts/on_another_day.py $(OTHER_DAYS) -- $(BIN)/pytest -n auto -q -m wallclock -k "not postgresql"

# Extract every marked sentence from the code into the catalogues (English in full).
catalogue: install-test
	$(BIN)/python scripts/catalogue.py

# Run the console walk-throughs in README.md and docs/*.md and write their output into each page.
readme: install
	$(BIN)/python scripts/walkthroughs.py
