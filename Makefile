# The two commands the README promises: `make test` and `make demo`.
# Each one does its whole set-up on a fresh machine (virtualenv, packages, build).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.deps-ok

.PHONY: build test test-rust test-py demo bench wheel fmt clean fuzz memcheck

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Builds the extension as the wheel is built (Cargo.toml [profile.wheel]) and
# installs it into the virtualenv.
build: $(STAMP)
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/maturin develop --profile wheel --quiet

test-rust:
	cargo test --release -p rtensor-core

test-py: build
	$(PY) -m pytest -q -p no:cacheprovider tests

test: build test-rust wheel test-py

demo: build
	$(PY) examples/tour.py

bench: build
	$(PY) benches/run.py
	$(PY) benches/autograd.py

# The abi3 wheel users install; tests/test_wheel.py installs it into a fresh venv.
wheel: $(STAMP)
	rm -f dist/rtensor-*.whl
	$(VENV)/bin/maturin build --profile wheel --quiet --out dist

# Aliasing state machine (tests/test_fuzz_state.py) for FUZZ_SECONDS; prints steps and failures.
FUZZ_SECONDS ?= 60
fuzz: build
	$(PY) tools/fuzz.py --seconds $(FUZZ_SECONDS)

# tools/memcheck_script.py under valgrind memcheck; fails on errors/definite leaks in rtensor's code.
memcheck: build
	$(PY) tools/memcheck.py

fmt:
	cargo fmt --all

clean:
	rm -rf target $(VENV) dist
