# Every target works on a machine with only python3 and make: the first one run creates .venv.
# ASSIGNMENT=<id> picks an assignment (`make list` shows them); without it, grade infers it from the submissions'
# notebooks and the other targets use the default, hw2.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
ASSIGNMENT_ARG := $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT))

.PHONY: help install data list release reference grade bench gradescope student-repo dask-scheduler dask-worker test clean

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
# the project itself, editable: every process of .venv (dask scheduler and worker too) imports this repository
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -c "import torch, torchvision, torchinfo, nbgrader; print('torch', torch.__version__, '| torchvision', torchvision.__version__)"
	touch $@

install: $(INSTALLED)  ## create .venv with the pinned packages and the grader itself

data: $(INSTALLED)  ## put verified MNIST into data/MNIST/raw (offline, idempotent)
	$(PY) -m autograder data

list: $(INSTALLED)  ## the assignments, their points and what a submission holds
	$(PY) -m autograder list

release: $(INSTALLED)  ## build assignments/ (student notebooks) from solutions/ with nbgrader: every assignment, or ASSIGNMENT
	$(PY) -m autograder release $(ASSIGNMENT_ARG)

REFERENCE_ARGS = $(ASSIGNMENT_ARG) $(foreach s,$(SEED) $(SEEDS),--seed $(s)) $(foreach m,$(MODEL),--model $(m)) \
	$(if $(VALIDATION),--validation)
reference: data  ## train ASSIGNMENT's solution notebook (SEED=n or SEEDS="5 6 7", one after another; MODEL="a b": only those; VALIDATION=1: into reference/validation/; BACKGROUND=1: in the background, log in out/reference-<id>.log)
ifdef BACKGROUND
	mkdir -p out && nohup $(PY) -m autograder reference $(REFERENCE_ARGS) > out/reference-$(or $(ASSIGNMENT),hw2).log 2>&1 &
	@echo "training in the background: tail -f out/reference-$(or $(ASSIGNMENT),hw2).log"
else
	$(PY) -m autograder reference $(REFERENCE_ARGS)
endif

grade: data  ## grade SUBMISSIONS="dir1 dir2" (default: ASSIGNMENT's shipped examples) into out/grades/<id>, or COURSE=dir (nbgrader); SCHEDULER=tcp://host:8786: on that Dask cluster
	$(PY) -m autograder grade $(ASSIGNMENT_ARG) $(if $(COURSE),--course $(COURSE),$(SUBMISSIONS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

bench: data  ## time ASSIGNMENT's grading (ASSIGNMENT=all: every assignment, one table against the targets; BENCH_CLASS=n submissions a class, default 40)
	$(PY) -m autograder bench $(ASSIGNMENT_ARG) $(if $(BENCH_CLASS),--class-size $(BENCH_CLASS))

gradescope: $(INSTALLED)  ## build out/gradescope/<id>/autograder.zip to upload as ASSIGNMENT's Gradescope autograder
	$(PY) -m autograder gradescope $(ASSIGNMENT_ARG)

student-repo: $(INSTALLED)  ## write out/student-repo/<id>, ASSIGNMENT's starter repository (PLATFORM=github, gitlab or github-classroom)
	$(PY) -m autograder student-repo $(ASSIGNMENT_ARG) $(if $(PLATFORM),--platform $(PLATFORM))

.PHONY: classroom50 collect
classroom50: $(INSTALLED)  ## write out/classroom50/<id>: ASSIGNMENT's Classroom 50 autograder.py and runtime block
	$(PY) -m autograder classroom50 $(ASSIGNMENT_ARG)

collect: data  ## clone ROSTER's repositories (student,repository) at DEADLINE and grade them into OUT (default out/collect/<id>)
	$(PY) -m autograder collect $(ASSIGNMENT_ARG) --roster $(ROSTER) --out $(or $(OUT),out/collect/$(or $(ASSIGNMENT),hw2)) $(if $(DEADLINE),--deadline $(DEADLINE))

# One grading cluster: a scheduler on one machine, workers on each (this repository at the same path, `make install`).
# The check before each start says, once, what stops this machine (the grader not importable, MNIST unreadable).
PORT ?= 8786
WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count())")
CLUSTER_CHECK := $(PY) -P autograder/engine/grade/cluster.py --root "$(CURDIR)"

dask-scheduler: $(INSTALLED)  ## start the Dask scheduler that `grade --scheduler tcp://THIS_HOST:PORT` sends a class to (PORT=8786)
	$(CLUSTER_CHECK) --role scheduler
	$(VENV)/bin/dask scheduler --port $(PORT)

dask-worker: data  ## start WORKERS (default: one per core) one-thread Dask workers for SCHEDULER=tcp://host:8786
	@test -n "$(SCHEDULER)" || { echo "say which scheduler to join: make dask-worker SCHEDULER=tcp://host:8786" >&2; exit 2; }
	$(CLUSTER_CHECK) --role worker
	$(VENV)/bin/dask worker $(SCHEDULER) --nworkers $(WORKERS) --nthreads 1

test: data  ## run the project's tests
	$(PY) -m pytest

clean:  ## remove the environment and generated files (not the data)
	rm -rf $(VENV) gradebook.db .pytest_cache
