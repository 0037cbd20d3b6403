"""Part 1: reconstructing, recording and listing activations, kernels (5 points)."""

from autograder.engine.grade.checks import expect, points

from autograder.assignments.bending.checks.support import (after_the_main_answer, as_dict, as_list, close,
                                                          left_as_found, left_as_found_when_it_raises,
                                                          without_gradients)


@points(0.5, "bend_reconstruct", "reconstruct: decodes the means")
def test_reconstruct(student, reference, settings, probe_inputs):
    found = student.probe("reconstruct", "bend_reconstruct", "calling reconstruct")
    expected = reference.probe("reconstruct", "bend_reconstruct", "calling reconstruct")
    n = len(probe_inputs["x"])
    close(found.get("mean"), expected["mean"], settings.atol, f"reconstruct(vae, x) on {n} unseen test digits",
          "without a generator decode mu, the encoder's mean, without sampling")
    without_gradients(found, "reconstruct")


@points(0.5, "bend_reconstruct", "reconstruct: decodes a sample drawn from the given generator")
def test_reconstruct_with_a_generator(student, reference, settings, probe_inputs):
    found = student.probe("reconstruct", "bend_reconstruct", "calling reconstruct")
    expected = reference.probe("reconstruct", "bend_reconstruct", "calling reconstruct")
    close(found.get("sampled"), expected["sampled"], settings.atol,
          f"reconstruct(vae, x, generator) with a generator that had given {probe_inputs['generator_draws']} numbers",
          "decode the z of vae.reparametrize(mu, log_var, generator), drawing from the generator as it is passed "
          "(not from the global random state, not re-seeded)")


def _recorded(answer: dict, names: list, what: str) -> dict:
    recorded = as_dict(answer, what)
    missing = [name for name in names if name not in recorded]
    expect(not missing, f"{what} has no entry for {', '.join(missing)}")
    return recorded


@points(1, "bend_record", "record_activations: the outputs of the named layers")
def test_record_activations_values(student, reference, settings, probe_inputs):
    found = student.probe("record", "bend_record", "calling record_activations")
    expected = reference.probe("record", "bend_record", "calling record_activations")
    _compare_records(found, expected, settings, probe_inputs)
    without_gradients(found, "record_activations")


def _compare_records(found, expected, settings, probe_inputs) -> None:
    for method, argument in (("encode", "x"), ("decode", "z")):
        names = probe_inputs["record"][method]
        what = f"record_activations(vae, {names}, {argument}, method={method!r})"
        recorded = _recorded(found.get(method), names, what)
        for name in names:
            close(recorded[name], expected[method][name], settings.atol, f"{what}[{name!r}]",
                  "return each named module's own output (a forward hook's `output` argument)")


@points(1, "bend_record", "record_activations: leaves no hook and the model unchanged, even when the call raises")
def test_record_activations_cleans_up(student, reference, settings, probe_inputs):
    found = student.probe("record", "bend_record", "calling record_activations")
    expected = reference.probe("record", "bend_record", "calling record_activations")
    after_the_main_answer(lambda: _compare_records(found, expected, settings, probe_inputs),
                          "leaving no hook behind")
    left_as_found(found, expected, 0.0, "record_activations")
    left_as_found_when_it_raises(found, expected, "record_activations(vae, names, z, method='decode')")


def _listing(value, what: str) -> list:
    entries = as_list(value, what)
    listing = []
    for entry in entries:
        ok = isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], list)
        expect(ok, f"{what}: each entry must be a (name, shape) pair, found {str(entry)[:80]}")
        listing.append((entry[0], tuple(entry[1])))
    return listing


@points(1, "bend_listing", "list_activations: every leaf layer's output and its shape, in call order")
def test_list_activations(student, reference):
    found = student.probe("listing", "bend_listing", "calling list_activations")
    expected = reference.probe("listing", "bend_listing", "calling list_activations")
    for key, call in (("forward", "list_activations(vae, x)"), ("decode", "list_activations(vae, z, method='decode')"),
                      ("other", "list_activations(net, x) for a small network other than the VAE (other layer "
                                "names, registered in another order than they run, one never run)")):
        got = _listing(found.get(key), call)
        want = [(name, tuple(shape)) for name, shape in expected[key]]
        got_names = dict(got)
        missing = [name for name, _ in want if name not in got_names]
        expect(not missing, f"{call} does not name {', '.join(missing[:4])}"
                            + (f" (and {len(missing) - 4} more)" if len(missing) > 4 else "")
                            + ": list every module without children that the call runs, by its named_modules() name")
        wrong = [f"{name} {got_names[name]} (expected {shape})" for name, shape in want if got_names[name] != shape]
        expect(not wrong, f"{call} gives wrong shapes: {'; '.join(wrong[:3])}")
        extra = [name for name, _ in got if name not in dict(want)]
        expect(not extra, f"{call} lists {', '.join(extra[:4])}, which the call does not run as leaf modules")
        expect(got == want, f"{call} lists the right layers in another order: list them in the order they run, "
                            "each time one runs")
    left_as_found(found, expected, 0.0, "list_activations")


@points(1, "bend_kernels", "kernel_images: each kernel scaled by its largest absolute value")
def test_kernel_images(student, reference, settings, probe_inputs):
    answer = student.probe("kernels", "bend_kernels", "calling kernel_images")
    found = as_dict(answer.get("kernels"), "kernel_images")
    expected = reference.probe("kernels", "bend_kernels", "calling kernel_images")
    zeroed, row, column = probe_inputs["zero_kernel"]
    for layer in probe_inputs["kernel_layers"]:
        close(found.get(layer), expected["kernels"][layer], settings.kernel_atol,
              f"kernel_images(vae, {layer!r})" + (f" (its kernel [{row}, {column}] all zeros)" if layer == zeroed else ""),
              "reshape the weight as stored to (-1, kh, kw), a transposed convolution's (in, out, kh, kw) as it is, "
              "and divide each kernel by its own largest |value|; an all-zero kernel stays zeros")
    left_as_found(answer, expected, 0.0, "kernel_images (it must return a new tensor)")
