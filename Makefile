# Every target sets up what it needs: a newcomer runs `make run` or `make test` on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEMO    := .demo

.PHONY: run test lint bench soak venv clean system-deps install

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## make run: build a throwaway encrypted demo database and start the app on it
run: $(STAMP)
	$(BIN)/python -m tui.demo --dir $(DEMO)

# tmux drives the real TUI in tests; sshd and ssh run the end-to-end tests; chromium and its driver
# fill in the web form in a real headless browser.
# Installed only when missing, and only when we may (root, as in CI).
SYSTEM_TOOLS := tmux:tmux /usr/sbin/sshd:openssh-server ssh:openssh-client chromium:chromium \
	chromedriver:chromium-driver
# WeasyPrint (`minicrm docs --format pdf`) loads Pango at run time.
SYSTEM_LIBS := libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0
system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do tool=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$tool >/dev/null 2>&1 || [ -x "$$tool" ] || missing="$$missing $$pkg"; done; \
	for pair in $(SYSTEM_LIBS); do lib=$${pair%%:*}; pkg=$${pair##*:}; \
	  ldconfig -p 2>/dev/null | grep -q "$$lib" || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing:$$missing (tests that need them will say so)"; fi; \
	fi

## make test: lint first, then the whole suite (a real SQLCipher file, real processes)
test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -n 2 -q

## make soak: the long profiles of the suites in tests/suites (1,000 SIGKILLs, 20 processes for
## 10 minutes, thousands of fuzz examples); MINICRM_SUITE_PROFILE switches every suite's figures
## (and the coverage-guided atheris run over the importers: soak_fuzz_atheris.py, named so that
## `make test` does not collect it; it needs the [soak] extra)
SOAK_STAMP := $(VENV)/.soak-installed
$(SOAK_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,soak]'
	touch $(SOAK_STAMP)

soak: $(SOAK_STAMP) system-deps
	MINICRM_SUITE_PROFILE=soak $(BIN)/python -m pytest tests/suites -n 0 -q -p no:cacheprovider \
	  -o python_files='test_*.py soak_*.py'

## make lint: ruff on the whole tree, mypy on the typed packages (tui/ is not typed yet: optional in
## issue 10); both always run, so one look shows every finding
TYPED_DIRS := store console
lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/mypy $(TYPED_DIRS) || status=1; \
	exit $$status

## make bench: measured paths, each next to its baseline from the same run
bench: $(STAMP)
	$(BIN)/python -m bench

## make install (as root): MiniCRM in its own venv under PREFIX, built from this tree with the
## system Python (the service account must be able to run it, and sshd wants every folder above
## the program owned by root); then `$(PREFIX)/bin/minicrm server install` sets up the server.
PREFIX     ?= /opt/minicrm
SYSTEM_PY  ?= /usr/bin/python3
install:
	$(SYSTEM_PY) -m venv $(PREFIX)
	$(PREFIX)/bin/pip install --quiet --upgrade .
	@echo "installed $(PREFIX)/bin/minicrm; next: $(PREFIX)/bin/minicrm server install"

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO).lock .pytest_cache .mypy_cache .ruff_cache
