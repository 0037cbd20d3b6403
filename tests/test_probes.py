"""Probes describe a module by the layers forward calls, and load weights by that order."""

import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from autograder.engine.grade.probing import (_max_pool_2x2, batched, describe_error, describe_module, reference_weights,
                                             run_with_weights)


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


@pytest.mark.parametrize("memory_format", [torch.contiguous_format, torch.channels_last])
def test_quick_max_pools_give_max_pool2d_s_numbers_odd_sizes_and_nans_included(memory_format):
    torch.manual_seed(0)
    x = torch.randn(3, 5, 9, 8)
    x[0, 0, 2, 3] = float("nan")
    x = x.contiguous(memory_format=memory_format)
    torch.testing.assert_close(_max_pool_2x2(x), F.max_pool2d(x, 2, 2), rtol=0, atol=0, equal_nan=True)


class SamplingEncoder(nn.Module):
    """Flattens a pooled convolution with .view, which NHWC memory cannot take, then samples, as a VAE does."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)       # (B, 1, 11, 11) -> (B, 8, 9, 9)
        self.pool = nn.MaxPool2d(2)          # -> (B, 8, 4, 4): the odd last row and column dropped
        self.fc = nn.Linear(8 * 4 * 4, 2)

    def forward(self, x):
        h = self.fc(torch.relu(self.pool(self.conv(x))).view(x.shape[0], -1))
        return h + torch.randn_like(h)


def test_batched_in_nhwc_memory_gives_the_nchw_outputs_and_draws_the_same_noise():
    torch.manual_seed(0)
    model, x = SamplingEncoder().eval(), torch.randn(7, 1, 11, 11)
    with pytest.raises(RuntimeError, match="view"):  # what batched takes care of
        copy.deepcopy(model).to(memory_format=torch.channels_last)(x.contiguous(memory_format=torch.channels_last))
    torch.manual_seed(1)
    expected = model(x)
    torch.manual_seed(1)
    torch.testing.assert_close(batched(copy.deepcopy(model), x, 3, channels_last=True), expected, rtol=0, atol=1e-5)
    torch.manual_seed(1)
    torch.testing.assert_close(batched(model, x, 3), expected, rtol=0, atol=1e-5)
    assert "forward" not in vars(model.pool) and not model.pool._forward_hooks  # the model left as it was


def test_errors_name_the_cell_and_line():
    try:
        exec(compile("x = 1\ny = undefined_name", "<cell lenet>", "exec"), {})
    except NameError as error:
        assert describe_error(error) == "NameError: name 'undefined_name' is not defined (cell lenet, line 2)"
    try:
        compile("x = ### YOUR CODE HERE ###", "<cell model>", "exec")
    except SyntaxError as error:
        assert describe_error(error) == "SyntaxError: invalid syntax (cell model, line 1)"


# The guards of the student's process (autograder/engine/grade/guard.py): defence in depth, tested as such.

def test_a_rebound_torch_function_or_method_is_named(monkeypatch):
    from autograder.engine.grade import guard

    watch = guard.Watch(guard.torch_namespaces())
    assert watch.changed() == []
    monkeypatch.setattr(torch, "cat", lambda *args, **kwargs: None)
    monkeypatch.setattr(torch.Tensor, "__eq__", lambda self, other: True, raising=False)  # inherited from the C base
    assert watch.changed() == ["torch.cat", "torch.Tensor.__eq__"]
    assert guard.changed_message(watch.changed()).startswith("the notebook changed the grader's code: torch.cat, ")


def test_a_probe_changed_in_place_is_named():
    from autograder.engine.grade import guard

    def make(value):
        def probe(ns, inputs, _):
            return value
        return probe

    def helper():
        return "measured"

    probe = make(1)
    namespace = {"helper": helper}
    watch = guard.Watch({"probes": namespace}, functions={"the probe p": probe})
    namespace["added"] = 1  # a new name rebinds nothing
    assert watch.changed() == []
    probe.__closure__[0].cell_contents = 3  # closures and code can change without a rebinding
    helper.__code__ = (lambda: "forged").__code__
    assert watch.changed() == ["probes.helper", "the probe p"]


def test_the_runners_modules_leave_sys_modules_and_sys_path(tmp_path, monkeypatch):
    import sys

    from autograder.engine.grade import guard

    runner = tmp_path / "runner"
    runner.mkdir()
    (runner / "assignment_probes_under_test.py").write_text("PLAN = []\n")
    (runner / "second_probes_under_test.py").write_text("PLAN = []\n")
    (tmp_path / "link").symlink_to(runner)  # a runner reached through a link is the same folder
    monkeypatch.syspath_prepend(str(runner))
    import assignment_probes_under_test as probes

    monkeypatch.syspath_prepend(str(tmp_path / "link"))
    import second_probes_under_test as second

    hidden = guard.hide(str(runner))
    assert hidden == [probes, second] and "assignment_probes_under_test" not in sys.modules
    assert not {str(runner), str(tmp_path / "link")} & set(sys.path) and "torch" in sys.modules
    with pytest.raises(ImportError):
        import assignment_probes_under_test  # noqa: F401


def test_a_forbidden_call_raises_in_the_notebooks_words_and_restoring_it_is_caught(monkeypatch):
    import torch.distributions as distributions

    from autograder.engine.grade import guard

    original = distributions.ContinuousBernoulli
    monkeypatch.setattr(distributions, "ContinuousBernoulli", original)  # undone after the test
    replaced = guard.forbid([("torch.distributions.ContinuousBernoulli", "write the log-density yourself")])
    from torch.distributions import ContinuousBernoulli  # an alias taken in a cell is the disabled one

    with pytest.raises(guard.ForbiddenCall, match="^write the log-density yourself$"):
        ContinuousBernoulli(probs=torch.tensor(0.5))
    watch = guard.Watch({}, attributes=replaced)
    distributions.ContinuousBernoulli = original
    assert watch.changed() == ["torch.distributions.ContinuousBernoulli"]


def test_forbidden_names_must_exist():
    from autograder.engine.grade import guard

    with pytest.raises(LookupError, match="torch.distributions.ContinuousBernouli"):
        guard.resolve("torch.distributions.ContinuousBernouli")
    with pytest.raises(LookupError):
        guard.resolve("no_such_module.f")


def test_every_assignments_forbidden_calls_resolve():
    from autograder.engine.assignment import assignment_ids, load
    from autograder.engine.grade import guard

    for assignment_id in assignment_ids():
        for dotted, message in load(assignment_id).settings.forbidden_calls:
            guard.resolve(dotted)
            assert message.strip(), f"{assignment_id}: forbidden_calls {dotted} needs the notebook's words"


def test_batched_in_nhwc_memory_leaves_the_module_in_nchw_memory():
    """The module comes back as it came: the same module answers later probes (and, on the grader's side, the cached
    solution's models build the fixtures), whose forwards may flatten with .view."""
    torch.manual_seed(0)
    model, x = SamplingEncoder().eval(), torch.randn(4, 1, 11, 11)
    batched(model, x, 2, channels_last=True)
    assert all(p.is_contiguous() for p in model.parameters())
    assert model(x).shape == (4, 2)  # in NHWC weights, the conv's output would be NHWC and .view would raise
    with pytest.raises(RuntimeError):  # a forward that raises (here on images of the wrong size) too
        batched(model, torch.randn(4, 1, 13, 13), 2, channels_last=True)
    assert all(p.is_contiguous() for p in model.parameters())
