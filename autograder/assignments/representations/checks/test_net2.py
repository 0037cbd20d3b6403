import torch

from autograder.engine.grade.checks import CheckFailed, compare_layers, expect, points

NAMES = ("h1", "h2", "h3", "h4", "h5", "h6")
DOING = "creating Net2()"
RUNNING = "running Net2().extract with fixed weights"


def extracted(answers) -> list:
    """The tensors extract returned, by position (None where it returned fewer than six or not a tensor)."""
    answer = answers.probe("net2", "net2", DOING)
    found = answer.get("extract")
    if isinstance(found, dict) and isinstance(found.get("error"), str):
        raise CheckFailed(f"{RUNNING} failed: {found['error']}")
    if not isinstance(found, list):
        raise CheckFailed(f"{RUNNING}: no activations came back")
    return [f if isinstance(f, torch.Tensor) else None for f in found[:6]] + [None] * (6 - len(found[:6]))


def count_note(answers) -> str:
    count = answers.probe("net2", "net2", DOING).get("extract_count")
    return "" if count == 6 else f" (extract returned {count} tensors, not six: each is compared by its position)"


def compared(student, reference, settings) -> dict[str, tuple[str, str]]:
    """Each activation by itself: name -> (verdict, detail), verdict "right", "shape" (wrong shape, so its values
    cannot be compared) or "values" (right shape, values differ). h1 to h5 are compared with the reference's, h6
    with the reference network's output, all with the same fixed weights on the same images."""
    found, expected = extracted(student), extracted(reference)
    expected[5] = reference.probe("net2", "net2", DOING)["forward"]
    verdicts = {}
    for name, f, e in zip(NAMES, found, expected):
        if f is None or f.shape != e.shape:
            shown = "nothing" if f is None else f"shape {tuple(f.shape)}"
            verdicts[name] = ("shape", f"{name}: {shown}, expected {tuple(e.shape)}")
            continue
        gap = (f.float() - e).abs().max().item()
        if gap <= settings.equivalence_atol:
            verdicts[name] = ("right", "")
        else:
            negative = " (it has negative values: is it taken before the ReLU?)" if name != "h6" and f.min().item() < 0 else ""
            verdicts[name] = ("values", f"{name} differs by up to {gap:.3g}{negative}")
    return verdicts


def scored(parts: dict[str, tuple[str, str]], message: str) -> None:
    """Full points when every part is right, else the share of right parts with ``message`` (parts score
    independently: one wrong activation costs only its share)."""
    right = sum(verdict == "right" for verdict, _ in parts.values())
    if right < len(parts):
        raise CheckFailed(message, kept=right / len(parts))


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
def test_extract_shapes(student, reference, settings):
    # a shape earns its share only with the values it should hold: zeros of the right shapes are not the work
    parts = compared(student, reference, settings)
    wrong = [detail for verdict, detail in parts.values() if verdict == "shape"]
    unearned = [name for name, (verdict, _) in parts.items() if verdict == "values"]
    scored(parts, "for a batch of 4 images, " + "; ".join(
        (["extract returned " + "; ".join(wrong) + ": return h1 (after the first ReLU), h2 (first pooling), h3 "
          "(second ReLU), h4 (second pooling), h5 (third ReLU) and h6 (the output), in this order"] if wrong else [])
        + ([f"{', '.join(unearned)} {'has' if len(unearned) == 1 else 'have'} the right shape but not the right "
            "values (see the checks below), and a shape counts only with its values"] if unearned else []))
        + count_note(student) + " (each activation is one sixth of this check)")


@points(1.5, "net2", "extract: h1 to h5 equal the reference's with the same weights")
def test_extract_matches_the_reference(student, reference, settings):
    parts = {name: part for name, part in compared(student, reference, settings).items() if name != "h6"}
    problems = [detail for verdict, detail in parts.values() if verdict == "values"]
    unshaped = [name for name, (verdict, _) in parts.items() if verdict == "shape"]
    scored(parts, "; ".join(
        ([f"with the same weights as the reference, {'; '.join(problems)} (tolerance {settings.equivalence_atol:g}): "
          "check where each activation is taken"] if problems else [])
        + ([f"{', '.join(unshaped)} cannot be compared (wrong shape)"] if unshaped else []))
        + count_note(student) + " (each of h1 to h5 is one fifth of this check)")


@points(0.5, "net2", "extract: h6 is the network's output (log-probabilities)")
def test_h6_is_the_networks_output(student, reference, settings):
    verdict, detail = compared(student, reference, settings)["h6"]
    expect(verdict != "shape", f"h6 does not have the shape (B, 10): {detail}{count_note(student)}")
    found, own = extracted(student)[5], student.probe("net2", "net2", DOING).get("forward")
    same_as_own = isinstance(own, torch.Tensor) and own.shape == found.shape and \
        (own.float() - found.float()).abs().max().item() <= settings.equivalence_atol
    expect(verdict == "right", f"with the same weights, {detail.replace('h6 differs', 'h6 differs from the network output')}"
           + ("" if same_as_own else ", and from what your forward returns")
           + ": h6 is what forward returns, after log_softmax")
