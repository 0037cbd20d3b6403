# Every target works on a machine with only python3 and make: the first one run creates .venv.
# ASSIGNMENT=<id> picks an assignment (`make list` shows them); without it, grade infers it from the submissions'
# notebooks and the other targets use the default, hw2.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
ASSIGNMENT_ARG := $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT))

.PHONY: help install data list release reference grade bench gradescope student-repo test clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -c "import torch, torchvision, torchinfo, nbgrader; print('torch', torch.__version__, '| torchvision', torchvision.__version__)"
	touch $@

install: $(INSTALLED)  ## create .venv with the pinned packages

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

grade: data  ## grade SUBMISSIONS="dir1 dir2" (default: ASSIGNMENT's shipped examples) into out/grades/<id>, or COURSE=dir (nbgrader)
	$(PY) -m autograder grade $(ASSIGNMENT_ARG) $(if $(COURSE),--course $(COURSE),$(SUBMISSIONS))

bench: data  ## time ASSIGNMENT's grading from the command line, with a breakdown
	$(PY) -m autograder bench $(ASSIGNMENT_ARG)

gradescope: $(INSTALLED)  ## build out/gradescope/<id>/autograder.zip to upload as ASSIGNMENT's Gradescope autograder
	$(PY) -m autograder gradescope $(ASSIGNMENT_ARG)

student-repo: $(INSTALLED)  ## write out/student-repo/<id>, ASSIGNMENT's starter repository for GitHub Classroom
	$(PY) -m autograder student-repo $(ASSIGNMENT_ARG)

test: data  ## run the project's tests
	$(PY) -m pytest

clean:  ## remove the environment and generated files (not the data)
	rm -rf $(VENV) gradebook.db .pytest_cache
