"""Confine the process that runs a student's code: its own user, filesystem view, network and limits.

Runs in the forked child, before any student code, as the last thing done with the grader's rights.
It is copied beside the runner, so it imports nothing from the repository. Linux only; the measures
that need root are skipped without it (and the jail where namespaces are refused), and ``confine``
says which were applied.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import sys
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC = 0x00020000, 0x40000000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SCRATCH = "/submission"  # the student's working folder inside the jail

_libc = ctypes.CDLL(None, use_errno=True)


def _call(name: str, *args) -> None:
    if getattr(_libc, name)(*args) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{name}{args[1:2]}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    encode = lambda s: None if s is None else str(s).encode()  # noqa: E731
    _call("mount", encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data))


def _bind_read_only(path: str, jail: Path) -> None:
    target = jail / path.lstrip("/")
    if os.path.isdir(path):
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    _mount(path, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def link_targets(folder: str) -> list[str]:
    """Where the symbolic links inside ``folder`` lead, when outside it (a shared copy of the data set, say):
    bound at the same place in the jail, so that the links still resolve there."""
    targets = []
    for parent, folders, files in os.walk(folder):
        for name in folders + files:
            path = os.path.join(parent, name)
            if os.path.islink(path):
                target = os.path.realpath(path)
                if os.path.exists(target) and not target.startswith(os.path.realpath(folder) + os.sep):
                    targets.append(target)
    return sorted(set(targets))


def visible_paths(data_root: str) -> list[str]:
    """What the student's code may read: system libraries, this Python and its packages, and the data set
    (with whatever its links lead to)."""
    prefixes = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    system = ["/usr", "/lib", "/lib64", "/bin", "/etc", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"]
    return [p for p in system if os.path.exists(p)] + sorted(prefixes) + [data_root] + link_targets(data_root)


def _build_jail(jail: Path, *, data_root: str, weights: dict, uid: int, scratch_mb: int) -> None:
    """A new root: a small tmpfs with read-only binds of ``visible_paths`` and a size-capped scratch folder."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing mounted here is seen outside
    _mount("tmpfs", jail, "tmpfs", MS_NOSUID | MS_NODEV, "size=8m,mode=755")
    for folder in ("tmp", SCRATCH.lstrip("/")):  # first: a bind below /tmp (a clone in /tmp/...) must stay on top
        (jail / folder).mkdir()
        _mount("tmpfs", jail / folder, "tmpfs", MS_NOSUID | MS_NODEV, f"size={scratch_mb}m,mode=700,uid={uid},gid={uid}")
    for path in visible_paths(data_root):
        _bind_read_only(path, jail)
    for name, source in weights.items():  # copied while this process can still read the submission
        shutil.copyfile(source, jail / SCRATCH.lstrip("/") / name)
        os.chown(jail / SCRATCH.lstrip("/") / name, uid, uid)
    os.chroot(jail)
    os.chdir(SCRATCH)


def confine(*, jail: Path, data_root: str, weights: dict, uid: int, limits: dict) -> list[str]:
    """Enter the jail (when the machine allows it) and set the limits; returns what was applied."""
    applied, jailed = [], False
    mapped = _mapped_bytes()  # read before /proc disappears from view
    _call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the student's code dies with its server
    os.setsid()  # its own process group, killed as a whole after the job
    root = os.geteuid() == 0
    if root:
        try:
            _call("unshare", CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC)
            _build_jail(jail, data_root=data_root, weights=weights, uid=uid, scratch_mb=limits["scratch_mb"])
            jailed = True
            applied += ["own mount namespace with only system files, Python and MNIST visible", "no network"]
        except OSError as error:
            applied.append(f"no jail ({error})")
    if not jailed:  # a scratch folder beside the job files instead
        scratch = jail.parent / "scratch"
        scratch.mkdir(exist_ok=True)
        for name, source in weights.items():
            shutil.copyfile(source, scratch / name)
        if root:
            os.chmod(jail.parent, 0o711)
            for path in (scratch, *scratch.iterdir()):
                os.chown(path, uid, uid)
        os.chdir(scratch)
    if root:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        applied.append(f"user id {uid}")
    else:
        applied.append("no jail and no separate user: the grader does not run as root")
    _call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    chosen = {"RLIMIT_AS": mapped + (limits["memory_mb"] << 20), "RLIMIT_FSIZE": limits["file_mb"] << 20,
              "RLIMIT_NOFILE": 256, "RLIMIT_CORE": 0, "RLIMIT_CPU": limits["cpu_seconds"]}
    if root:  # RLIMIT_NPROC counts every process of the user: only meaningful for a user id of its own
        chosen["RLIMIT_NPROC"] = limits["processes"]
    for name, value in chosen.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails with an error instead of killing
    applied.append(f"limits: memory {limits['memory_mb']} MB, "
                   + (f"{limits['processes']} processes, " if root else "no process limit, ")
                   + f"files {limits['file_mb']} MB, CPU {limits['cpu_seconds']} s")
    return applied


def _mapped_bytes() -> int:
    """Address space mapped now (torch's libraries are large): the memory limit is counted on top of it."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()
