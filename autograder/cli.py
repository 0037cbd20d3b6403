"""Command line: a thin layer over the keyword-only functions that the Makefile and the tests also call."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autograder.engine.assignment import AssignmentError, assignment_ids, default, infer, load
from autograder.engine.config import Config, describe
from autograder.engine.grade.cluster import ClusterError


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
    report = with_assignment(commands.add_parser(
        "report", help="rebuild a graded class's page, OUT_DIR/index.html (with checks.csv and class_report.md), from "
        "the results kept in OUT_DIR"), "assignment id (default: OUT_DIR's name when it is one)")
    report.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="the folder a grading wrote its reports to")
    with_assignment(commands.add_parser("thresholds", help="print each pass mark of the weight checks and how it "
                                        "was derived"))
    with_assignment(commands.add_parser("selfcheck-report", help="which fixtures lose points for a structural reason, "
                                        "and which of them the notebook's self-check cells catch before submission"))
    bench = with_assignment(commands.add_parser("bench", help="time grading from the command line and show where the "
                                                "time goes; --assignment all: every assignment, one table"))
    bench.add_argument("--class-size", type=int, default=None, help="submissions in each generated class (default 40)")
    bundle = with_assignment(commands.add_parser("gradescope", help="build Gradescope's autograder zip"))
    bundle.add_argument("--out", type=Path, help="default: out/gradescope/<id>/autograder.zip")
    gradescope_run = with_assignment(commands.add_parser(
        "gradescope-run", help="what run_autograder does: grade ROOT/submission into ROOT/results/results.json"))
    gradescope_run.add_argument("--root", type=Path, default=Path("/autograder"), help="Gradescope's /autograder")
    student_repo = with_assignment(commands.add_parser("student-repo", help="write the repository students get, "
                                                       "with the CI file that grades each push"))
    student_repo.add_argument("--out", type=Path, help="default: out/student-repo/<id>")
    student_repo.add_argument("--platform", choices=["github", "gitlab", "github-classroom"], default="github",
                              help="github: a GitHub Actions workflow (default); gitlab: .gitlab-ci.yml; "
                              "github-classroom: the legacy GitHub Classroom workflow")
    ci_report = with_assignment(commands.add_parser(
        "ci-report", help="in a CI job: grade the student repository's checkout and hand the result to the CI"),
        "assignment id (default: inferred from the notebook)")
    ci_report.add_argument("--platform", choices=["github", "gitlab", "classroom50"], required=True,
                           help="classroom50: also write result.json, release-body.md and feedback.html into the "
                           "checkout, and status= and summary= into $GITHUB_OUTPUT, as Classroom 50's runner reads them")
    ci_report.add_argument("--submission", type=Path, required=True, help="the student repository's checkout")
    ci_report.add_argument("--out", type=Path, required=True, help="where reports are written")
    ci_report.add_argument("--summary", type=Path, help="append the feedback here ($GITHUB_STEP_SUMMARY)")
    ci_report.add_argument("--outputs", type=Path, help="append state=, description= and score= here, for a "
                           "commit status ($GITHUB_OUTPUT)")
    ci_report.add_argument("--junit", type=Path, help="write a JUnit XML report here, each check a test case")
    ci_report.add_argument("--page", type=Path, help="copy feedback.html here")
    classroom50 = with_assignment(commands.add_parser(
        "classroom50", help="write the Classroom 50 autograder (autograder.py) and its runtime block (runtime.json), "
        "for CLASSROOM/autograders/<slug>/ in the classroom's config repository"))
    classroom50.add_argument("--out", type=Path, help="default: out/classroom50/<id>")
    classroom50.add_argument("--grader-url", help="git URL the autograder fetches this repository from (default: "
                             "this checkout's origin)")
    classroom50.add_argument("--grader-ref", default="main", help="branch, tag or commit to grade with (default: main)")
    classroom50.add_argument("--runs-on", action="append", metavar="LABEL", help="runner label of the runtime block "
                             "(repeatable; default: ubuntu-latest; a self-hosted runner keeps the grader's cache)")
    collect = with_assignment(commands.add_parser(
        "collect", help="clone every student's repository at its last commit before the deadline and grade the class"))
    collect.add_argument("--roster", type=Path, required=True, help="CSV with the columns student,repository (any "
                         "git URL or path)")
    collect.add_argument("--out", type=Path, required=True, metavar="OUT_DIR", help="where the clones, the reports "
                         "and grades.csv are written")
    collect.add_argument("--deadline", help="ISO 8601 date and time with its time zone, e.g. 2026-12-01T23:59:00Z "
                         "(default: each repository's newest commit)")
    collect.add_argument("--workers", type=int, default=1, help="submissions graded at once on this machine")
    collect.add_argument("--scheduler", metavar="ADDRESS", help="grade on this Dask distributed scheduler instead")
    collect.add_argument("--force", action="store_true", help="regrade submissions already graded from the same files")
    collect.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    github_report = with_assignment(commands.add_parser(
        "github-report", help="in the legacy GitHub Classroom workflow: grade the repository, then write "
        "$GITHUB_STEP_SUMMARY and the result for GitHub Classroom's reporter"), "assignment id (default: inferred from the notebook)")
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


def _out_dir_assignment(args, config: Config):
    """For a command over OUT_DIR: --assignment, else OUT_DIR's name when it is an assignment's id, else the default."""
    if not args.assignment and args.out_dir.name in assignment_ids(config):
        args.assignment = args.out_dir.name
    return _assignment(args, config)


def main(argv: list[str] | None = None, *, config: Config = Config()) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(args, parser, config)
    except AssignmentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ClusterError as error:  # a scheduler or worker that cannot grade: once, not once per submission
        print(f"error: {error}", file=sys.stderr)
        return 1


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

        print(f"integrity report in {integrity_report(out_dir=args.out_dir, assignment=_out_dir_assignment(args, config), config=config)}")
    elif args.command == "report":
        from autograder.engine.grade.class_page import load_results, write_class_page

        results = load_results(args.out_dir)
        if not results:
            print(f"error: no <submission>/result.json in {args.out_dir}: give the folder a grading wrote its reports "
                  "to (`grade --out`)", file=sys.stderr)
            return 1
        page = write_class_page(results, args.out_dir, assignment=_out_dir_assignment(args, config))
        print(f"class page in {page}")
    elif args.command == "thresholds":
        from autograder.engine.reference import thresholds_table

        print(thresholds_table(_assignment(args, config)))
    elif args.command == "selfcheck-report":
        from autograder.engine.selfcheck import selfcheck_report

        print(selfcheck_report(assignment=_assignment(args, config), config=config))
    elif args.command == "bench":
        from autograder.engine.bench import CLASS_SIZE, bench

        if args.class_size is not None and args.class_size < 2:
            parser.error(f"--class-size {args.class_size}: a class needs at least 2 submissions (one per worker)")
        chosen = ([load(i, config) for i in assignment_ids(config)] if args.assignment == "all"
                  else [_assignment(args, config)])
        print(bench(assignments=chosen, config=config, size=args.class_size or CLASS_SIZE))
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
        from autograder.engine.platforms.student_repo import write_student_repo

        assignment = _assignment(args, config)
        out = args.out or config.root / "out" / "student-repo" / assignment.id
        print(f"student repository in {write_student_repo(out=out, assignment=assignment, config=config, platform=args.platform)}")
    elif args.command == "ci-report":
        return _ci_report(args, config)
    elif args.command == "classroom50":
        from autograder.engine.platforms.classroom50 import Classroom50Error, default_grader_url, write_autograder

        assignment = _assignment(args, config)
        out = args.out or config.root / "out" / "classroom50" / assignment.id
        try:
            runtime = write_autograder(out=out, assignment=assignment, grader_ref=args.grader_ref,
                                       grader_url=args.grader_url or default_grader_url(config.root),
                                       runs_on=args.runs_on or ["ubuntu-latest"])
        except Classroom50Error as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"autograder.py in {out}: copy that folder to CLASSROOM/autograders/<slug>/ in the config repository.\n"
              f"Give the assignment this runtime block ({out / 'runtime.json'}) and release_assets [\"feedback.html\"]:"
              f"\n{json.dumps(runtime)}")
    elif args.command == "collect":
        return _collect(args, config)
    elif args.command == "github-report":
        import os

        from autograder.engine.platforms.github_classroom.report import github_report

        print(github_report(submission=args.submission, out=args.out, config=config,
                            assignment=_assignment(args, config, [args.submission]),
                            github_output=os.environ.get("GITHUB_OUTPUT"),
                            step_summary=os.environ.get("GITHUB_STEP_SUMMARY")))
    return 0


def _ci_report(args, config: Config) -> int:
    import os

    from autograder.engine.platforms.ci import ci_report, score_line
    from autograder.engine.platforms.github_classroom.report import PAGE_NOTE

    notes = {"github": PAGE_NOTE, "gitlab": "The same feedback as a page, with pictures of your models, is "
             "`feedback.html` among the **grade** job's artifacts."}
    assignment = _assignment(args, config, [args.submission])
    result, feedback = ci_report(submission=args.submission, out=args.out, assignment=assignment, config=config,
                                 summary=args.summary, outputs=args.outputs, junit=args.junit, page=args.page,
                                 page_note=notes.get(args.platform, ""))
    if args.platform == "classroom50":
        from autograder.engine.platforms.classroom50 import Classroom50Error, write_submission_files

        try:
            write_submission_files(result=result, feedback=feedback, checkout=args.submission, out=args.out,
                                   env=os.environ, outputs=os.environ.get("GITHUB_OUTPUT"))
        except Classroom50Error as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    print(f"{feedback}\n{score_line(result)}")
    return 0 if result.graded else 1


def _collect(args, config: Config) -> int:
    from autograder.engine.platforms.collect_repos import RosterError, collect_class, parse_deadline

    assignment = _assignment(args, config)
    try:
        deadline = parse_deadline(args.deadline) if args.deadline else None
        students = collect_class(roster=args.roster, out=args.out, assignment=assignment, config=config,
                                 deadline=deadline, workers=args.workers, scheduler=args.scheduler, force=args.force,
                                 progress=args.progress)
    except RosterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    width = max([len(c.student) for c, _ in students], default=0)
    for checkout, result in students:
        print(f"{checkout.student:<{width}}  {checkout.commit[:12] or '-':<12}  "
              + (f"{result.score:5.2f} / {result.max_score:g}" if result.graded else "not graded")
              + (f"  ({result.error})" if result.error else ""))
    print(f"reports and grades.csv in {args.out}")
    return 0 if all(result.graded for _, result in students) else 1


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
