"""Probes describe a module by the layers forward calls, and load weights by that order."""

import pytest
import torch
import torch.nn as nn

from autograder.engine.grade.probing import describe_error, describe_module, reference_weights, run_with_weights


class Attributes(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(2 * 3 * 3, 4)

    def forward(self, x):
        return self.fc(torch.relu(self.pool(self.conv(x))).flatten(1))


class SequentialRegisteredBackwards(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(2 * 3 * 3, 4)  # registered first, called last
        self.body = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2))

    def forward(self, x):
        return self.head(self.body(x).flatten(1))


def test_layers_are_listed_in_call_order_whatever_the_registration():
    x = torch.randn(2, 1, 8, 8)
    plain, sequential = describe_module(Attributes(), x), describe_module(SequentialRegisteredBackwards(), x)
    strip = lambda layers: [{k: v for k, v in layer.items() if k != "name"} for layer in layers]
    assert strip(plain["layers"]) == strip(sequential["layers"])
    assert [layer["type"] for layer in plain["layers"]] == ["Conv2d", "MaxPool2d", "Linear"]
    assert plain["layers"][0]["kernel_size"] == [3, 3] and plain["n_params"] == sequential["n_params"] == 96


def test_same_weights_give_the_same_outputs_across_styles():
    x = torch.randn(2, 1, 8, 8)
    weights = reference_weights(Attributes(), x, seed=0)
    expected = run_with_weights(Attributes(), x, weights)
    assert torch.allclose(run_with_weights(SequentialRegisteredBackwards(), x, weights), expected, atol=1e-6)


def test_weights_that_do_not_fit_are_reported_by_position():
    x = torch.randn(2, 1, 8, 8)
    weights = reference_weights(Attributes(), x, seed=0)
    weights[0][0] = torch.zeros(2, 1, 5, 5)
    with pytest.raises(ValueError, match=r"layer 1 in call order has a parameter of shape \(2, 1, 3, 3\)"):
        run_with_weights(Attributes(), x, weights)


def test_errors_name_the_cell_and_line():
    try:
        exec(compile("x = 1\ny = undefined_name", "<cell lenet>", "exec"), {})
    except NameError as error:
        assert describe_error(error) == "NameError: name 'undefined_name' is not defined (cell lenet, line 2)"
    try:
        compile("x = ### YOUR CODE HERE ###", "<cell model>", "exec")
    except SyntaxError as error:
        assert describe_error(error) == "SyntaxError: invalid syntax (cell model, line 1)"
