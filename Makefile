# Two entry points for a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required (set PYTHON=python3.11)") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,postgres,data]"
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/loyalty --log-level warning demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every check runs even when an earlier one fails, so one run shows everything to fix.
check: $(STAMP)
	@status=0; \
	echo "check: ruff lint";    $(BIN)/python -m ruff check . || status=1; \
	echo "check: ruff format";  $(BIN)/python -m ruff format --check . || status=1; \
	echo "check: mypy";         $(BIN)/python -m mypy || status=1; \
	echo "check: import rules"; $(BIN)/python -c 'from importlinter.cli import lint_imports_command as c; c()' || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) demo.db outbox reports .loyalty-truth
