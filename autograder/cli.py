"""Command line: a thin layer over the keyword-only functions that the Makefile and the tests also call."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autograder.engine.assignment import AssignmentError, assignment_ids, default, infer, load
from autograder.engine.config import Config, describe


def _parser() -> argparse.ArgumentParser:
    defaults = Config()
    parser = argparse.ArgumentParser(prog="python -m autograder", description="Course tooling: release, reference "
                                     "runs and grading of every assignment.")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_assignment(command, required_help: str = "assignment id (see `list`)"):
        command.add_argument("--assignment", metavar="ID", help=required_help)
        return command

    commands.add_parser("list", help="the assignments, their points and what a submission must contain")
    with_assignment(commands.add_parser("config", help="every setting with its description: the engine's, and the "
                                        "assignment's with --assignment"))
    data = commands.add_parser("data", help="put byte-exact MNIST into data/MNIST/raw (offline, idempotent)")
    data.add_argument("--root", type=Path, default=defaults.data_root)
    with_assignment(commands.add_parser("release", help="generate assignments/ from solutions/ with nbgrader"),
                    "release only this assignment (default: every one)")
    reference = with_assignment(commands.add_parser("reference", help="train a solution notebook in full and measure it"))
    reference.add_argument("--seed", type=int, action="append", default=[], help="seed of the run (default: the "
                           "assignment's reference seed); repeatable: the seeds train one after another")
    reference.add_argument("--validation", action="store_true", help="into reference/validation/seed<n>/: runs that "
                           "check the pass marks and derive none")
    reference.add_argument("--model", action="append", default=[], metavar="NAME",
                           help="train only this model (repeatable; default: all); the others' files stay as they are")
    reference.add_argument("--measure-only", action="store_true", help="skip training; re-measure saved weights")
    reference.add_argument("--mistake", metavar="NAME", help="train one of the assignment's plausible mistakes (its "
                           "thresholds.py MISTAKES) into reference/mistakes/NAME/, for the thresholds table")
    reference.add_argument("--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                           help="override a notebook parameter, e.g. --param ae_epochs 0 (value read as Python)")
    grade = with_assignment(commands.add_parser(
        "grade", help="grade submission folders; writes results.json, feedback.md, grades.csv"),
        "assignment id (default: inferred from the notebooks' names or graded cells)")
    grade.add_argument("submissions", nargs="*", type=Path, help="submission folders (default: the assignment's "
                       "shipped examples, the reference solution and the blank release)")
    grade.add_argument("--course", type=Path, metavar="COURSE_DIR", help="grade the submitted/ folders of this nbgrader "
                       "course directory, every assignment found there unless --assignment, and record the scores in "
                       "its gradebook (instead of SUBMISSIONS)")
    grade.add_argument("--out", type=Path, help="where reports are written (default: out/grades/<id>; with --course: "
                       "COURSE_DIR/autograder_reports/<id>)")
    grade.add_argument("--workers", type=int, default=1, help="submissions graded at once on this machine")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="grade on this Dask distributed scheduler instead")
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded from the same files")
    grade.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    grade.add_argument("--no-figures", dest="figures", action="store_false", help="feedback.html without pictures of "
                       "the models (the config's feedback_figures off): for very large classes")
    grade.add_argument("--device", default=defaults.device, help="where the grader measures submitted weights: auto "
                       "(CUDA when torch sees it, else the CPU), cpu, cuda or cuda:N (the config's device)")
    integrity = with_assignment(commands.add_parser(
        "integrity", help="compare a graded class's submissions pair by pair (weights and code) for review; writes "
        "OUT_DIR/integrity/index.html and integrity.csv"), "assignment id (default: OUT_DIR's name when it is one)")
    integrity.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="the folder a grading wrote its reports to")
    with_assignment(commands.add_parser("thresholds", help="print each pass mark of the weight checks and how it "
                                        "was derived"))
    with_assignment(commands.add_parser("selfcheck-report", help="which fixtures lose points for a structural reason, "
                                        "and which of them the notebook's self-check cells catch before submission"))
    with_assignment(commands.add_parser("bench", help="time grading from the command line and show where the time goes"))
    bundle = with_assignment(commands.add_parser("gradescope", help="build Gradescope's autograder zip"))
    bundle.add_argument("--out", type=Path, help="default: out/gradescope/<id>/autograder.zip")
    gradescope_run = with_assignment(commands.add_parser(
        "gradescope-run", help="what run_autograder does: grade ROOT/submission into ROOT/results/results.json"))
    gradescope_run.add_argument("--root", type=Path, default=Path("/autograder"), help="Gradescope's /autograder")
    student_repo = with_assignment(commands.add_parser("student-repo", help="write the repository students get on "
                                                       "GitHub Classroom"))
    student_repo.add_argument("--out", type=Path, help="default: out/student-repo/<id>")
    github_report = with_assignment(commands.add_parser(
        "github-report", help="in a student repository's workflow: grade it, then write $GITHUB_STEP_SUMMARY and the "
        "result for GitHub Classroom's reporter"), "assignment id (default: inferred from the notebook)")
    github_report.add_argument("--submission", type=Path, required=True, help="the student repository's checkout")
    github_report.add_argument("--out", type=Path, required=True, help="where reports are written")
    return parser


def _assignment(args, config: Config, submissions: list[Path] = ()):
    """The assignment named with --assignment, else the one the submissions are for, else the default; says which."""
    if args.assignment:
        return load(args.assignment, config)
    if submissions:
        assignment, how = infer(list(submissions), config=config)
        print(f"assignment {assignment.id} ({how})", file=sys.stderr)
        return assignment
    return default(config)


def main(argv: list[str] | None = None, *, config: Config = Config()) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(args, parser, config)
    except AssignmentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(args, parser, config: Config) -> int:
    if args.command == "list":
        from autograder.engine.notebook import points

        for assignment_id in assignment_ids(config):
            assignment = load(assignment_id, config)
            auto, manual = points(assignment.solution_notebook)
            files = ", ".join([f"{assignment_id}.ipynb", *assignment.settings.weight_files])
            print(f"{assignment_id:<16} {assignment.settings.title}: {auto:g} points autograded + {manual:g} by hand; "
                  f"a submission holds {files}")
    elif args.command == "config":
        print(f"# engine (autograder/engine/config.py)\n{describe(config)}")
        if args.assignment:
            assignment = load(args.assignment, config)
            print(f"\n# {assignment.id} ({assignment.folder.relative_to(config.root)}/__init__.py)\n"
                  f"{describe(assignment.settings)}")
    elif args.command == "data":
        from autograder.engine.data import DataError, fetch_mnist

        try:
            print(fetch_mnist(root=args.root))
        except DataError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    elif args.command == "release":
        from autograder.engine.release import release_all, release_assignment

        released = ([release_assignment(assignment_id=load(args.assignment, config).id, root=config.root)]
                    if args.assignment else release_all(config=config))
        for folder in released:
            print(f"released {folder}")
    elif args.command == "reference":
        from autograder.engine import reference

        assignment = _assignment(args, config)
        if args.mistake and (len(args.seed) > 1 or args.validation):
            parser.error("--mistake trains one run: give at most one --seed and no --validation")
        for seed in args.seed or [assignment.settings.reference_seed]:
            weights_dir, models, parameters, cells = reference.run_dir(assignment, seed, validation=args.validation), \
                tuple(args.model), {}, {}
            if args.mistake:
                mistake = reference.mistakes(assignment)[args.mistake]
                weights_dir, models = assignment.reference_dir / "mistakes" / args.mistake, mistake.models
                parameters, cells = mistake.parameters, mistake.cells
            if not args.measure_only:
                import ast

                reference.train_reference(assignment=assignment, config=config, models=models, seed=seed,
                                          out_dir=weights_dir, cells=cells, **parameters,
                                          **{name: ast.literal_eval(value) for name, value in args.param})
            print(f"{weights_dir}:", json.dumps(reference.measure(assignment=assignment, config=config,
                                                                  weights_dir=weights_dir), indent=2), flush=True)
    elif args.command == "grade":
        from dataclasses import replace

        return _grade(args, parser, replace(config, feedback_figures=config.feedback_figures and args.figures,
                                            device=args.device))
    elif args.command == "integrity":
        from autograder.engine.integrity import integrity_report

        if not args.assignment and args.out_dir.name in assignment_ids(config):
            args.assignment = args.out_dir.name
        print(f"integrity report in {integrity_report(out_dir=args.out_dir, assignment=_assignment(args, config), config=config)}")
    elif args.command == "thresholds":
        from autograder.engine.reference import thresholds_table

        print(thresholds_table(_assignment(args, config)))
    elif args.command == "selfcheck-report":
        from autograder.engine.selfcheck import selfcheck_report

        print(selfcheck_report(assignment=_assignment(args, config), config=config))
    elif args.command == "bench":
        from autograder.engine.bench import bench

        print(bench(assignment=_assignment(args, config), config=config))
    elif args.command == "gradescope":
        from autograder.engine.platforms.gradescope.bundle import build_bundle

        assignment = _assignment(args, config)
        out = args.out or config.root / "out" / "gradescope" / assignment.id / "autograder.zip"
        print(f"Gradescope autograder in {build_bundle(out=out, assignment=assignment, config=config)}")
    elif args.command == "gradescope-run":
        from autograder.engine.platforms.gradescope.run import run

        results = run(root=args.root, assignment=_assignment(args, config), config=config)
        print(f"score {results['score']:g}; results in {args.root / 'results' / 'results.json'}")
    elif args.command == "student-repo":
        from autograder.engine.platforms.github_classroom.student_repo import write_student_repo

        assignment = _assignment(args, config)
        out = args.out or config.root / "out" / "student-repo" / assignment.id
        print(f"student repository in {write_student_repo(out=out, assignment=assignment, config=config)}")
    elif args.command == "github-report":
        import os

        from autograder.engine.platforms.github_classroom.report import github_report

        print(github_report(submission=args.submission, out=args.out, config=config,
                            assignment=_assignment(args, config, [args.submission]),
                            github_output=os.environ.get("GITHUB_OUTPUT"),
                            step_summary=os.environ.get("GITHUB_STEP_SUMMARY")))
    return 0


def _grade(args, parser, config: Config) -> int:
    if args.course:
        from autograder.engine.nbgrader_run import NbgraderError
        from autograder.engine.platforms.nbgrader_course import CourseError, grade_course

        if args.submissions:
            parser.error("give either submission folders or --course, not both")
        try:
            by_assignment = grade_course(course_dir=args.course, config=config, reports_dir=args.out,
                                         assignment=load(args.assignment, config) if args.assignment else None,
                                         workers=args.workers, scheduler=args.scheduler, force=args.force,
                                         progress=args.progress)
        except (CourseError, NbgraderError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"scores recorded in the gradebook of {args.course}; feedback in its feedback/ folder")
        outs = [args.out or args.course / "autograder_reports"]
    else:
        from autograder.engine.grade.sandbox import start_early

        assignment = _assignment(args, config, args.submissions)
        if args.workers <= 1 and not args.scheduler:  # graded in this process: its server boots while torch loads here
            start_early(config=config, assignment=assignment)
        from autograder.engine.examples import build_examples
        from autograder.engine.grade import grade_submissions

        out = args.out or config.root / "out" / "grades" / assignment.id
        submissions = args.submissions or build_examples(out_dir=out.parent / f"{assignment.id}-examples",
                                                         assignment=assignment)
        results = grade_submissions(submissions=submissions, out_dir=out, assignment=assignment, config=config,
                                    workers=args.workers, scheduler=args.scheduler, force=args.force,
                                    progress=args.progress)
        by_assignment, outs = {assignment.id: results}, [out]
    for assignment_id, results in by_assignment.items():
        width = max(len(r.submission) for r in results)
        for r in results:
            print(f"{assignment_id}  {r.submission:<{width}}  {r.score:5.2f} / {r.max_score:g}"
                  + (f"  ({r.error})" if r.error else ""))
    print(f"reports in {', '.join(map(str, outs))}")
    return 0 if all(r.graded for results in by_assignment.values() for r in results) else 1
