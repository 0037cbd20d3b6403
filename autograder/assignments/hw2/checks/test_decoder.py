from autograder.engine.grade.checks import compare_layers, compare_outputs, expect, points, tensor

DOING = "creating Decoder(2)"


@points(1.0, "decoder", "Decoder: layers as in the table")
def test_decoder_layers(student, reference):
    compare_layers(student.probe("decoder2", "decoder", DOING).get("layers"),
                   reference.probe("decoder2", "decoder", DOING)["layers"], "Decoder(2)")


@points(0.5, "decoder", "Decoder: 76,129 parameters and 1x28x28 images")
def test_decoder_size(student, reference):
    found, expected = student.probe("decoder2", "decoder", DOING), reference.probe("decoder2", "decoder", DOING)
    expect(found.get("n_params") == expected["n_params"],
           f"Decoder(2) has {found.get('n_params'):,} parameters, expected {expected['n_params']:,}")
    expect(found.get("output_shapes") == expected["output_shapes"],
           f"Decoder(2) maps codes of shape (4, 2) to {found.get('output_shapes')}, expected {expected['output_shapes']}: "
           "check the upsampling factors and the convolutions' padding")


@points(0.5, "decoder", "Decoder: same outputs as the reference with the same weights")
def test_decoder_computes_like_the_reference(student, reference, settings):
    found = tensor(student.probe("decoder2", "decoder", DOING), "same_weights_output")
    expected = tensor(reference.probe("decoder2", "decoder", DOING), "same_weights_output")
    compare_outputs(found, expected, settings.equivalence_atol, "Decoder(2)",
                    "check the ReLUs, the upsampling and the final sigmoid in forward")
