"""Part 3: activation bending functions, bending one layer, layer-wise interpolation (6 points)."""

from autograder.engine.grade.checks import expect, points

from autograder.assignments.bending.checks.support import (after_the_main_answer, as_dict, as_list, as_tensor, close,
                                                          left_as_found, left_as_found_when_it_raises,
                                                          without_gradients)


@points(1, "bend_activation_ops", "keep_top_channels: per instance, the channels of largest mean, ties to the lower index")
def test_keep_top_channels(student, reference, settings, probe_inputs):
    found = student.probe("top_channels", "bend_activation_ops", "calling keep_top_channels")
    expected = reference.probe("top_channels", "bend_activation_ops", "calling keep_top_channels")
    kept = as_list(found.get("kept"), "keep_top_channels")
    expect(len(kept) == len(probe_inputs["fractions"]), "keep_top_channels: not every call was answered")
    channels = probe_inputs["activation"].shape[1]
    for fraction, got, want in zip(probe_inputs["fractions"], kept, expected["kept"]):
        close(got, want, settings.atol, f"keep_top_channels({fraction})(a) on an activation of "
              f"{channels} channels (with ties)",
              f"keep the ceil({fraction} * {channels}) channels of largest mean over height and width for each "
              "instance, ties to the lower channel index, zero the others")
    expect(found.get("argument_unchanged") is True, "keep_top_channels changed the activation passed to it")


def _normalisation(student, reference, settings, key: str, dimension: str) -> None:
    found = student.probe("normalisations", "bend_activation_ops", "calling the normalisations")
    expected = reference.probe("normalisations", "bend_activation_ops", "calling the normalisations")
    close(found.get(key), expected[key], settings.atol, f"normalise_across_{key}(a)",
          f"divide by a.abs().amax({dimension}, keepdim=True), at least 1e-8")
    expect(found.get(f"{key}_argument_unchanged") is True,
           f"normalise_across_{key} changed the activation passed to it: return a new tensor")


@points(0.5, "bend_activation_ops", "normalise_across_instances: over the batch dimension")
def test_normalise_across_instances(student, reference, settings):
    _normalisation(student, reference, settings, "instances", "0 (the batch dimension)")


@points(0.5, "bend_activation_ops", "normalise_across_channels: over the channel dimension")
def test_normalise_across_channels(student, reference, settings):
    _normalisation(student, reference, settings, "channels", "1 (the channel dimension)")


@points(1, "bend_activation", "bend_activation: the outputs with the named layer's output bent")
def test_bend_activation_outputs(student, reference, settings, probe_inputs):
    found = student.probe("bend_activation", "bend_activation", "calling bend_activation")
    expected = reference.probe("bend_activation", "bend_activation", "calling bend_activation")
    _compare_bent_outputs(found, expected, settings, probe_inputs)
    without_gradients(found, "bend_activation")


def _compare_bent_outputs(found, expected, settings, probe_inputs) -> None:
    outputs = as_list(found.get("outputs"), "bend_activation")
    expect(len(outputs) == len(expected["outputs"]), "bend_activation: not every call was answered")
    for (layer, bend, method), got, want in zip(probe_inputs["activation_bends"], outputs, expected["outputs"]):
        argument = "x" if method == "encode" else "z"
        close(got, want, settings.atol, f"bend_activation(vae, {layer!r}, <{bend}>, {argument}, method={method!r})",
              "replace that module's output a by fn(a) (a forward hook that returns fn(output)), and nothing else")


@points(1, "bend_activation", "bend_activation: leaves no hook and the model unchanged, even when the call raises")
def test_bend_activation_cleans_up(student, reference, settings, probe_inputs):
    found = student.probe("bend_activation", "bend_activation", "calling bend_activation")
    expected = reference.probe("bend_activation", "bend_activation", "calling bend_activation")
    after_the_main_answer(lambda: _compare_bent_outputs(found, expected, settings, probe_inputs), "leaving no hook behind")
    left_as_found(found, expected, 0.0, f"{len(probe_inputs['activation_bends'])} calls of bend_activation")
    layer, bend, _ = probe_inputs["activation_bends"][0]
    left_as_found_when_it_raises(found, expected, f"bend_activation(vae, {layer!r}, <{bend}>, z, method='decode')")


def _mixes(student, probe_inputs) -> dict:
    found = student.probe("interpolate", "bend_interpolate", "calling interpolate_at_layer")
    return as_dict(found.get("mixes"), "interpolate_at_layer"), found


@points(1, "bend_interpolate", "interpolate_at_layer: the endpoints are the plain decodes, no hook left")
def test_interpolation_endpoints(student, reference, settings, probe_inputs):
    mixes, found = _mixes(student, probe_inputs)
    plain = reference.probe("plain", "bend_model", "decoding the test digits")["pair_decoded"]
    weights = probe_inputs["interpolation_weights"]
    for layer in probe_inputs["interpolation_layers"]:
        call = f"interpolate_at_layer(vae, {layer!r}, x, weights)"
        images = as_tensor(mixes.get(layer), call)
        expect(tuple(images.shape) == (len(weights), 1, 28, 28),
               f"{call} has shape {tuple(images.shape)}, expected {(len(weights), 1, 28, 28)} (one image per row "
               "of weights)")
        close(images[0], plain[0], settings.atol, f"{call}, row [1, 0, 0]",
              "a row that takes all of one image's activation must give that image's plain decode (of mu)")
        close(images[1], plain[2], settings.atol, f"{call}, row [0, 0, 1]",
              "a row that takes all of one image's activation must give that image's plain decode (of mu)")
    left_as_found(found, reference.probe("interpolate", "bend_interpolate", "calling interpolate_at_layer"), 0.0,
                  "interpolate_at_layer")


@points(1, "bend_interpolate", "interpolate_at_layer: mixes the activations at the layer")
def test_interpolation_mixes(student, reference, settings, probe_inputs):
    mixes, found = _mixes(student, probe_inputs)
    expected = reference.probe("interpolate", "bend_interpolate", "calling interpolate_at_layer")["mixes"]
    for layer in probe_inputs["interpolation_layers"]:
        close(mixes.get(layer), expected[layer], settings.atol, f"interpolate_at_layer(vae, {layer!r}, x, weights)",
              "mix the layer's activations (weights @ activations, each flattened) and decode on from that layer; "
              "mixing decoded images (pixel space) gives the same endpoints but other mixes")
    without_gradients(found, "interpolate_at_layer")
