# Zhengqi KG — the two entry points the README opens with.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
OUT    ?= out

.PHONY: build test setup setup-test setup-train model clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-train: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[train]'
	touch $@

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test
setup-train: $(VENV)/.installed-train

## model: retrain the entity tagger in kg/models/ from ../shared/data (DATA=...) and print its scores
DATA ?= ../shared/data
model: setup-train
	$(PY) scripts/train_ner.py --data $(DATA)

## build: set up, then build the graph and map from seeds/ into out/
build: setup
	$(PY) -m kg build seeds -o $(OUT)

## test: set up, then run all the tests
test: setup-test
	$(PY) -m pytest -q

clean:
	rm -rf $(OUT) .pytest_cache
