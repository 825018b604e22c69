# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
RUN    ?= runs/demo

.PHONY: demo test install bench clean

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

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) runs .pytest_cache
