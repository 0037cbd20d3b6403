from autograder.engine.grade.checks import compare_layers, compare_outputs, expect, points, tensor

DOING = {"encoder2": "creating Encoder(2)", "encoder4": "creating Encoder(4)"}


@points(1.0, "encoder", "Encoder: layers as in the table")
def test_encoder_layers(student, reference):
    for probe in ("encoder2", "encoder4"):
        compare_layers(student.probe(probe, "encoder", DOING[probe]).get("layers"),
                       reference.probe(probe, "encoder", DOING[probe])["layers"], DOING[probe][9:])


@points(0.5, "encoder", "Encoder: parameter counts and output shapes")
def test_encoder_size(student, reference):
    for probe in ("encoder2", "encoder4"):
        found, expected = student.probe(probe, "encoder", DOING[probe]), reference.probe(probe, "encoder", DOING[probe])
        name = DOING[probe][9:]
        expect(found.get("n_params") == expected["n_params"],
               f"{name} has {found.get('n_params'):,} parameters, expected {expected['n_params']:,}")
        expect(found.get("output_shapes") == expected["output_shapes"],
               f"{name} maps images of shape (4, 1, 28, 28) to {found.get('output_shapes')}, expected {expected['output_shapes']}")


@points(0.5, "encoder", "Encoder: same outputs as the reference with the same weights")
def test_encoder_computes_like_the_reference(student, reference, settings):
    for probe in ("encoder2", "encoder4"):
        found = tensor(student.probe(probe, "encoder", DOING[probe]), "same_weights_output")
        expected = tensor(reference.probe(probe, "encoder", DOING[probe]), "same_weights_output")
        compare_outputs(found, expected, settings.equivalence_atol, DOING[probe][9:],
                        "check the ReLUs, the pooling and the flattening in forward")
