# Sésame — every set-up step lives here, so that `make run` and `make test` work
# on a fresh machine. Env A (.venv/rasa): the Rasa server. Env B (.venv/actions):
# the action server, bot/ and the test tools. Both use CPython 3.10 from pyenv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON310 ?= $(shell ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.10.*/bin/python 2>/dev/null | sort -V | tail -n 1 || true)
ifeq ($(PYTHON310),)
PYTHON310 := $(shell command -v python3.10 2>/dev/null)
endif
RASA_ENV := .venv/rasa
ACTIONS_ENV := .venv/actions
RASA := RASA_TELEMETRY_ENABLED=false PYTHONPATH=$(CURDIR) $(RASA_ENV)/bin/rasa
PY_A := RASA_TELEMETRY_ENABLED=false PYTHONPATH=$(CURDIR) $(RASA_ENV)/bin/python
PY_B := PYTHONPATH=$(CURDIR) $(ACTIONS_ENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

MODEL := models/sesame.tar.gz
# Debian's Chromium, driven by Playwright for the browser test (no browser is downloaded).
CHROMIUM := /usr/bin/chromium
# Debian's HAProxy, the balancer of production mode (make run-prod, its tests, the bench).
HAPROXY := /usr/sbin/haproxy
# Everything Rasa trains from: the model is rebuilt when any of them changes. The
# domain is a directory (domain/, responses split by topic), so is the data (data/).
DOMAIN := domain
# The directories too, so that deleting a file also retrains.
TRAINING_FILES := config.yml $(wildcard $(DOMAIN)/*.yml $(DOMAIN)/*/*.yml data/*.yml data/*/*.yml) \
                  $(DOMAIN) data $(wildcard $(DOMAIN)/*/ data/*/)

.PHONY: help venvs venv-rasa venv-actions model run test lint typecheck unit unit-rasa validate \
        evaluation story-test nlu-eval nlu-robust nlu-sealed nlu-variants browser-test e2e-test bench bench-handoff bench-lock clean \
        check-data report run-prod replica-test

help:
	@echo "make run   — installe, entraîne si besoin et lance Sésame"
	@echo "make test  — tout ce que la CI vérifie"
	@echo "make run-prod — le mode production (copies derrière HAProxy, PostgreSQL, Redis)"
	@echo "make bench — mesures de vitesse (mode production sous charge, entraînement, taille)"

# --- environments -----------------------------------------------------------------

$(RASA_ENV)/.installed: requirements/rasa.lock
	@test -n "$(PYTHON310)" || { echo "CPython 3.10 introuvable (pyenv install 3.10.13)"; exit 1; }
	rm -rf $(RASA_ENV) && $(PYTHON310) -m venv $(RASA_ENV)
	$(RASA_ENV)/bin/python -m pip install -q --no-deps -r requirements/rasa.lock
	$(RASA_ENV)/bin/python -m pip check
	touch $@

$(ACTIONS_ENV)/.installed: requirements/actions.lock
	@test -n "$(PYTHON310)" || { echo "CPython 3.10 introuvable (pyenv install 3.10.13)"; exit 1; }
	rm -rf $(ACTIONS_ENV) && $(PYTHON310) -m venv $(ACTIONS_ENV)
	$(ACTIONS_ENV)/bin/python -m pip install -q --no-deps -r requirements/actions.lock
	$(ACTIONS_ENV)/bin/python -m pip check
	touch $@

venv-rasa: $(RASA_ENV)/.installed
venv-actions: $(ACTIONS_ENV)/.installed
venvs: venv-rasa venv-actions

# --- model: retrained only when the data or the configuration change ---------------

# Once built, the model is evaluated (bot/training/evaluation.py: held-out phrases, their
# badly typed copies, test stories; models/evaluations/): the baseline the first report and
# the workbench's first promotion compare with, and what make test's three stages read.
$(MODEL): $(TRAINING_FILES) $(RASA_ENV)/.installed | $(ACTIONS_ENV)/.installed
	mkdir -p models
	$(RASA) train --domain $(DOMAIN) --fixed-model-name sesame --out models --quiet
	touch $@
	$(PY_B) -m bot.training.evaluation --modele $@ || echo "Évaluation du modèle impossible : elle sera refaite par make test ou l'atelier."

model: $(MODEL)

# data/nlu/variantes.yml, the training examples typed badly (bot/training/variants.py):
# committed, so that the model is built from the repository alone; re-run after changing
# data/nlu/ (tests/test_nlu_holdout.py fails until then).
nlu-variants: venv-actions
	$(PY_B) -m bot.training.variants

# --- run ---------------------------------------------------------------------------

# The processes are listed in the Procfile; bot/launcher.py (./sesame run) starts them.
run: venvs $(MODEL)
	@$(PY_B) -m bot run

# Production mode on this machine (bot/production/): REPLICAS (2) Rasa servers, action
# servers and web workers behind Debian's HAProxy, with the PostgreSQL and Redis running
# here; settings in .env.production (created from .env.production.example on first run).
run-prod: venvs $(MODEL) $(HAPROXY)
	@$(PY_B) -m bot.production

$(HAPROXY):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy

# --- test --------------------------------------------------------------------------

# Style, then the import contracts of .importlinter (what each package may import).
lint: venv-actions
	$(ACTIONS_ENV)/bin/ruff check bot actions rasa_addons scripts tests
	$(ACTIONS_ENV)/bin/ruff format --check bot actions rasa_addons scripts tests
	PYTHONPATH=$(CURDIR) $(ACTIONS_ENV)/bin/lint-imports --no-cache

typecheck: venv-actions venv-rasa
	$(PY_B) -m mypy bot actions scripts tests
	$(PY_B) -m mypy --python-executable $(RASA_ENV)/bin/python rasa_addons

# On TEST_WORKERS processes (pytest-xdist; "auto": one per core; an idle worker takes
# tests queued on a busy one), each with its own throw-away PostgreSQL database
# (tests/support/db.py), temporary directories and free ports.
TEST_WORKERS ?= auto

# venv-rasa too: the workbench's writers are checked with rasa data validate and rasa train.
unit: venv-actions venv-rasa $(HAPROXY)
	$(PY_B) -m pytest -q -n $(TEST_WORKERS) --dist worksteal tests \
	  --ignore=tests/browser --ignore=tests/e2e --ignore=tests/replicas

# What runs inside the Rasa server (rasa_addons/), tested in env A.
unit-rasa: venv-rasa
	$(PY_A) -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning rasa_addons/tests

validate: venv-rasa
	$(RASA) data validate --domain $(DOMAIN) --fail-on-warnings --quiet

# The trainers' check (bot/training/check.py): rasa data validate (env A), then a lint of
# the data in French, each problem with its file and line, and the coverage table of the
# help document (couverture.yml). The workbench calls the same code.
check-data: venv-rasa venv-actions
	$(PY_B) -m bot.training.check

# The model evaluated once, in one Rasa process (bot/training/evaluation.py, kept in
# models/evaluations/ since make model; redone only for another model or other test files),
# and Rasa's files copied to reports/nlu, reports/nlu_robust and reports/stories: the same
# files as rasa test nlu / rasa test core --e2e, read by the three stages below.
evaluation: $(MODEL) venv-actions
	$(PY_B) -m bot.training.evaluation --modele $(MODEL) --rapports reports

# End to end: every intent, entity and action predicted must be the story's, or it fails.
story-test: evaluation
	$(PY_B) -m bot.training.story_scores reports/stories/story_report.json

# tests/holdout/ is the DEVELOPMENT set: it chose the n-gram range, the variants and many
# examples, so its scores say how well Sésame fits it. The sealed set (make nlu-sealed) gates.
nlu-eval: evaluation
	$(PY_B) -m bot.training.nlu_scores reports/nlu/intent_report.json \
	  --min-macro-f1 0.97 --min-intent-f1 0.90 --min-out-of-scope-recall 0.95

# The held-out phrases typed badly (AZERTY slips, no accents, SMS spellings), generated
# with a fixed seed by bot/training/robust.py: macro-F1 at least 0.93.
nlu-robust: evaluation
	$(PY_B) -m bot.training.nlu_scores reports/nlu_robust/intent_report.json \
	  --label "NLU robustness" --min-macro-f1 0.93

# The sealed set (tests/sealed/, never used to tune; bot/training/sealed.py) and its copy
# typed badly, in one run of the model, scored as the member sees them: after the fallback
# (bot/training/member_gates.py). A ratchet: the --target-… values are the bars of issue 23
# (sealed macro-F1 ≥ 0.97, at most 1 % wrong answers given with confidence ≥ 0.8, at most
# 3 % of in-scope messages not understood, out-of-scope recall ≥ 0.95 counted strictly;
# typed badly, every intent's F1 ≥ 0.85), printed with the gap at each run. The --min/--max
# values are FLOORS, set a little under what the model of 2026-12-08 measured (macro-F1
# 0.912, 1.6 % sure and wrong, 3.7 % not understood, strict out-of-scope recall 1.000;
# typed badly, lowest intent 0.706): a regression fails the build. Raise each floor when
# the data improves, until it meets its target; never lower one to make a change pass.
nlu-sealed: $(MODEL)
	rm -rf reports/nlu_sealed && mkdir -p reports/nlu_sealed
	$(PY_B) -m bot.training.sealed --out reports/nlu_sealed/data
	$(RASA) test nlu --model $(MODEL) --domain $(DOMAIN) --nlu reports/nlu_sealed/data \
	  --out reports/nlu_sealed --successes --quiet
	$(PY_B) -m bot.training.member_gates reports/nlu_sealed \
	  --set reports/nlu_sealed/data/sealed.yml --label "NLU scellé" \
	  --min-macro-f1 0.90 --target-macro-f1 0.97 \
	  --max-confidently-wrong 0.02 --target-confidently-wrong 0.01 \
	  --max-in-scope-fallback 0.045 --target-in-scope-fallback 0.03 \
	  --min-out-of-scope-recall 0.95 --target-out-of-scope-recall 0.95 \
	  --set reports/nlu_sealed/data/sealed_robust.yml --label "NLU scellé, mal tapé" \
	  --min-intent-f1 0.68 --target-intent-f1 0.85

$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# axe-core for the accessibility audits of every page, exactly as locked (nothing is served from it).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The website chat in a real browser: the action server, Rasa and the web pages on free
# ports, then Chromium. Screenshots in reports/widget-desktop.png and reports/widget-360.png.
browser-test: venvs $(MODEL) $(CHROMIUM) node_modules/.package-lock.json
	mkdir -p reports
	$(PY_B) -m pytest -q tests/browser

# Every process of the Procfile, started by the launcher on free ports with throw-away
# databases and mail directory; a member's requests over Rasa's REST channel, the email in
# the sink, the reset page; then no NIR nor code in the conversation store or the logs.
e2e-test: venvs $(MODEL)
	$(PY_B) -m pytest -q tests/e2e

# Production mode for real (tests/replicas/): two replicas of Rasa, the action server and
# the web tier behind HAProxy on throw-away PostgreSQL databases and a Redis of its own;
# messages alternating between the Rasa replicas, then the faults (a replica killed, the
# action servers down, Redis restarted, the member database down), then no NIR stored.
replica-test: venvs $(MODEL) $(HAPROXY)
	$(PY_B) -m pytest -q tests/replicas

# The trainers' report (bot/training/report.py), not part of make test: trains if needed,
# then the held-out phrases, their badly typed copies, a 3-fold cross-validation of
# data/nlu (noisy copies aside) and the test stories; writes reports/index.html (opens with
# no server) and reports/report-latest.json, compared with the previous one.
report: venvs
	$(PY_B) -m bot.training.report

# Everything CI checks, in two rounds. First the quick checks next to the unit tests
# (on their own workers): lint and mypy take a few seconds of one core, which the
# unit tests' workers leave free now and then. Then every stage that shares nothing
# (their own processes, free ports, throw-away databases, report folders), TEST_JOBS at
# a time from one queue, the longest first: the browser tests, which mostly wait for
# the page and for the hand-off timers, start at once and the shorter stages fill the
# other slots, instead of each round waiting for its slowest stage. --output-sync
# prints each stage's output whole when it ends, so that a failure reads as if the
# stage ran alone; a failed stage starts no other, and a failed round stops the next.
TEST_JOBS ?= 3
# Longest first: the browser tests (about 5 min in CI), the two full stacks, then the
# Rasa evaluations and the short checks.
TEST_STAGES := browser-test replica-test e2e-test nlu-sealed nlu-robust nlu-eval story-test unit-rasa check-data

test:
	$(MAKE) -j$(TEST_JOBS) --output-sync=target lint typecheck unit
	$(MAKE) -j$(TEST_JOBS) --output-sync=target $(TEST_STAGES)

# Production mode (REPLICAS=2, then 1, behind HAProxy) under 1, 10 and 50 simultaneous members,
# next to the stock `rasa init` bot; training time, model size, memory, start-up
# (scripts/bench_prod.py: reports/bench.md, bench.json, bench.png; about 20 minutes). Then
# the web tier alone under 100 connections, the agent → widget hand-off time, and the race
# the conversation lock fixes (bench-lock). scripts/bench.py (100 sequential messages, no
# load) still runs alone, not from here.
bench: venvs $(MODEL) $(HAPROXY) $(CHROMIUM)
	$(PY_B) scripts/bench_prod.py
	$(PY_B) scripts/bench_cpu.py
	$(PY_B) scripts/bench_web.py
	$(PY_B) scripts/bench_handoff.py
	$(PY_A) scripts/bench_lock_store.py

# The race the Redis lock store fixes, shown on this machine (it needs the race to happen,
# so it is not a test): Rasa 3.6's store loses tickets, two processes without a lock lose
# events, ours loses none while the two alternate. reports/bench_lock_store.json; Redis and
# PostgreSQL as for the tests. make unit-rasa proves our store correct.
bench-lock: venv-rasa
	$(PY_A) scripts/bench_lock_store.py

# Time from an agent's message (console API) to its display in the member's widget
# (Chromium, Server-Sent Events), 20 messages: median and p95 in reports/bench_handoff.json.
bench-handoff: venvs $(CHROMIUM)
	$(PY_B) scripts/bench_handoff.py

clean:
	rm -rf models reports var .venv
