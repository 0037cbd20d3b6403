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
    grade.add_argument("--course", type=Path, metavar="COURSE_DIR", help="grade the submitted/ folders of this nbgrader "
                       "course directory and record the scores in its gradebook (instead of SUBMISSIONS)")
    grade.add_argument("--out", type=Path, help="where reports are written (default: out/grades; with --course: "
                       "COURSE_DIR/autograder_reports/<assignment>)")
    grade.add_argument("--workers", type=int, default=1, help="submissions graded at once on this machine")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="grade on this Dask distributed scheduler instead")
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded from the same files")
    grade.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    commands.add_parser("thresholds", help="print each pass mark of the weight checks and how it was derived")
    commands.add_parser("bench", help="time grading from the command line and show where the time goes")
    bundle = commands.add_parser("gradescope", help="build Gradescope's autograder zip")
    bundle.add_argument("--out", type=Path, default=Config().root / "out" / "gradescope" / "autograder.zip")
    gradescope_run = commands.add_parser("gradescope-run", help="what run_autograder does: grade ROOT/submission "
                                         "into ROOT/results/results.json")
    gradescope_run.add_argument("--root", type=Path, default=Path("/autograder"), help="Gradescope's /autograder")
    student_repo = commands.add_parser("student-repo", help="write the repository students get on GitHub Classroom")
    student_repo.add_argument("--out", type=Path, default=Config().root / "out" / "student-repo")
    github_report = commands.add_parser("github-report", help="in a student repository's workflow: grade it, then "
                                        "write $GITHUB_STEP_SUMMARY and the result for GitHub Classroom's reporter")
    github_report.add_argument("--submission", type=Path, required=True, help="the student repository's checkout")
    github_report.add_argument("--out", type=Path, required=True, help="where reports are written")
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
        if args.course:
            from autograder.nbgrader_run import NbgraderError
            from autograder.platforms.nbgrader_course import CourseError, default_reports_dir, grade_course

            if args.submissions:
                parser.error("give either submission folders or --course, not both")
            out = args.out or default_reports_dir(args.course)
            try:
                results = grade_course(course_dir=args.course, reports_dir=out, workers=args.workers,
                                       scheduler=args.scheduler, force=args.force, progress=args.progress)
            except (CourseError, NbgraderError) as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
            print(f"scores recorded in the gradebook of {args.course}; feedback in its feedback/ folder")
        else:
            from autograder.examples import build_examples
            from autograder.grade import grade_submissions

            out = args.out or Config().root / "out" / "grades"
            submissions = args.submissions or build_examples(out_dir=out.parent / "examples")
            results = grade_submissions(submissions=submissions, out_dir=out, workers=args.workers,
                                        scheduler=args.scheduler, force=args.force, progress=args.progress)
        width = max(len(r.submission) for r in results)
        for r in results:
            print(f"{r.submission:<{width}}  {r.score:5.2f} / {r.max_score:g}" + (f"  ({r.error})" if r.error else ""))
        print(f"reports in {out}")
        if not all(r.graded for r in results):
            return 1
    elif args.command == "thresholds":
        from autograder.grade.thresholds import thresholds

        for name, threshold in thresholds(config=Config()).items():
            print(f"{name:<20} {threshold.value:<8.4g} {threshold.origin}")
    elif args.command == "bench":
        from autograder.bench import bench

        print(bench())
    elif args.command == "gradescope":
        from autograder.platforms.gradescope.bundle import build_bundle

        print(f"Gradescope autograder in {build_bundle(out=args.out, config=Config())}")
    elif args.command == "gradescope-run":
        from autograder.platforms.gradescope.run import run

        results = run(root=args.root, config=Config())
        print(f"score {results['score']:g}; results in {args.root / 'results' / 'results.json'}")
    elif args.command == "student-repo":
        from autograder.platforms.github_classroom.student_repo import write_student_repo

        print(f"student repository in {write_student_repo(out=args.out, config=Config())}")
    elif args.command == "github-report":
        import os

        from autograder.platforms.github_classroom.report import github_report

        print(github_report(submission=args.submission, out=args.out, config=Config(),
                            github_output=os.environ.get("GITHUB_OUTPUT"),
                            step_summary=os.environ.get("GITHUB_STEP_SUMMARY")))
    return 0
