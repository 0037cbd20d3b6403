"""Part 2: the weight bending functions and bending the weights of a model (5 points)."""

from autograder.engine.grade.checks import expect, points

from autograder.assignments.bending.checks.support import (after_the_main_answer, as_list, as_tensor, close,
                                                          left_as_found, left_as_found_when_it_raises,
                                                          without_gradients)


@points(1, "bend_weight_ops", "keep_mask and mask: reproducible from the seed, keeping the stated fraction")
def test_mask(student, reference, settings, probe_inputs):
    found = student.probe("mask", "bend_weight_ops", "calling keep_mask and mask")
    expected = reference.probe("mask", "bend_weight_ops", "calling keep_mask and mask")
    answers = as_list(found.get("masks"), "keep_mask")
    expect(len(answers) == len(expected["masks"]), "keep_mask: not every call was answered")
    for (shape, keep, seed), got, want in zip(probe_inputs["masks"], answers, expected["masks"]):
        call = f"keep_mask({tuple(shape)}, keep={keep}, seed={seed})"
        mask = as_tensor(got.get("mask") if isinstance(got, dict) else None, call)
        expect(tuple(mask.shape) == tuple(shape), f"{call} has shape {tuple(mask.shape)}, expected {tuple(shape)}")
        expect(bool(((mask == 0) | (mask == 1)).all()), f"{call} holds values other than True/False (1/0)")
        again = as_tensor(got.get("again"), f"{call} called again")
        expect(torch_equal(mask, again), f"{call} called twice gave two different masks: draw from a new "
                                         "torch.Generator seeded with seed, not from the global random state")
        kept = mask.mean().item()
        if mask.numel() >= 1000:
            expect(abs(kept - keep) <= settings.mask_fraction_tolerance,
                   f"{call} keeps {kept:.1%} of the entries, expected about {keep:.0%}: an entry is kept (True) "
                   "where the uniform draw is below keep")
        expect(torch_equal(mask, want["mask"].float()),
               f"{call} keeps {kept:.1%} of the entries but not the reference's: draw torch.rand(shape, generator=g) "
               "< keep with g = torch.Generator().manual_seed(seed)")
        generator = as_tensor(got.get("from_generator"), f"keep_mask({tuple(shape)}, {keep}, <a torch.Generator>)")
        expect(torch_equal(generator, want["from_generator"].float()),
               f"keep_mask(shape, keep, generator) with a torch.Generator that had given "
               f"{probe_inputs['generator_draws']} numbers must draw from that generator as it is (not re-seed it)")
    shape, keep, seed = probe_inputs["masks"][-1]
    close(found.get("masked"), expected["masked"], 0.0, f"mask({keep}, seed={seed})(weight)",
          "zero the weights where keep_mask(weight.shape, keep, seed) is False, keep the others unchanged")
    expect(found.get("argument_unchanged") is True, f"mask({keep}, seed)(weight) changed its argument: return a new tensor")


def torch_equal(a, b) -> bool:
    return tuple(a.shape) == tuple(b.shape) and bool((a == b).all())


def _scale_or_bias(student, reference, settings, probe_inputs, key: str, name: str, values: str) -> None:
    found = student.probe("scale_bias", "bend_weight_ops", "calling scale and bias")
    expected = reference.probe("scale_bias", "bend_weight_ops", "calling scale and bias")
    got = as_list(found.get(key), name)
    expect(len(got) == len(probe_inputs[values]), f"{name}: not every call was answered")
    for value, one, want in zip(probe_inputs[values], got, expected[key]):
        close(one, want, settings.atol, f"{name}({value})(weight)")
    expect(found.get(f"{key}_argument_unchanged") is True, f"{name} changed the weight passed to it: return a new tensor")


@points(0.5, "bend_weight_ops", "scale: multiplies every weight")
def test_scale(student, reference, settings, probe_inputs):
    _scale_or_bias(student, reference, settings, probe_inputs, "scaled", "scale", "factors")


@points(0.5, "bend_weight_ops", "bias: adds to every weight")
def test_bias(student, reference, settings, probe_inputs):
    _scale_or_bias(student, reference, settings, probe_inputs, "biased", "bias", "amounts")


def _bend_call(pattern, bend, method) -> str:
    argument = "x" if method == "encode" else "z"
    return f"bend_weights(vae, r'{pattern}', <{bend}>, {argument}, method={method!r})"


@points(1, "bend_weights", "matching_parameters: the names the pattern matches entirely, in order")
def test_matching_parameters(student, reference, probe_inputs):
    found = student.probe("matching", "bend_weights", "calling matching_parameters")
    expected = reference.probe("matching", "bend_weights", "calling matching_parameters")
    names = as_list(found.get("names"), "matching_parameters")
    expect(len(names) == len(expected["names"]), "matching_parameters: not every call was answered")
    for pattern, got, want in zip(probe_inputs["patterns"], names, expected["names"]):
        expect(got == want, f"matching_parameters(vae, r'{pattern}') gave {got}, expected {want}: "
                            "names of named_parameters() that re.fullmatch accepts (the whole name), in that order")


@points(1, "bend_weights", "bend_weights: the outputs with the matching parameters bent")
def test_bend_weights_outputs(student, reference, settings, probe_inputs):
    found = student.probe("bend_weights", "bend_weights", "calling bend_weights")
    expected = reference.probe("bend_weights", "bend_weights", "calling bend_weights")
    _compare_bent_outputs(found, expected, settings, probe_inputs)
    without_gradients(found, "bend_weights")


def _compare_bent_outputs(found, expected, settings, probe_inputs) -> None:
    outputs = as_list(found.get("outputs"), "bend_weights")
    expect(len(outputs) == len(expected["outputs"]), "bend_weights: not every call was answered")
    for (pattern, bend, method), got, want in zip(probe_inputs["weight_bends"], outputs, expected["outputs"]):
        close(got, want, settings.atol, _bend_call(pattern, bend, method),
              "call the method once with every parameter whose whole name the pattern matches (re.fullmatch) "
              "replaced by fn(p), the others as they are")


@points(1, "bend_weights", "bend_weights: leaves the model bit-identical and without hooks, even when the call raises")
def test_bend_weights_restores(student, reference, settings, probe_inputs):
    found = student.probe("bend_weights", "bend_weights", "calling bend_weights")
    expected = reference.probe("bend_weights", "bend_weights", "calling bend_weights")
    after_the_main_answer(lambda: _compare_bent_outputs(found, expected, settings, probe_inputs),
                          "leaving the model as it was")
    left_as_found(found, expected, 0.0, f"{len(probe_inputs['weight_bends'])} calls of bend_weights")
    pattern, bend, _ = probe_inputs["weight_bends"][0]
    left_as_found_when_it_raises(found, expected, f"bend_weights(vae, r'{pattern}', <{bend}>, z, method='decode')")
