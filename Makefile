# event-etl: `make run` and `make test` work on a fresh machine with python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= data

EXAMPLE_QUERY := select actor_canonical as actor, actor_country as ac, predicate_lemma as did, \
  target_canonical as target, target_country as tc, place_name as place, place_country as pc, \
  date_value as date, modality from events e join documents d using (doc_id) \
  where d.published = date '2021-03-18' and (actor_country is not null or target_country is not null) \
  order by e.sentence_start_char, e.predicate_start_char

.PHONY: install run test lint bench clean

# pip's output goes to .venv/install.log and is shown only if the install fails.
$(STAMP): pyproject.toml
	@echo "installing event-etl and its dependencies into $(VENV) (log: $(VENV)/install.log)"
	$(PYTHON) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -e '.[dev]'; } > $(VENV)/install.log 2>&1 \
	   || { tail -n 40 $(VENV)/install.log; exit 1; }
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/event-etl run seeds --out $(OUT) --report
	@echo
	@echo "Example query: events of the seed article (published 2021-03-18)"
	$(BIN)/event-etl query --out $(OUT) "$(EXAMPLE_QUERY)"
	@echo
	@echo "Report (open it in a browser; it needs no network): $(abspath $(OUT))/report.html"

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Needs ../shared/corpus/newswire.jsonl (or BENCH_ARGS="--corpus FILE"); writes BENCHMARKS.md.
bench: install
	$(BIN)/python bench/pipeline.py $(BENCH_ARGS)

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache .mypy_cache
