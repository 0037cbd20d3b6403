import torch

from autograder.engine.grade.checks import CheckFailed, compare_layers, expect, points

NAMES = ("h1", "h2", "h3", "h4", "h5", "h6")
DOING = "creating Net2()"
RUNNING = "running Net2().extract with fixed weights"


def extracted(answers) -> list:
    answer = answers.probe("net2", "net2", DOING)
    found = answer.get("extract")
    if isinstance(found, dict) and isinstance(found.get("error"), str):
        raise CheckFailed(f"{RUNNING} failed: {found['error']}")
    if not isinstance(found, list):
        raise CheckFailed(f"{RUNNING}: no activations came back")
    count = answer.get("extract_count")
    expect(count == 6, f"extract should return six tensors (h1 to h6), it returned {count}")
    return found


def shaped(student, reference) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """(name, student's, reference's) for each of the six activations whose shapes agree."""
    found, expected = extracted(student), extracted(reference)
    return [(name, f.float(), e) for name, f, e in zip(NAMES, found, expected)
            if isinstance(f, torch.Tensor) and f.shape == e.shape]


@points(1, "net2", "Net2: Net's convolution and linear layers")
def test_net2_layers(student, reference):
    compare_layers(student.probe("net2", "net2", DOING).get("layers"), reference.probe("net2", "net2", DOING)["layers"],
                   "Net2")


@points(0.5, "net2", "Net2: loads the weights of a Net (mnist_cnn.pt)")
def test_net2_loads_net_weights(student):
    loads = student.probe("net2", "net2", DOING).get("loads_net_weights")
    expect(loads is True, f"Net2().load_state_dict(Net().state_dict()) failed ({loads}): give Net2 Net's layers "
                          "under the same attribute names (conv1, conv2, fc1, fc2) so that it loads mnist_cnn.pt")


@points(1, "net2", "extract: six activations of the right shapes, in order")
def test_extract_shapes(student, reference):
    found, expected = extracted(student), extracted(reference)
    wrong = [f"{name} {tuple(f.shape) if isinstance(f, torch.Tensor) else type(f).__name__} (expected "
             f"{tuple(e.shape)})" for name, f, e in zip(NAMES, found, expected)
             if not isinstance(f, torch.Tensor) or f.shape != e.shape]
    expect(not wrong, "for a batch of 4 images, extract returned " + "; ".join(wrong) +
           ": return h1 (after the first ReLU), h2 (first pooling), h3 (second ReLU), h4 (second pooling), "
           "h5 (third ReLU) and h6 (the output), in this order")


@points(1.5, "net2", "extract: h1 to h5 equal the reference's with the same weights")
def test_extract_matches_the_reference(student, reference, settings):
    found = {name: (f, e) for name, f, e in shaped(student, reference)}
    missing = [name for name in NAMES[:5] if name not in found]
    expect(not missing, f"{', '.join(missing)} do not have the expected shape, so their values cannot be compared")
    problems = []
    for name in NAMES[:5]:
        f, e = found[name]
        gap = (f - e).abs().max().item()
        if not gap <= settings.equivalence_atol:
            negative = " (it has negative values: is it taken before the ReLU?)" if f.min().item() < 0 else ""
            problems.append(f"{name} differs by up to {gap:.3g}{negative}")
    expect(not problems, "with the same weights as the reference, " + "; ".join(problems) +
           f" (tolerance {settings.equivalence_atol:g}): check where each activation is taken")


@points(0.5, "net2", "extract: h6 is the network's output (log-probabilities)")
def test_h6_is_the_networks_output(student, reference, settings):
    answer = student.probe("net2", "net2", DOING)
    found = dict((name, f) for name, f, _ in shaped(student, reference))
    expect("h6" in found, "h6 does not have the shape (B, 10)")
    expected = reference.probe("net2", "net2", DOING)["forward"]
    gap = (found["h6"] - expected).abs().max().item()
    own = answer.get("forward")
    same_as_own = isinstance(own, torch.Tensor) and own.shape == found["h6"].shape and \
        (own.float() - found["h6"]).abs().max().item() <= settings.equivalence_atol
    expect(gap <= settings.equivalence_atol,
           f"with the same weights, h6 differs from the network's output by up to {gap:.3g}"
           + ("" if same_as_own else ", and from what your forward returns")
           + ": h6 is what forward returns, after log_softmax")
