"""Reference runs of the solution's tsne_embedding: the figures its pass marks come from.

t-SNE is stochastic: the same correct function gives another layout for another seed. This runs the solution's
``tsne_embedding`` on the probe representations (those a submission's function is given) with seeds 0 to
``--runs`` - 1 and writes each run's trustworthiness and k-NN accuracies to reference/tsne_runs.json; with
``--validation``, seeds 100 on, to reference/validation/tsne_runs.json, which no mark comes from.

    flock /tmp/train.lock .venv/bin/python -m autograder.assignments.representations.tsne_runs [--runs 10]
    flock /tmp/train.lock .venv/bin/python -m autograder.assignments.representations.tsne_runs --validation --runs 5
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from threadpoolctl import threadpool_limits

from autograder.assignments.representations import metrics
from autograder.assignments.representations.thresholds import TSNE_RUNS
from autograder.engine.assignment import load
from autograder.engine.config import Config
from autograder.engine.grade.inputs import probe_inputs_file
from autograder.engine.passmarks import VALIDATION
from autograder.engine.reference import solution_namespace

VALIDATION_SEEDS = 100  # the first validation seed, as for training runs (reference/validation/seed100/ on)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--validation", action="store_true", help="seeds 100 on, into reference/validation/")
    args = parser.parse_args(argv)
    config = Config()
    assignment = load("representations", config)
    torch.set_num_threads(config.threads)
    inputs = torch.load(probe_inputs_file(config=config, assignment=assignment), weights_only=True)
    embed = solution_namespace(assignment=assignment, config=config)["tsne_embedding"]
    labels, k = inputs["embed_labels"], assignment.settings.knn_k
    runs = {}
    # as many OpenMP threads as the student's process has (OMP_NUM_THREADS=config.threads): Barnes-Hut t-SNE
    # sums its gradient per thread: two threads moved trustworthiness in its fourth decimal, the gain by 1.5 points
    threadpool_limits(config.threads)
    first = VALIDATION_SEEDS if args.validation else 0
    for seed in range(first, first + args.runs):
        started = time.perf_counter()
        embeddings = {layer: embed(activations.clone(), seed) for layer, activations in inputs["embed"].items()}
        runs[f"tsne{seed}"] = metrics.embedding_figures(embeddings, inputs["embed"], labels, k)
        runs[f"tsne{seed}"]["seconds"] = round(time.perf_counter() - started, 2)
        print(f"tsne{seed}", json.dumps(runs[f"tsne{seed}"]), flush=True)
    folder = assignment.reference_dir / VALIDATION if args.validation else assignment.reference_dir
    folder.mkdir(exist_ok=True)
    (folder / TSNE_RUNS).write_text(json.dumps(runs, indent=2) + "\n")


if __name__ == "__main__":
    main()
