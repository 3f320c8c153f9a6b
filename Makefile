# Every target sets up what it needs: a newcomer runs `make run` or `make test` on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEMO    := .demo

.PHONY: run test bench venv clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## make run: build a throwaway encrypted demo database and start the app on it
run: $(STAMP)
	$(BIN)/python -m tui.demo --dir $(DEMO)

## make test: the whole suite (a real SQLCipher file, real processes)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

## make bench: measured paths, each next to its baseline from the same run
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
