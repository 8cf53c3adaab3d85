# Stratus: `make run` opens the designer, `make test` runs every test, then checks the wheel.
# Each does all of its set-up: the virtual environment, the packages, Qt's system libraries.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
EXAMPLE ?= assets/examples/orders_api.yaml
# Two cores here: run test files in two processes.
TEST_WORKERS ?= 2

.PHONY: run test test-fast test-wheel bench clean system-libs system-libs-display

run: system-libs-display $(VENV)/.installed
	$(PY) main.py $(EXAMPLE)

# A worker that crashes ends the run at once: pytest-xdist 3.8 can hang for ever when it
# replaces a crashed worker under --dist loadfile (pytest-xdist issues 784 and 1378).
test: system-libs $(VENV)/.installed $(CHECKOV_VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --max-worker-restart 0 $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-wheel

# The product as a user installs it: the wheel in a fresh virtual environment outside the
# source tree simulates an example at a non-zero cost and finds the designer's icons.
test-wheel: system-libs
	@PYTHON=$(PYTHON) scripts/test-wheel.sh

# Without the slow statistical and integration tests: for the edit-test loop.
test-fast: system-libs $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n $(TEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

# Speed and memory figures for the README (several minutes; run on an idle machine).
bench: $(VENV)/.installed
	$(PY) benchmarks/bench_simulation.py --full
	$(PY) benchmarks/bench_export.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_canvas.py
	$(PY) benchmarks/bench_sweep.py
	$(PY) benchmarks/deploy_sandbox.py

system-libs:
	@PYTHON=$(PYTHON) scripts/ensure-system-libs.sh

system-libs-display:
	@PYTHON=$(PYTHON) scripts/ensure-system-libs.sh --display

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# checkov pins packages that clash with ours: it lives in its own environment and the
# exporter tests run it as a subprocess.
$(CHECKOV_VENV)/.installed:
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov
	touch $@

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache
