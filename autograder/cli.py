"""Command line: a thin layer over the keyword-only functions that the Makefile and the tests also call."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autograder.config import Config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="Homework 2 course tooling.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("config", help="list every setting with its default and description")
    data = commands.add_parser("data", help="put byte-exact MNIST into data/MNIST/raw (offline, idempotent)")
    data.add_argument("--root", type=Path, default=Config().data_root)
    commands.add_parser("release", help="generate assignments/ from solutions/ with nbgrader")
    reference = commands.add_parser("reference", help="train the solution notebook in full and measure it")
    reference.add_argument("--seed", type=int, default=Config().reference_seed)
    reference.add_argument("--measure-only", action="store_true", help="skip training; re-measure saved weights")
    reference.add_argument("--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                           help="override a notebook parameter, e.g. --param ae_epochs 0 (value read as Python)")
    grade = commands.add_parser("grade", help="grade submission folders; writes results.json, feedback.md, grades.csv")
    grade.add_argument("submissions", nargs="*", type=Path, help="submission folders (default: the shipped examples)")
    grade.add_argument("--out", type=Path, default=Config().root / "out" / "grades", help="where reports are written")
    grade.add_argument("--workers", type=int, default=1, help="submissions graded at once on this machine")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="grade on this Dask distributed scheduler instead")
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded from the same files")
    grade.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    commands.add_parser("thresholds", help="print each pass mark of the weight checks and how it was derived")
    commands.add_parser("bench", help="time grading from the command line and show where the time goes")
    args = parser.parse_args(argv)

    if args.command == "config":
        print(Config.describe())
    elif args.command == "data":
        from autograder.data import DataError, fetch_mnist

        try:
            print(fetch_mnist(root=args.root))
        except DataError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        from autograder.metrics import test_set_file

        print(f"grading's test-set tensors in {test_set_file(args.root)}")
    elif args.command == "release":
        from autograder.release import release_assignment

        print(f"released {release_assignment()}")
    elif args.command == "reference":
        from autograder import reference

        config = Config()
        weights_dir = config.reference_weights(args.seed)
        if not args.measure_only:
            import ast

            reference.train_reference(config=config, seed=args.seed,
                                      **{name: ast.literal_eval(value) for name, value in args.param})
        print(json.dumps(reference.measure(config=config, weights_dir=weights_dir), indent=2))
    elif args.command == "grade":
        from autograder.examples import build_examples
        from autograder.grade import grade_submissions

        submissions = args.submissions or build_examples(out_dir=args.out.parent / "examples")
        results = grade_submissions(submissions=submissions, out_dir=args.out, workers=args.workers,
                                    scheduler=args.scheduler, force=args.force, progress=args.progress)
        width = max(len(r.submission) for r in results)
        for r in results:
            print(f"{r.submission:<{width}}  {r.score:5.2f} / {r.max_score:g}" + (f"  ({r.error})" if r.error else ""))
        print(f"reports in {args.out}")
        if not all(r.graded for r in results):
            return 1
    elif args.command == "thresholds":
        from autograder.grade.thresholds import thresholds

        for name, threshold in thresholds(config=Config()).items():
            print(f"{name:<20} {threshold.value:<8.4g} {threshold.origin}")
    elif args.command == "bench":
        from autograder.bench import bench

        print(bench())
    return 0
