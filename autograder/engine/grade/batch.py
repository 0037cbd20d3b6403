"""Grade a class: N submissions at once on this machine or on a Dask cluster, each result stored when known.

Each worker process builds one ``Grader`` (probe inputs, reference answers, thresholds, the student-process
server) and reuses it for every submission it gets, so that start-up is paid once per worker. Results are
written by this, the coordinating process, as each one arrives: ``OUT/<name>/result.json`` last, so a run
killed at any moment leaves every finished submission complete, and a re-run skips them (unless ``force``)
as long as the submission's files have not changed since.
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping
from uuid import uuid4

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.grade.sandbox import start_early, started_server

if TYPE_CHECKING:  # imported where used, so that this module stays light (the workers start before torch loads here)
    from autograder.engine.grade.grader import GradeResult, Grader
    from autograder.engine.integrity.records import Record

RESULT_FILE = "result.json"  # written last: its presence means the submission is graded


_GRADERS: dict = {}  # this process's Grader, by (config, assignment)


def _grader(config: Config, assignment: Assignment) -> Grader:
    if (config, assignment) not in _GRADERS:
        from autograder.engine.grade.grader import Grader

        _GRADERS[(config, assignment)] = Grader(config=config, assignment=assignment)
    return _GRADERS[(config, assignment)]


def grade_one(name: str, directory: Path, config: Config, assignment: Assignment) -> GradeResult:
    """Grade one submission with this process's Grader; a grader failure becomes an ungraded result."""
    from autograder.engine.grade.grader import GradeResult

    try:
        return _grader(config, assignment).grade(directory, name=name)
    except Exception as error:  # a grader bug must not cost the rest of the class its grades
        message = f"internal grader error, not graded ({type(error).__name__}: {error}); please report it"
        return GradeResult(name, [], error=message, graded=False)


def named(submissions: Mapping[str, Path] | Iterable[Path]) -> dict[str, Path]:
    """Submissions by result name: a mapping is kept as given, folders are named after themselves."""
    if isinstance(submissions, Mapping):
        return {str(k): Path(v) for k, v in submissions.items()}
    result: dict[str, Path] = {}
    for directory in map(Path, submissions):
        if directory.name in result:
            raise ValueError(f"two submissions are named {directory.name!r} ({result[directory.name]} and {directory}); "
                             "give each folder its own name")
        result[directory.name] = directory
    return result


def fingerprint(directory: Path) -> str:
    """sha256 of the folder's file names and contents (first level: the notebook and weight files)."""
    digest = hashlib.sha256()
    if directory.is_dir():
        for path in sorted(p for p in directory.iterdir() if p.is_file() and not p.is_symlink()):
            digest.update(path.name.encode("utf-8", "surrogateescape") + b"\0")
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def stored_result(folder: Path, expected_fingerprint: str) -> GradeResult | None:
    """The result graded earlier from the same files, if there is one."""
    from autograder.engine.grade.grader import GradeResult
    from autograder.engine.grade.run_checks import CheckResult

    try:
        data = json.loads((folder / RESULT_FILE).read_text())
    except (OSError, ValueError):
        return None
    if data.get("fingerprint") != expected_fingerprint or not data.get("graded"):
        return None
    data.pop("fingerprint")
    data["checks"] = [CheckResult(**check) for check in data["checks"]]
    return GradeResult(**data)


def store_result(result: GradeResult, folder: Path, submission_fingerprint: str, *, config: Config,
                 assignment: Assignment, submission: Path | None = None) -> Record | None:
    """The result's reports, then (from ``submission``, the folder graded) what the integrity report compares,
    then ``result.json``: a re-run that skips this submission finds all of them. Returns the integrity record."""
    from autograder.engine.grade.report import write_reports
    from autograder.engine.integrity.records import Record, build_record, write_record

    record = None
    write_reports(result, folder, config=config, assignment=assignment, submission=submission)
    if submission is not None:
        try:
            record = build_record(name=result.submission, directory=submission, fitted=result.fitted,
                                  error=result.error, config=config, assignment=assignment)
        except Exception as error:  # the comparison loses this submission; its grade must not be lost with it
            record = Record(result.submission, not_compared={"all": f"its integrity record could not be built "
                                                                      f"({type(error).__name__}: {error})"})
        write_record(record, folder)
    unfinished = folder / (RESULT_FILE + ".partial")
    stored = asdict(replace(result, fitted={}, pictures=[]))
    del stored["fitted"], stored["pictures"]
    unfinished.write_text(json.dumps({**stored, "fingerprint": submission_fingerprint}, indent=1) + "\n")
    unfinished.replace(folder / RESULT_FILE)
    return record


def _adopt(*, servers: list, counter, config: Config, assignment: Assignment) -> None:
    """In a worker forked from the coordinator: the Grader it prepared, with one of the servers it launched."""
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    for other in servers[:index] + servers[index + 1:]:
        other.forget()
    _grader(config, assignment).server = servers[index]


def _executor(workers: int, scheduler: str | None, *, config: Config, assignment: Assignment):
    """The pool grading the class, and the student-code servers this process launched for it (to close after)."""
    if scheduler:  # the scheduler and its workers checked first: a machine that cannot grade is named once
        from autograder.engine.grade.cluster import connect

        return connect(scheduler, root=str(config.root), data_root=str(config.data_root)), []
    import multiprocessing

    single_threaded = config.threads == 1  # OpenMP threads that ran here would not survive a fork
    early = single_threaded and (config, assignment) not in _GRADERS
    if early:  # before this process loads torch (measuring_device's module does): the two load at once
        start_early(config=config, assignment=assignment)
    from autograder.engine.grade.trusted import measuring_device

    if single_threaded and measuring_device(config.device) == "cpu":
        # while the student-code server boots, this process prepares the reference side once (torch, the solution's
        # cells, reference answers: about 4 CPU s that each worker spent on its own). Once the server is ready, it
        # forks a server for every further worker (each start is 3 to 4 CPU s), then this process forks the workers,
        # which share its preparation copy-on-write and adopt a server each. Not where CUDA is initialised or
        # OpenMP has run threads here: neither survives a fork.
        grader = _grader(config, assignment)  # takes that server
        grader.prepare()
        servers = [grader.server, *(grader.server.clone() for _ in range(workers - 1))]
        context = multiprocessing.get_context("fork")
        adopt = partial(_adopt, servers=servers, counter=context.Value("i", 0), config=config, assignment=assignment)
        return ProcessPoolExecutor(max_workers=len(servers), mp_context=context, initializer=adopt), servers
    if early:  # launched for nothing: on CUDA the workers are spawned, each with a server of its own
        started_server(config=config, assignment=assignment).close()
    # spawn: workers start clean; each launches its student-code server first, so the two load torch at once
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=partial(start_early, config=config, assignment=assignment)), []


def grade_submissions(*, submissions: Mapping[str, Path] | Iterable[Path], out_dir: Path, assignment: Assignment,
                      config: Config = Config(), workers: int = 1, scheduler: str | None = None, force: bool = False,
                      progress: bool = False) -> list[GradeResult]:
    """Grade every submission of ``assignment``, ``workers`` at a time (or on the Dask scheduler at ``scheduler``:
    ``ClusterError`` when it cannot be reached, has no worker, or a machine of it cannot grade).

    Returns the results in the order given, earlier ones included; ``OUT/grades.csv`` is rewritten after
    each submission. A failure of the grader itself leaves that submission ungraded (``graded`` false).
    """
    out_dir = Path(out_dir)
    # reports and integrity records hold other students' work: closed to others (a student's process where the
    # jail's namespaces are refused has a user id of its own and reads what others may read)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    todo = named(submissions)
    prints = {name: fingerprint(directory) for name, directory in todo.items()}
    results: dict[str, GradeResult] = {}
    if not force:
        for name in todo:
            if (earlier := stored_result(out_dir / name, prints[name])) is not None:
                results[name] = earlier
    pending = [name for name in todo if name not in results]
    executor, futures, servers = None, {}, []
    if pending and (workers > 1 or scheduler):  # the workers start first: they load torch while this process does
        if not scheduler:  # the files every worker and server reads, built once here rather than raced for by them
            from autograder.engine.grade.inputs import student_inputs_file

            student_inputs_file(config=config, assignment=assignment)
        executor, servers = _executor(min(workers, len(pending)), scheduler, config=config, assignment=assignment)
        # on Dask, each task is named after its submission (dashboard, logs); this run's token keeps runs apart
        run = uuid4().hex[:8]
        futures = {executor.submit(grade_one, name, todo[name], config, assignment,
                                   **({"key": f"grade {name} {run}"} if scheduler else {})): name for name in pending}

    import torch
    from tqdm import tqdm

    from autograder.engine.grade.grader import GradeResult
    from autograder.engine.grade.report import write_summary
    from autograder.engine.integrity import code as code_similarity

    # this process too compacts each result's tensors and compares the class's; more threads than the config's
    # would spin against the workers' for the same cores
    torch.set_num_threads(config.threads)
    bar = tqdm(total=len(todo), initial=len(results), unit="submission", disable=not progress, file=sys.stderr,
               desc="grading", dynamic_ncols=True)
    failed = 0

    def finish(result: GradeResult) -> None:
        nonlocal failed
        record = store_result(result, out_dir / result.submission, prints[result.submission], config=config,
                              assignment=assignment, submission=todo[result.submission])
        if len(todo) > 1 and record is not None and record.code:  # the class's report compares it: made meanwhile
            code_similarity.fingerprint(record.name, code_similarity.graded_code(record.code, assignment), assignment)
        results[result.submission] = result
        failed += not result.graded
        write_summary([results[n] for n in todo if n in results], out_dir / "grades.csv")
        bar.set_postfix(not_graded=failed, refresh=False)
        bar.update()

    if executor is None:  # in this process: no start-up to pay, and simplest to debug
        for name in pending:
            finish(grade_one(name, todo[name], config, assignment))
    else:
        try:
            completed = as_completed(futures)
            if scheduler:
                from distributed import as_completed as completed_on_cluster

                completed = completed_on_cluster(list(futures))
            for future in completed:
                try:
                    result = future.result()
                except Exception as error:  # the worker itself died (killed, out of memory)
                    result = GradeResult(futures[future], [], error=f"the grading worker failed ({type(error).__name__}: "
                                         f"{error}); not graded, run again to retry", graded=False)
                finish(result)
        finally:
            executor.close() if scheduler else executor.shutdown(cancel_futures=True)
            for server in servers:
                server.close()
    bar.close()
    ordered = [results[name] for name in todo]
    write_summary(ordered, out_dir / "grades.csv")
    if len(ordered) > 1:  # a class: one submission (Gradescope, a push) needs no histogram nor comparison
        from autograder.engine.grade.class_page import write_class_page
        from autograder.engine.integrity import REPORT_DIR, integrity_report

        try:  # a run that graded nothing new leaves the report as it was (`integrity OUT_DIR` writes it again)
            if pending or not (out_dir / REPORT_DIR / "index.html").is_file():
                integrity_report(out_dir=out_dir, assignment=assignment, config=config)
        except Exception as error:  # advisory: its failure must not cost the class its grading run's exit status
            print(f"the integrity report could not be written ({type(error).__name__}: {error}); run "
                  f"`python -m autograder integrity {out_dir}` to retry", file=sys.stderr)
        write_class_page(ordered, out_dir, assignment=assignment)  # after the integrity report: it shows its groups
    return ordered
