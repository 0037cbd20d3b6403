"""The questions a notebook's namespace answers, in the student's process and for the reference solution.

Copied into the student's runner: imports only torch and the engine's probing tools. Nothing here judges and no
reference formula sits here (the trusted log-density is ``measures.log_prob``, in the grader's process only); the
checks compare the answers there.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from autograder.engine.grade.probing import describe_error, describe_module, load_weights, weighted_layers

# Leaf modules whose type is reported in the order forward calls them (activations and upsampling included, so a
# ReLU or a transposed convolution is named in feedback).
_REPORTED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Upsample, nn.LeakyReLU, nn.ReLU, nn.Sigmoid, nn.Tanh,
             nn.ELU, nn.GELU, nn.SiLU, nn.MaxPool2d, nn.AvgPool2d, nn.BatchNorm1d, nn.BatchNorm2d, nn.Dropout)


def _call_order(module: nn.Module, x: torch.Tensor) -> list[str]:
    called = []
    hooks = [m.register_forward_hook(lambda m, i, o: called.append(type(m).__name__))
             for m in module.modules() if isinstance(m, _REPORTED)]
    try:
        with torch.no_grad():
            module(x)
    finally:
        for hook in hooks:
            hook.remove()
    return called


def _shape(value):
    return list(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__


def _model_probe(class_name: str, weights_key: str):
    """``class_name()`` described (layers in call order, parameters, shapes), and its encode/decode outputs with
    the fixed weights ``inputs["weights"][weights_key]`` loaded layer by layer in the order forward uses them."""
    def probe(ns, inputs, _):
        x, z = inputs["x28"], inputs[f"z_{weights_key}"]
        model = ns[class_name]().eval()
        answer = describe_module(model, x)
        answer["latent_dim"] = getattr(model, "latent_dim", None)
        answer["modules_called"] = _call_order(model, x)
        with torch.no_grad():
            outputs = model(x)
        answer["forward_shapes"] = [_shape(o) for o in outputs] if isinstance(outputs, tuple) else _shape(outputs)
        try:
            fixed = ns[class_name]().eval()
            layers = weighted_layers(fixed, x)
            weights = inputs["weights"][weights_key]
            if len(layers) != len(weights):
                raise ValueError(f"forward uses {len(layers)} convolution/linear layers, the reference {len(weights)}")
            with torch.no_grad():
                for position, (layer, (weight, bias)) in enumerate(zip(layers, weights)):
                    if layer.weight.shape != weight.shape or layer.bias is None or layer.bias.shape != bias.shape:
                        raise ValueError(f"layer {position + 1} in call order has a weight of shape "
                                         f"{tuple(layer.weight.shape)}, the reference {tuple(weight.shape)}")
                    layer.weight.copy_(weight)
                    layer.bias.copy_(bias)
                mu, sigma = fixed.encode(x)
                answer["same_weights"] = {"mu": mu, "sigma": sigma, "lam": fixed.decode(z)}
        except Exception as error:
            answer["same_weights"] = {"error": describe_error(error)}
        answer["forward_sample"] = _forward_sample(fixed if "error" not in answer["same_weights"] else model, x,
                                                   inputs["forward_seed"])
        return answer
    return probe


def _forward_sample(model: nn.Module, x: torch.Tensor, seed: int) -> dict:
    """What ``forward`` returns after ``torch.manual_seed(seed)``, and the model's own ``decode`` of the sample the
    notebook states (mu + sigma * eps, eps = torch.randn_like(sigma) drawn after the same seed), of mu itself and
    of mu + sigma^2 * eps: the grader tells which one forward decoded."""
    try:
        with torch.no_grad():
            torch.manual_seed(seed)
            outputs = model(x)
            if not isinstance(outputs, (tuple, list)) or len(outputs) != 3:
                count = len(outputs) if isinstance(outputs, (tuple, list)) else 1
                return {"error": f"forward returned {count} value(s), expected three: (lam, mu, sigma)"}
            mu, sigma = model.encode(x)
            torch.manual_seed(seed)
            eps = torch.randn_like(sigma)
            return {"lam": outputs[0], "mu": outputs[1], "sigma": outputs[2], "encode_mu": mu, "encode_sigma": sigma,
                    "decoded_sample": model.decode(mu + sigma * eps), "decoded_mean": model.decode(mu),
                    "decoded_variance_sample": model.decode(mu + sigma**2 * eps)}
    except Exception as error:
        return {"error": describe_error(error)}


def _instance(name: str, class_name: str):
    def probe(ns, inputs, _):
        obj = ns[name]
        return {"class": type(obj).__name__, "is_instance": isinstance(obj, ns[class_name]),
                "latent_dim": getattr(obj, "latent_dim", None)}
    return probe


def _stand_in_log_prob(x, lam):
    """Put in place of the student's log-density while the loss is asked, so that a wrong log-density costs its own
    points only: any element-wise function of (x, lam) does, and this one is no likelihood (no formula to take)."""
    return torch.sin(3 * x + 2 * lam) - lam


def _log_prob(ns, inputs, _):
    function = ns["continuous_bernoulli_log_prob"]
    answer = {}
    for case, (x, lam) in inputs["log_prob"].items():
        try:
            with torch.no_grad():
                answer[case] = function(x.clone(), lam.clone())
        except Exception as error:
            answer[case] = {"error": describe_error(error)}
    answer["half_gradient"] = _gradient(function, *inputs["log_prob"]["half"])
    return answer


def _gradient(function, x: torch.Tensor, lam: torch.Tensor):
    """d sum(log p) / d lam where the notebook warns that torch.where lets the exact form's NaN into the gradients:
    the gradient itself (the grader says whether it is finite), or why there is none."""
    lam = lam.clone().requires_grad_()
    try:
        function(x.clone(), lam).sum().backward()
    except Exception as error:
        return {"error": describe_error(error)}
    return lam.grad if lam.grad is not None else {"error": "the log-density does not depend on lam through autograd"}


def _loss(ns, inputs, _):
    x, lam, mu, sigma = inputs["loss"]
    saved = ns.get("continuous_bernoulli_log_prob")
    ns["continuous_bernoulli_log_prob"] = _stand_in_log_prob
    try:
        with torch.no_grad():
            values = [ns["negative_elbo"](x.clone(), lam.clone(), mu.clone(), sigma.clone(), beta=beta)
                      for beta in inputs["loss_betas"]]
    finally:
        ns["continuous_bernoulli_log_prob"] = saved
    return {"values": [v.detach().double().reshape(()) if isinstance(v, torch.Tensor) and v.numel() == 1 else
                       _shape(v) for v in values]}


class _HelperModel(nn.Module):
    """A small fixed model with the notebook's interface, handed to the helpers: they are checked on their own,
    whatever the student's VAEs do. It records every latent batch it decodes."""

    def __init__(self, latent_dim: int = 3):
        super().__init__()
        generator = torch.Generator().manual_seed(2024)
        self.latent_dim = latent_dim
        self.encoder = nn.Linear(784, 2 * latent_dim)
        self.decoder = nn.Linear(latent_dim, 784)
        with torch.no_grad():
            for layer in (self.encoder, self.decoder):
                layer.weight.copy_(torch.randn(layer.weight.shape, generator=generator) * 0.1)
                layer.bias.copy_(torch.randn(layer.bias.shape, generator=generator) * 0.1)
        self.decoded = []

    def encode(self, x):
        mu, log_sigma = self.encoder(x.flatten(1)).chunk(2, dim=1)
        # like dropout, the means move in training mode: a helper that leaves the model there gives other ones
        return (mu + 1 if self.training else mu), log_sigma.exp()

    def decode(self, z):
        self.decoded.append(z.detach().clone())
        return torch.sigmoid(self.decoder(z)).view(-1, 1, 28, 28)

    def forward(self, x):
        mu, sigma = self.encode(x)
        return self.decode(mu + sigma * torch.randn_like(sigma)), mu, sigma


def _encode_loader(ns, inputs, _):
    images, labels = inputs["helper_images"], inputs["helper_labels"]
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=7, shuffle=False)
    model = _HelperModel()
    plain = ns["encode_loader"](model, loader)
    labelled = ns["encode_loader"](model, loader, return_labels=True)
    return {"plain": list(plain) if isinstance(plain, (tuple, list)) else _shape(plain),
            "labelled": list(labelled) if isinstance(labelled, (tuple, list)) else _shape(labelled),
            "with_gradients": _with_gradients([*_listed(plain), *_listed(labelled)])}


def _listed(value) -> list:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _with_gradients(values: list) -> bool:
    """Whether a helper returned a tensor that still records gradients (the notebook: "works without gradients");
    the probes call the helpers with gradients enabled."""
    return any(isinstance(v, torch.Tensor) and v.requires_grad for v in values)


def _reconstruct(ns, inputs, _):
    images = inputs["helper_images"][:4]
    model = _HelperModel()
    first = ns["reconstruct"](model, images, sample_mode=False)
    second = ns["reconstruct"](model, images, sample_mode=False)
    deterministic_latents = list(model.decoded)
    model.decoded.clear()
    sampled = [ns["reconstruct"](model, images, sample_mode=True) for _ in range(100)]
    model.eval()  # what the helper should have found: the posterior of the model in evaluation mode
    with torch.no_grad():
        mu, sigma = model.encode(images)
        decoded_mean = torch.sigmoid(model.decoder(mu)).view(-1, 1, 28, 28)
    latents = torch.stack(model.decoded) if model.decoded and all(
        z.shape == mu.shape for z in model.decoded) else None
    return {"first": first, "second": second, "decoded_mean": decoded_mean, "mu": mu, "sigma": sigma,
            "deterministic_calls": len(deterministic_latents),
            "sampled_first": sampled[0], "sampled_second": sampled[1],
            "with_gradients": _with_gradients([first, second, *sampled]),
            "sampled_latents": latents if latents is not None else [list(z.shape) for z in model.decoded]}


def _generate(ns, inputs, _):
    model = _HelperModel()
    count = inputs["generate_samples"]
    images = ns["generate"](model, count)
    latents = torch.cat(model.decoded) if model.decoded else None
    return {"images": images, "latents": latents if latents is not None else "none",
            "with_gradients": _with_gradients([images])}


def _weights(file_name: str, attribute: str, eps_key: str):
    """The submitted weights in the model: posterior means and standard deviations of test images, and the
    decoder's lam for one posterior sample each (fixed noise), all from the model's own encode and decode.
    The model's convolutions in NHWC memory: mkldnn runs the conv VAE's upsampling and convolutions about 40 %
    faster so on a CPU, with the same outputs to float32 rounding (a no-op for the dense model)."""
    def probe(ns, inputs, weights_dir):
        model = load_weights(ns[attribute], weights_dir / file_name).to(memory_format=torch.channels_last)
        images, eps = inputs["test_images"], inputs[eps_key]
        mus, sigmas, lams = [], [], []
        with torch.no_grad():
            for chunk, noise in zip(images.split(500), eps.split(500)):
                mu, sigma = model.encode(chunk)
                mus.append(mu)
                sigmas.append(sigma)
                lams.append(model.decode(mu + sigma * noise))
        return {"mu": torch.cat(mus), "sigma": torch.cat(sigmas), "lam": torch.cat(lams)}
    return probe


# (probe name, function, needs the submitted weight files), answered in this order
PLAN = [
    ("log_prob", _log_prob, False),
    ("loss", _loss, False),
    ("dense_vae", _model_probe("DenseVAE", "dense"), False),
    ("conv_vae", _model_probe("ConvVAE", "conv"), False),
    ("encode_loader", _encode_loader, False),
    ("reconstruct", _reconstruct, False),
    ("generate", _generate, False),
    ("dense_model", _instance("dense_vae", "DenseVAE"), False),
    ("conv_model", _instance("conv_vae", "ConvVAE"), False),
    ("dense_weights", _weights("dense_vae.pth", "dense_vae", "eps_dense"), True),
    ("conv_weights", _weights("conv_vae.pth", "conv_vae", "eps_conv"), True),
]
