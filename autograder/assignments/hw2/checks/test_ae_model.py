from autograder.assignments.hw2.checks.support import expect_reconstruction
from autograder.engine.grade.checks import expect, points


@points(0.5, "ae_model", "ae_model: an AutoEncoder of Encoder() and Decoder() with a 2-D code")
def test_ae_model_structure(student):
    answer = student.probe("ae_model", "ae_model", "running `ae_model`")
    expect(answer.get("is_instance") is True, f"ae_model should be an AutoEncoder, found {answer.get('class')}")
    expect((answer.get("encoder_class"), answer.get("decoder_class")) == ("Encoder", "Decoder"),
           f"ae_model should be built from Encoder() and Decoder(), found {answer.get('encoder_class')} and "
           f"{answer.get('decoder_class')}")
    expect(answer.get("code_shape") == [4, 2],
           f"ae_model's encoder turns 4 images into codes of shape {answer.get('code_shape')}, expected [4, 2]")
    expect(answer.get("output_shape") == [4, 1, 28, 28],
           f"ae_model turns 4 images into shape {answer.get('output_shape')}, expected [4, 1, 28, 28]")


@points(0.5, "ae_model", "ae_model: trained weights (mnist_ae_weights.pth) reconstruct the test set")
def test_ae_weights_reconstruct(student, thresholds):
    expect_reconstruction(student, thresholds, "ae")
