# Every target works on a machine with only python3 and make: the first one run creates .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: help install data release reference grade bench gradescope student-repo test clean

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

release: $(INSTALLED)  ## build assignments/ (student notebooks) from solutions/ with nbgrader
	$(PY) -m autograder release

reference: data  ## train the solution notebook in full (~50 min on CPU) and store weights + metrics
	$(PY) -m autograder reference --seed $(or $(SEED),0)

grade: data  ## grade SUBMISSIONS="dir1 dir2" (default: the shipped examples) into out/grades, or COURSE=dir (nbgrader)
	$(PY) -m autograder grade $(if $(COURSE),--course $(COURSE),$(SUBMISSIONS) --out out/grades)

bench: data  ## time one submission's grading from the command line, with a breakdown
	$(PY) -m autograder bench

gradescope: $(INSTALLED)  ## build out/gradescope/autograder.zip to upload as a Gradescope autograder
	$(PY) -m autograder gradescope --out out/gradescope/autograder.zip

student-repo: $(INSTALLED)  ## write out/student-repo, the starter repository for GitHub Classroom
	$(PY) -m autograder student-repo --out out/student-repo

test: data  ## run the project's tests
	$(PY) -m pytest

clean:  ## remove the environment and generated files (not the data)
	rm -rf $(VENV) gradebook.db .pytest_cache
