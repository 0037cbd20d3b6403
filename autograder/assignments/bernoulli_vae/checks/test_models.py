from autograder.assignments.bernoulli_vae.checks.support import as_tensor, expect_close
from autograder.engine.grade.checks import CheckFailed, compare_layers, expect, points

MODELS = {"dense": ("DenseVAE", "dense_vae", 2), "conv": ("ConvVAE", "conv_vae", 32)}


def _answer(answers, model: str) -> dict:
    class_name, cell, _ = MODELS[model]
    return answers.probe(cell, cell, f"creating {class_name}()")


def _layers(student, reference, model: str) -> None:
    class_name = MODELS[model][0]
    found, expected = _answer(student, model), _answer(reference, model)
    called = found.get("modules_called") or []
    if "ConvTranspose2d" in called:
        raise CheckFailed(f"{class_name} uses a transposed convolution (ConvTranspose2d): the decoder should enlarge "
                          "its feature maps by bilinear interpolation (nn.Upsample or F.interpolate) followed by an "
                          "ordinary Conv2d")
    compare_layers(found.get("layers"), expected["layers"], f"{class_name}()")
    wrong = sorted({name for name in called if name in ("ReLU", "Tanh", "ELU", "GELU", "SiLU")})
    expect(not wrong, f"{class_name} uses {', '.join(wrong)} where the table asks for leaky ReLUs")


def _size(student, reference, model: str) -> None:
    class_name, _, latent = MODELS[model]
    found, expected = _answer(student, model), _answer(reference, model)
    expect(found.get("latent_dim") == latent, f"{class_name}().latent_dim is {found.get('latent_dim')}, expected {latent}")
    expect(found.get("n_params") == expected["n_params"],
           f"{class_name}() has {found.get('n_params')} parameters, expected {expected['n_params']:,}")
    expect(found.get("forward_shapes") == expected["forward_shapes"],
           f"{class_name}()(images) for 4 images returns shapes {found.get('forward_shapes')}, expected "
           f"{expected['forward_shapes']} (lam, mu, sigma)")
    _forward_sample(found.get("forward_sample"), class_name, expected["forward_shapes"])


def _forward_sample(sample, class_name: str, shapes: list) -> None:
    """The shapes earn nothing by themselves: forward's values must be the model's own encode, and its own decode
    of one sample mu + sigma * eps (eps = torch.randn_like(sigma), drawn after the grader's seed)."""
    what = f"{class_name}.forward"
    if isinstance(sample, dict) and "error" in sample:
        raise CheckFailed(f"{what} failed: {sample['error']}")
    expect(isinstance(sample, dict), f"{what} gave no outputs")
    lam, mu, sigma = (as_tensor(sample.get(key), f"{what}'s {key}", tuple(shape))
                      for key, shape in zip(("lam", "mu", "sigma"), shapes))
    close = {key: as_tensor(sample.get(key), f"{class_name}.decode", tuple(shapes[0]))
             for key in ("decoded_sample", "decoded_mean", "decoded_variance_sample")}
    for key, value in (("mu", mu), ("sigma", sigma)):
        own = as_tensor(sample.get(f"encode_{key}"), f"{class_name}.encode", tuple(value.shape))
        gap = (value - own).abs().max().item()
        expect(gap <= 1e-5, f"{what}'s {key} differs from {class_name}.encode's by up to {gap:.3g}: forward should "
                            f"return the {key} of self.encode(x)")
    expect(bool((sigma > 0).all()), f"{what}'s sigma has values <= 0: sigma = exp(log sigma)")

    def off(key):
        return (lam - close[key]).abs().max().item()

    if off("decoded_sample") <= 1e-5:
        return
    if off("decoded_mean") <= 1e-5:
        raise CheckFailed(f"{what} decodes mu itself: it should draw one sample z = mu + sigma * eps with "
                          "eps = torch.randn_like(sigma), and decode that")
    if off("decoded_variance_sample") <= 1e-5:
        raise CheckFailed(f"{what} decodes mu + sigma^2 * eps: sigma is the standard deviation, the sample is "
                          "mu + sigma * eps")
    raise CheckFailed(f"{what}'s lam is not self.decode(mu + sigma * eps) with eps = torch.randn_like(sigma) drawn "
                      "once per call: draw exactly one sample, that way, and decode it")


def _same_outputs(student, reference, settings, model: str) -> None:
    class_name = MODELS[model][0]
    found = _answer(student, model).get("same_weights")
    expected = _answer(reference, model)["same_weights"]
    if isinstance(found, dict) and "error" in found:
        raise CheckFailed(f"{class_name} with the reference's weights: {found['error']}")
    expect(isinstance(found, dict), f"{class_name} with the reference's weights gave no outputs")
    hints = {"mu": "encode should return the first D outputs of the encoder's last layer as mu",
             "sigma": "encode should return sigma = exp(the last D outputs of the encoder's last layer)",
             "lam": "decode should end in a sigmoid and return shape (B, 1, 28, 28); check the activations, the "
                    "reshape and the bilinear upsampling"}
    for key in ("mu", "sigma", "lam"):
        value = as_tensor(found.get(key), f"{class_name}.{'decode' if key == 'lam' else 'encode'}",
                          tuple(expected[key].shape))
        expect_close(value, expected[key].double(), settings.equivalence_atol,
                     f"{class_name}'s {key} with the reference's weights", hints[key])


@points(1, "dense_vae", "DenseVAE: layers as in the table, in the order forward uses them")
def test_dense_vae_layers(student, reference):
    _layers(student, reference, "dense")


@points(1, "dense_vae", "DenseVAE: latent_dim, parameter count, and forward decodes one sample mu + sigma * eps")
def test_dense_vae_size(student, reference):
    _size(student, reference, "dense")


@points(1, "dense_vae", "DenseVAE: same encode and decode outputs as the reference with the same weights")
def test_dense_vae_computes_like_the_reference(student, reference, settings):
    _same_outputs(student, reference, settings, "dense")


@points(1, "conv_vae", "ConvVAE: layers as in the table (interpolation, not transposed convolutions)")
def test_conv_vae_layers(student, reference):
    _layers(student, reference, "conv")


@points(1, "conv_vae", "ConvVAE: latent_dim, parameter count, and forward decodes one sample mu + sigma * eps")
def test_conv_vae_size(student, reference):
    _size(student, reference, "conv")


@points(1, "conv_vae", "ConvVAE: same encode and decode outputs as the reference with the same weights")
def test_conv_vae_computes_like_the_reference(student, reference, settings):
    _same_outputs(student, reference, settings, "conv")
