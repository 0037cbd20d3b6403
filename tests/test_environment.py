"""requirements.txt and environment.yml pin the same packages, and the pinned torchvision really works."""

import re

import torch
import torchvision


def pins(text: str) -> dict[str, str]:
    found = re.findall(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)\s*(===?)\s*([^\s#]+)", text, flags=re.M)
    return {name.lower(): op + version for name, op, version in found}


def test_requirements_and_environment_yml_agree(config):
    requirements = pins((config.root / "requirements.txt").read_text())
    conda = pins((config.root / "environment.yml").read_text())
    conda.pop("python", None)
    assert requirements == conda
    assert requirements["torch"] == "===2.13.0", "torch must be pinned with === so pip skips the local CPU wheel"


def test_torchvision_operators_load():
    # The machine's local torch wheel imports fine but breaks torchvision's C++ operators; nms exercises them.
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    kept = torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8]), iou_threshold=0.5)
    assert kept.tolist() == [0]
