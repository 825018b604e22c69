# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# hashlib rather than sha1sum, which macOS lacks: a changed pyproject.toml installs again there too
STAMP  := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib; print(hashlib.sha1(open('pyproject.toml', 'rb').read()).hexdigest()[:12])")
RUN    ?= runs/demo

.PHONY: demo test test-tflite-runtime test-floors install bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[train,test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Train on the built-in SYNTHETIC set, convert, classify held-out images on the edge runtime.
demo: $(STAMP)
	$(BIN)/cxr-train --data synthetic --out $(RUN) --epochs 20
	$(BIN)/cxr-convert $(RUN)
	$(BIN)/python -c "import json; s = json.load(open('$(RUN)/split.json')); print('\n'.join(s['data_dir'] + '/' + i['path'] for i in s['splits']['test'][::4]))" \
	  | $(BIN)/edge-classify - --model $(RUN)/model_int8.tflite
	@echo "report: $(RUN)/report.md (the model was trained on SYNTHETIC images: a pipeline demo, not a diagnosis)"

# The suite in two worker processes (pytest-xdist: 18 min instead of 27 on 2 cores; tests/conftest.py
# builds the shared tiny models once), then the device-runtime check: every mode's .tflite (written by the first run) is
# loaded again in a Python 3.11 venv with tflite-runtime 2.14 and numpy<2, as on 32-bit Pi OS.
MODELS := build/runtime-models
TFLITE_VENV := .venv-tflite-runtime
PY311 := $(shell command -v python3.11 2>/dev/null)

test: $(STAMP)
	CXR_EDGE_MODELS_OUT=$(MODELS) $(BIN)/python -m pytest -q -n 2
	$(MAKE) --no-print-directory test-tflite-runtime
	$(MAKE) --no-print-directory test-floors

test-tflite-runtime:
ifeq ($(PY311),)
	@echo "SKIPPED tflite-runtime 2.14 check: no python3.11 on this machine"
else
	test -x $(TFLITE_VENV)/bin/python || $(PY311) -m venv $(TFLITE_VENV)
	$(TFLITE_VENV)/bin/python -m pip install -q 'tflite-runtime==2.14.*' 'numpy<2' 'pillow>=10.1' 'typer>=0.26,<0.29' pytest  # as pyproject.toml asks on a Pi
	$(TFLITE_VENV)/bin/python -m pip install -q --no-deps -e .
	CXR_EDGE_RUNTIME=tflite_runtime CXR_EDGE_MODELS=$(MODELS) $(TFLITE_VENV)/bin/python -m pytest -q -p no:cacheprovider \
	  tests/test_runtime_compat.py tests/test_preprocess.py tests/test_watch.py
endif

# The same on the oldest releases pyproject.toml allows, which pip keeps where a Pi has them (the lane above gets the
# newest): numpy 1.23.2 (the first with Python 3.11 wheels, and tflite-runtime 2.14's own floor), Pillow 10.1,
# typer 0.26, pydicom 3.0.1 (test_dicom.py reads DICOM films with it).
FLOORS_VENV := .venv-floors
FLOORS := 'tflite-runtime==2.14.*' 'numpy==1.23.2' 'pillow==10.1.0' 'typer==0.26.0' 'pydicom==3.0.1'

test-floors:
ifeq ($(PY311),)
	@echo "SKIPPED floors check: no python3.11 on this machine"
else
	test -x $(FLOORS_VENV)/bin/python || $(PY311) -m venv $(FLOORS_VENV)
	$(FLOORS_VENV)/bin/python -m pip install -q $(FLOORS) pytest
	$(FLOORS_VENV)/bin/python -m pip install -q --no-deps -e .
	CXR_EDGE_RUNTIME=tflite_runtime CXR_EDGE_MODELS=$(MODELS) $(FLOORS_VENV)/bin/python -m pytest -q -p no:cacheprovider \
	  tests/test_runtime_compat.py tests/test_preprocess.py tests/test_watch.py tests/test_dicom.py \
	  tests/test_dependency_floors.py
endif

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(TFLITE_VENV) $(FLOORS_VENV) runs build .pytest_cache
