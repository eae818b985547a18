# The two commands of the README: `make sample` and `make test` (both set up a fresh machine).
# `make lint` is the test's first half (ruff's checks and format, then mypy in strict mode: config
# in pyproject.toml);
# `make upgrade-check` runs the tests against the newest releases pyproject.toml allows.
SHELL := /bin/bash
PIP := .venv/bin/python -m pip install -q --disable-pip-version-check
.PHONY: sample test lint bench upgrade-check

sample:
	bash scripts/setup.sh
	.venv/bin/gyokaku build

test: lint
	.venv/bin/pytest -q

lint:
	bash scripts/setup.sh --test
	.venv/bin/ruff check pipeline tests bench
	.venv/bin/ruff format --check pipeline tests bench
	.venv/bin/mypy

bench:
	bash scripts/setup.sh --test
	$(PIP) -c constraints.txt -e ".[bench]"
	.venv/bin/python bench/run.py

# A scratch venv (deleted afterwards) with the newest releases, no constraints: prints each
# version against constraints.txt's pin (* changed, + not pinned), then runs the test suite.
upgrade-check:
	@set -euo pipefail; \
	scratch="$$(mktemp -d)"; trap 'rm -rf "$$scratch"' EXIT; \
	python3 -m venv "$$scratch/venv"; py="$$scratch/venv/bin/python"; \
	echo "upgrade-check: installing the newest releases into $$scratch/venv"; \
	PIP_CONSTRAINT= "$$py" -m pip install -q --disable-pip-version-check --upgrade pip; \
	PIP_CONSTRAINT= "$$py" -m pip install -q --disable-pip-version-check -e ".[test]"; \
	"$$py" -m pip freeze --exclude-editable | sort -f > "$$scratch/got.txt"; \
	grep -v '^#' constraints.txt | sort -f > "$$scratch/pinned.txt"; \
	echo "upgrade-check: package, pinned (constraints.txt), newest installed:"; \
	awk -F'==' 'NR == FNR { pin[tolower($$1)] = $$2; next } \
	  { n = tolower($$1); old = (n in pin) ? pin[n] : "-"; \
	    printf "%s %-22s %-16s %s\n", (old == "-") ? "+" : (old == $$2) ? " " : "*", $$1, old, $$2 }' \
	  "$$scratch/pinned.txt" "$$scratch/got.txt"; \
	"$$scratch/venv/bin/python" -c 'import sys; print("upgrade-check: Python", sys.version.split()[0])'; \
	"$$py" -m pytest -q -p no:cacheprovider; \
	echo "upgrade-check: the tests pass with these versions (renew constraints.txt to adopt them)"
