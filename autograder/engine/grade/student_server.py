"""The server that runs students' code: started once per grading worker, it forks one process per submission.

Torch, the modules the released notebook imports, the assignment's probes and their inputs are loaded once here,
so each submission's process starts in milliseconds, yet every submission still gets a fresh process of its own,
confined by ``jail.confine`` before its first line runs. The server holds nothing secret: it is started with
``python -I`` from a copy of the runner files, never imports the repository, and sees only the probe
inputs (public test data and random tensors).

Protocol, one JSON object per line: the grader sends the settings, the server answers ``ready``; then
for each job the grader sends the job and the server answers when that submission's process has ended.
``{"fork": true}`` (its two pipe ends sent first over the control socket) makes a further server for another
grading worker: a fork of this one, already loaded, answering ``ready`` on those pipes.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def take_charge(settings: dict) -> None:
    """Make this process a server: the orphans of its submissions come back to it, and they run under a user id
    that is its own (unique among running servers, so limits and kills are per server)."""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    settings["uid"] = 100_000 + os.getpid()


def runs_as(uid: int) -> bool:
    """Whether any process has the user id ``uid`` (the jail has no process namespace: the server sees them all).
    Read from each process's status, which a process cannot make unreadable as it can its /proc folder."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(os.path.join(entry.path, "status"), "rb") as status:
                    if next(line for line in status if line.startswith(b"Uid:")).split()[1] == str(uid).encode():
                        return True
            except (OSError, StopIteration):  # ended meanwhile
                pass
    return False


def kill_everything(pid: int, uid: int | None) -> None:
    """Kill the submission's process group and, when it has a user id of its own, every process of that user."""
    for _ in range(2):  # a second round for any process that was being forked during the first
        try:
            os.killpg(pid, signal.SIGKILL)
            found = True
        except ProcessLookupError:
            found = False
        # also reaches processes that left the group (setsid): kill(-1) from that uid, in a fork of this large
        # process (10 to 20 ms of CPU), so only when one is there
        if uid is not None and runs_as(uid):
            found = True
            killer = os.fork()
            if killer == 0:
                try:
                    os.setresuid(uid, uid, uid)
                    os.kill(-1, signal.SIGKILL)
                finally:
                    os._exit(0)
            os.waitpid(killer, 0)
        if not found:  # nothing left of the submission
            return
        time.sleep(0.01)
        try:  # as subreaper, orphans of the submission come back to this process: collect them
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass


def serve(job: dict, inputs: dict, settings: dict) -> dict:
    """Fork the submission's process, wait for it (at most ``job["timeout"]`` s), and report how it ended."""
    from jail import SCRATCH, confine
    from student_process import run_job

    from autograder.engine.grade.preload import DYNAMO, dynamo_needed_line

    job_dir = job["job_dir"]
    opened = [os.open(os.path.join(job_dir, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
              for name in ("answers.pt", "progress.log", "output.log")]
    jail = os.path.join(job_dir, "jail")
    os.mkdir(jail, 0o755)
    uid = settings["uid"] if os.geteuid() == 0 else None
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the submission's process
        try:
            for target, fd in zip((3, 4), opened[:2]):
                os.dup2(fd, target)
            os.dup2(opened[2], 1)
            os.dup2(opened[2], 2)
            os.closerange(5, 1 << 16)  # above all, the grader's protocol pipes
            os.environ.update(HOME=SCRATCH, TMPDIR="/tmp", MPLCONFIGDIR="/tmp")
            applied = confine(jail=Path(jail), data_root=job["data_root"], weights=job["weights"],
                              uid=uid if uid is not None else os.getuid(), limits=job["limits"])
            os.write(4, (json.dumps({"confinement": applied}) + "\n").encode())
            # threadpoolctl (scikit-learn's) chose at its import, here in the server, to list loaded libraries
            # through /proc; the jail may hide /proc, so it chooses again (imported in the jail, it would have)
            if (threadpoolctl := sys.modules.get("threadpoolctl")) is not None:
                threadpoolctl._HAS_PROCFS = os.path.exists("/proc/self")
            sys.modules["torch"].set_num_threads(settings["threads"])
            run_job(job, inputs, 3, 4)
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(70)
    for fd in opened:
        os.close(fd)
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - started > job["timeout"]:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.02)
    kill_everything(pid, uid)
    imported = False
    if DYNAMO not in sys.modules:  # still deferred here: did the submission need it?
        with open(os.path.join(job_dir, "progress.log"), "rb") as progress:  # its end: where run_job says so
            progress.seek(max(0, progress.seek(0, os.SEEK_END) - 4096))
            imported = dynamo_needed_line() in progress.read()
    return {"imported": imported, "exit": os.waitstatus_to_exitcode(status), "timed_out": timed_out,
            "seconds": time.monotonic() - started, "peak_rss_mb": usage.ru_maxrss / 1024}


def keep_dataset_reads(data_root: str) -> None:
    """torchvision's MNIST reads and copies its files anew in every process: read here once, every fork's datasets
    start from the server's tensors (copy-on-write) instead of reading and copying 55 MB again (0.15 s of CPU a
    submission). A file is matched by its device, inode, size and time, so the jail's bind of the data folder
    finds it and a changed file is read afresh. Two datasets of one file in one process share the tensor, as
    they share the file; the server holds only this public data."""
    mnist = sys.modules.get("torchvision.datasets.mnist")
    if mnist is None:  # the notebook does not import torchvision
        return
    read = mnist.read_sn3_pascalvincent_tensor

    def identity(path) -> tuple:
        status = os.stat(path)
        return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns

    kept = {}
    for path in sorted(Path(data_root, "MNIST", "raw").glob("*-ubyte")):
        kept[identity(path)] = read(str(path), strict=False)

    def read_kept(path, strict: bool = True):
        try:
            key = identity(path)
        except (OSError, TypeError, ValueError):  # a file object, or nothing there: torchvision says what is wrong
            return read(path, strict)
        return kept[key] if key in kept else read(path, strict)

    mnist.read_sn3_pascalvincent_tensor = read_kept


def main() -> None:
    # The protocol gets private descriptors; 0 and 1 become /dev/null and the log, so nothing printed by
    # a library (or inherited by a child) can write into the grader's pipe.
    protocol_in, protocol_out = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(2, 1)
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: gone when its grader is gone
    started = time.monotonic()
    settings = json.loads(protocol_in.readline())
    take_charge(settings)
    # What the released notebook's cells import, so no fork imports it again. torch._dynamo, which torchvision
    # imports, is deferred (1.1 s of this start; creating an optimizer no longer needs it): a submission that needs it
    # (an optimizer's step, torch.compile, torch.fx's Interpreter) imports it in its own process (1.3 s), finding
    # torch.manual_seed wrapped as that import would (after the guards' capture, a rebinding would read as
    # tampering), and the server loads it for the submissions after
    from autograder.engine.grade.preload import preload, wrap_manual_seed

    preload(settings["preload"], tuple(settings["lazily"]))
    wrap_manual_seed()
    import torch

    # one thread here whatever the setting: a process forked after OpenMP ran more than one thread hangs at its
    # next parallel region, so each submission's process sets the config's number itself (serve)
    torch.set_num_threads(1)
    # One small forward pass: torch reads /proc/cpuinfo to pick its kernels, and the jail has no /proc.
    torch.nn.functional.conv2d(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 3, 3)).sum().item()
    import assignment_probes  # noqa: F401 (loaded once here, not in every fork)

    keep_dataset_reads(settings["data_root"])

    inputs = torch.load(settings["inputs"], weights_only=True)
    protocol_out.write(json.dumps({"ready": time.monotonic() - started}) + "\n")
    protocol_out.flush()
    answer(protocol_in, protocol_out, inputs, settings, socket.socket(fileno=settings["control"]))


def answer(protocol_in, protocol_out, inputs: dict, settings: dict, control: socket.socket | None) -> None:
    """Serve the grader's requests until it closes the pipe."""
    from autograder.engine.grade.preload import DYNAMO

    for line in protocol_in:
        message = json.loads(line)
        if message.get("fork"):
            pipes = socket.recv_fds(control, 1, 2)[1]
            server = os.fork()
            if server == 0:  # a server of its own: its user id, its orphans; it outlives this one, not its pipes
                for old in (protocol_in, protocol_out, control):
                    old.close()
                take_charge(settings)
                mine_in, mine_out = os.fdopen(pipes[0], "r"), os.fdopen(pipes[1], "w")
                mine_out.write(json.dumps({"ready": 0.0}) + "\n")
                mine_out.flush()
                answer(mine_in, mine_out, inputs, settings, None)
                os._exit(0)
            for pipe in pipes:
                os.close(pipe)
            reply, imported = {"forked": server}, False
        else:
            reply = serve(message, inputs, settings)
            imported = reply.pop("imported")
        protocol_out.write(json.dumps(reply) + "\n")
        protocol_out.flush()
        if imported:
            # a submission needed it (torch.compile, an optimizer's step, torch.fx's Interpreter): the next ones
            # start with it. A student's process can write that line itself: it costs the server this import, nothing more
            __import__(DYNAMO)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
