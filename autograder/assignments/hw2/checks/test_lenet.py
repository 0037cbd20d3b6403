from autograder.engine.grade.checks import compare_layers, compare_outputs, expect, points, tensor


@points(1.5, "lenet", "LeNet-5: every convolution and linear layer")
def test_lenet_layers(student, reference):
    doing = "creating LeNet_5()"
    compare_layers(student.probe("lenet", "lenet", doing).get("layers"),
                   reference.probe("lenet", "lenet", doing)["layers"], "LeNet_5")


@points(0.5, "lenet", "LeNet-5: 61,706 parameters and (B, 10) scores")
def test_lenet_size(student, reference):
    found = student.probe("lenet", "lenet", "creating LeNet_5()")
    expected = reference.probe("lenet", "lenet", "creating LeNet_5()")
    expect(found.get("n_params") == expected["n_params"],
           f"LeNet_5 has {found.get('n_params'):,} parameters, expected {expected['n_params']:,}")
    expect(found.get("output_shapes") == expected["output_shapes"],
           f"LeNet_5 maps a batch of shape (4, 1, 32, 32) to {found.get('output_shapes')}, expected "
           f"{expected['output_shapes']}")


@points(1.0, "lenet", "LeNet-5: same outputs as the reference with the same weights")
def test_lenet_computes_like_the_reference(student, reference, settings):
    found = tensor(student.probe("lenet", "lenet", "running LeNet_5 with the reference's weights"), "same_weights_output")
    expected = tensor(reference.probe("lenet", "lenet", "running LeNet_5"), "same_weights_output")
    compare_outputs(found, expected, settings.equivalence_atol, "LeNet_5",
                    "check the activations (tanh after each layer but the last) and where the pooling happens")
