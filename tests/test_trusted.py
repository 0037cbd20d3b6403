"""Submitted tensors fitted onto the reference's model: by name, by the order forward uses them, or refused."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn

from autograder.engine.grade.probing import MEASURING_DEVICE, answer_all, load_weights, on_device, state_order
from autograder.engine.assignment import WeightedModel
from autograder.engine.grade.trusted import TrustedWeights, fit, measuring_device


class Reference(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)    # (B, 1, 6, 6) -> (B, 2, 4, 4)
        self.norm = nn.BatchNorm2d(2)
        self.fc = nn.Linear(32, 3)        # (B, 32) -> (B, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.norm(self.conv(x))).flatten(1))


class Variant(nn.Module):
    """The same computation, its layers registered in another order under other names."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(32, 3)
        self.body = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())

    def forward(self, x):
        return self.head(self.body(x).flatten(1))


X = torch.randn(4, 1, 6, 6)


def fitted(state, claimed):
    reference = Reference()
    return fit(state, target=reference.state_dict(), target_order=state_order(reference, X), claimed_order=claimed,
               file="w.pth", model_class="Reference")


def test_identical_names_fit_by_name():
    state = Reference().state_dict()
    assert fitted(state, None)[1] == "by name"


def test_other_names_and_registration_order_fit_by_the_order_forward_uses_them():
    torch.manual_seed(0)
    variant = Variant().eval()
    variant.body[1].running_mean.uniform_()
    state, how = fitted(variant.state_dict(), state_order(variant, X))
    assert how == "in the order your model's forward uses them"
    reference = Reference().eval()
    reference.load_state_dict(state)
    assert torch.allclose(reference(X), variant(X))


def test_a_false_order_claim_cannot_fit_tensors_of_the_wrong_shapes():
    state = Variant().state_dict()  # registration order: head first, which does not fit
    with pytest.raises(ValueError, match=r"does not fit the homework's Reference: it holds 9 tensors, the homework.s model 9"):
        fitted(state, list(reversed(list(state))))


def test_tensors_of_another_architecture_are_refused_with_what_differs():
    state = {"conv.weight": torch.zeros(4, 1, 3, 3), "conv.bias": torch.zeros(4)}
    with pytest.raises(ValueError, match=r"holds 2 tensors, the homework.s model 9; tensor 1 .* is \(4, 1, 3, 3\)"):
        fitted(state, None)


def test_the_measuring_device_is_the_configured_one_and_auto_prefers_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert measuring_device("auto") == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert measuring_device("auto") == "cuda"
    assert measuring_device("cpu") == "cpu"


@pytest.mark.filterwarnings("ignore:.*meta parameter")  # loading numbers into meta tensors does nothing, as meant
def test_weight_probes_get_their_models_on_the_measuring_device_and_answers_come_back_on_the_cpu(tmp_path):
    """The meta device stands in for CUDA here: it moves and computes shapes but holds no numbers."""
    torch.save(Reference().state_dict(), tmp_path / "w.pth")

    def probe(ns, inputs, weights_dir):
        model = load_weights(ns["model"], weights_dir / "w.pth")
        return {"device": str(next(model.parameters()).device), "shape": list(model(inputs["x"]).shape)}

    answers, _ = answer_all([("weights", probe, True)], {"model": Reference()}, on_device({"x": X}, "meta"), tmp_path,
                            with_weights=True, seed=0, device="meta")
    assert answers["weights"] == {"device": "meta", "shape": [4, 3]}
    assert MEASURING_DEVICE.get() == "cpu"  # set only while the probes run
    answers, _ = answer_all([("weights", probe, True)], {"model": Reference()}, {"x": X}, tmp_path,
                            with_weights=True, seed=0)
    assert answers["weights"]["device"] == "cpu"


def test_on_device_moves_every_tensor_inside_dicts_lists_and_tuples():
    moved = on_device({"a": [X, (X, 3)], "b": "text"}, "meta")
    assert moved["a"][0].is_meta and moved["a"][1][0].is_meta and moved["a"][1][1] == 3 and moved["b"] == "text"
    assert isinstance(moved["a"][1], tuple)


def test_weight_probes_take_the_fitted_tensors_and_read_no_file(tmp_path):
    state = Reference().eval().state_dict()

    def probe(file):
        return lambda ns, inputs, weights_dir: load_weights(ns["model"], weights_dir / file)(inputs["x"])

    answers, _ = answer_all([("fitted", probe("w.pth"), True), ("other", probe("other.pth"), True)],
                            {"model": Reference().eval()}, {"x": X}, tmp_path / "absent", with_weights=True, seed=0,
                            fitted={"w.pth": state})
    expected = Reference().eval()
    expected.load_state_dict(state)
    assert torch.allclose(answers["fitted"], expected(X))
    assert answers["other"] == {"error": "FileNotFoundError: other.pth is not among the weight files the grader fitted"}


def test_each_measurement_holds_only_its_own_submission_s_tensors(tmp_path):
    """The reference's model is kept from one submission to the next: nothing of one may reach the next."""
    model = WeightedModel("ref", "w.pth", "cell", "weights", "model", "x")
    trusted = TrustedWeights(assignment=SimpleNamespace(settings=SimpleNamespace(models=(model,))),
                             namespace={"model": Reference()}, inputs={"x": X},
                             plan=[("weights", lambda ns, inputs, d: load_weights(ns["model"], d / "w.pth")(inputs["x"]),
                                    True)], seed=0)
    outputs = []
    for seed in (1, 2, 1):
        torch.manual_seed(seed)
        submitted = Reference().eval()
        submitted.norm.running_mean.uniform_()
        torch.save(submitted.state_dict(), tmp_path / f"{seed}.pth")
        measured, _, _ = trusted.measure({"w.pth": tmp_path / f"{seed}.pth"}, None)
        assert torch.allclose(measured["weights"], submitted(X))
        outputs.append(measured["weights"])
    assert torch.equal(outputs[0], outputs[2]) and not torch.allclose(outputs[0], outputs[1])
