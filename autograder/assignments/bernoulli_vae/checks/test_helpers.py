import torch

from autograder.assignments.bernoulli_vae.checks.support import as_tensor, expect_close
from autograder.assignments.bernoulli_vae.probes import _HelperModel as HelperModel
from autograder.engine.grade.checks import expect, points

ATOL = 1e-5  # the helpers run the same small fixed model as the reference's: only float rounding may differ


@points(1, "encode_loader", "encode_loader: posterior means and standard deviations of a whole loader, labels on request")
def test_encode_loader(student, reference, probe_inputs):
    found = student.probe("encode_loader", "encode_loader", "calling encode_loader")
    expected = reference.probe("encode_loader", "encode_loader", "calling encode_loader")
    n = len(probe_inputs["helper_labels"])
    plain, labelled = found.get("plain"), found.get("labelled")
    expect(isinstance(plain, list) and len(plain) == 2,
           f"encode_loader(model, loader) returned {plain}, expected a pair (mu, sigma)")
    expect(isinstance(labelled, list) and len(labelled) == 3,
           f"encode_loader(model, loader, return_labels=True) returned {labelled}, expected (mu, sigma, labels)")
    for name, value, want in (("mu", plain[0], expected["plain"][0]), ("sigma", plain[1], expected["plain"][1]),
                              ("mu (with labels)", labelled[0], expected["labelled"][0]),
                              ("sigma (with labels)", labelled[1], expected["labelled"][1])):
        value = as_tensor(value, f"encode_loader's {name}", (n, want.shape[1]))
        expect_close(value, want.double(), ATOL, f"encode_loader's {name} for a loader of {n} images in batches of 7",
                     "switch the model to evaluation mode (model.eval()), encode every batch with model.encode, in "
                     "the loader's order, and concatenate (sigma is the standard deviation, not its logarithm)")
    labels = labelled[2]
    expect(isinstance(labels, torch.Tensor) and torch.equal(labels.long().flatten(), probe_inputs["helper_labels"]),
           "encode_loader(..., return_labels=True) should return the loader's labels in order as its third value")
    _without_gradients(found, "encode_loader")


def _without_gradients(found: dict, name: str) -> None:
    expect(found.get("with_gradients") is False,
           f"{name} returned tensors that still record gradients: work without them (torch.no_grad())")


@points(1, "reconstruct", "reconstruct: decodes the posterior mean, or one posterior sample with sample_mode=True")
def test_reconstruct(student, reference):
    found = student.probe("reconstruct", "reconstruct", "calling reconstruct")
    expected = reference.probe("reconstruct", "reconstruct", "calling reconstruct")
    shape = tuple(expected["first"].shape)
    first = as_tensor(found.get("first"), "reconstruct(model, x)", shape)
    second = as_tensor(found.get("second"), "reconstruct(model, x)", shape)
    expect(torch.equal(first, second), "reconstruct(model, x, sample_mode=False) gave different images on two calls: "
                                       "without sample_mode nothing may be random; decode the posterior mean itself")
    expect_close(first, expected["decoded_mean"].double(), ATOL, "reconstruct(model, x, sample_mode=False)",
                 "it should switch the model to evaluation mode (model.eval()) and return model.decode(mu), mu being "
                 "the first output of model.encode(x)")
    sampled = as_tensor(found.get("sampled_first"), "reconstruct(model, x, sample_mode=True)", shape)
    again = as_tensor(found.get("sampled_second"), "reconstruct(model, x, sample_mode=True)", shape)
    expect(not torch.equal(sampled, again) and not torch.equal(sampled, first),
           "reconstruct(model, x, sample_mode=True) does not vary: it should decode a sample mu + sigma * eps")
    latents = found.get("sampled_latents")
    expect(isinstance(latents, torch.Tensor),
           f"reconstruct(model, x, sample_mode=True) should decode with model.decode one latent batch per call; "
           f"the decoded latent batches had shapes {latents}")
    mu, sigma = expected["mu"].double(), expected["sigma"].double()
    standardised = (latents.double() - mu) / sigma  # N(0, 1) when z = mu + sigma * eps
    mean, std = standardised.mean().item(), standardised.std().item()
    expect(abs(mean) < 0.1 and abs(std - 1) < 0.1,
           f"over 100 calls with sample_mode=True, (z - mu) / sigma has mean {mean:.2f} and standard deviation "
           f"{std:.2f}, expected 0 and 1: the latent sample should be mu + sigma * eps with eps ~ N(0, I)")
    _without_gradients(found, "reconstruct")


@points(1, "generate", "generate: decodes samples of the prior N(0, I)")
def test_generate(student, reference, probe_inputs):
    found = student.probe("generate", "generate", "calling generate")
    count = probe_inputs["generate_samples"]
    images = as_tensor(found.get("images"), f"generate(model, {count})", (count, 1, 28, 28))
    expect(bool(((images >= 0) & (images <= 1)).all()), f"generate(model, {count}) has values outside [0, 1]")
    latents = found.get("latents")
    expect(isinstance(latents, torch.Tensor),
           f"generate(model, {count}) should draw the latent vectors and pass them to model.decode")
    expect(tuple(latents.shape) == (count, 3),
           f"generate decoded latent vectors of shape {tuple(latents.shape)} for a model with latent_dim 3 and "
           f"{count} samples, expected ({count}, 3)")
    with torch.no_grad():  # decoded again here, in the grader, by the same fixed model
        redecoded = HelperModel().decode(latents.float()).double()
    expect_close(images, redecoded, 1e-5, f"generate(model, {count})",
                 "return the decoder's lam itself, without sampling or thresholding")
    mean, std = latents.double().mean(dim=0), latents.double().std(dim=0)
    expect(mean.abs().max().item() < 0.15 and (std - 1).abs().max().item() < 0.1,
           f"the latent vectors generate drew have means {[round(v, 2) for v in mean.tolist()]} and standard "
           f"deviations {[round(v, 2) for v in std.tolist()]} per coordinate, expected 0 and 1: draw them from the "
           "prior N(0, I) with torch.randn")
    _without_gradients(found, "generate")
