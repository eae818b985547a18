# The two commands of the README: `make sample` and `make test` (both set up a fresh machine).
.PHONY: sample test bench lint

sample:
	bash scripts/setup.sh
	.venv/bin/gyokaku build

test:
	bash scripts/setup.sh --test
	.venv/bin/ruff check pipeline tests bench
	.venv/bin/pytest -q

bench:
	bash scripts/setup.sh --test
	.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[bench]"
	.venv/bin/python bench/run.py
