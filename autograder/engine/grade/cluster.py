"""Grading on a Dask cluster: connecting to its scheduler, and checking once that its machines can grade.

Dask's scheduler unpickles every task it is sent, so it imports the grader, and each worker grades against the
repository and MNIST at the paths of the machine that sends the class. A machine where ``import autograder`` fails
(the project not installed into its environment) or where MNIST is unreadable would fail every submission with the
same error; ``connect`` asks each machine first and refuses with one message naming the machines and the fix.

Run as a script (``make dask-scheduler`` and ``make dask-worker`` do, with ``python -P`` so that the current folder
does not stand in for an install), it checks this machine before it starts. Only the standard library is imported
at the top: the script must run, and ``problems_here`` be sent to a machine, where the grader cannot be imported.
"""

from __future__ import annotations

import sys

WORKERS_TIMEOUT_S = 120  # how long a class waits for a first worker to join the scheduler before giving up


class ClusterError(RuntimeError):
    """The cluster cannot grade; the message names the machines and says what to do."""


def problems_here(*, role: str, root: str | None = None, data_root: str | None = None) -> str | None:
    """What stops this machine's Dask ``role`` ("scheduler" or "worker") from grading, as one sentence naming the
    machine and the fix; None when nothing does. ``root``: the repository the grader must be imported from; a worker
    also needs MNIST under ``data_root`` (default: the grader's)."""
    import socket
    from pathlib import Path

    machine = f"the Dask {role} on {socket.gethostname()}"
    start = f"`make dask-{role}`"
    try:
        from autograder.engine.config import ROOT, Config
        from autograder.engine.data import missing_mnist
    except ImportError as error:
        return (f"{machine} cannot import the grader ({type(error).__name__}: {error}): run `make install` in the "
                f"repository{f' ({root})' if root else ''} on that machine, then start {start} from there, so that "
                "it runs in the repository's .venv")
    if root is not None and Path(root).resolve() != ROOT.resolve():
        return (f"{machine} imports the grader from {ROOT}, not from {root}: every machine of the cluster needs the "
                f"repository at {root}, installed with `make install` there, and {start} started from it")
    data_root = data_root or str(Config().data_root)
    if role == "worker" and (missing := missing_mnist(root=Path(data_root))):
        return (f"{machine} cannot read MNIST under {data_root} ({missing[0]}): run `make data` in the repository on "
                "that machine (or link data/MNIST to a copy of it)")
    return None


def connect(scheduler: str, *, root: str, data_root: str, workers_timeout: float = WORKERS_TIMEOUT_S):
    """A ``distributed.Client`` of the scheduler at ``scheduler``, once it and every worker joined so far can grade
    (``root`` and ``data_root``: the repository and the MNIST folder the tasks will name); else ``ClusterError``."""
    import cloudpickle
    from distributed import Client

    # sent by value, not by name: a machine that cannot import the grader must still run the check that says so
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        client = Client(scheduler)
    except OSError as error:  # refused, or timed out (distributed.comm.timeouts.connect)
        raise ClusterError(f"no Dask scheduler answers at {scheduler} ({error}): start one on that machine with "
                           "`make dask-scheduler` in the repository, and check the address and that its port is open "
                           "to this machine") from None
    try:
        problems = [problem] if (problem := client.run_on_scheduler(problems_here, role="scheduler")) else []
        try:
            client.wait_for_workers(1, timeout=workers_timeout)
        except TimeoutError:
            raise ClusterError(f"no Dask worker joined the scheduler at {scheduler} within {workers_timeout:g} s: "
                               f"start some with `make dask-worker SCHEDULER={scheduler}` in the repository on each "
                               "grading machine") from None
        by_problem: dict[str, list[str]] = {}
        for worker, found in client.run(problems_here, role="worker", root=root, data_root=data_root,
                                        on_error="return").items():
            if isinstance(found, BaseException):
                found = f"the Dask worker at {worker} could not run the grader's check ({type(found).__name__}: {found})"
            if found:
                by_problem.setdefault(found, []).append(worker)
        problems += [f"{problem} (worker{'s' * (len(workers) > 1)} {', '.join(sorted(workers))})"
                     for problem, workers in by_problem.items()]
        if problems:
            raise ClusterError(f"the Dask cluster at {scheduler} cannot grade: " + "; ".join(problems))
    except BaseException:
        client.close()
        raise
    return client


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Check that this machine can run a Dask scheduler or worker that "
                                                 "grades (make dask-scheduler and make dask-worker run it first).")
    parser.add_argument("--role", choices=["scheduler", "worker"], required=True)
    parser.add_argument("--root", required=True, help="the repository the grader must be imported from")
    args = parser.parse_args(argv)
    if problem := problems_here(role=args.role, root=args.root):
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
