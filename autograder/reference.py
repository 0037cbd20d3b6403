"""Reference training: execute the solution notebook in full and measure the weights it saves."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from autograder import metrics
from autograder.config import Config
from autograder.notebook import run_trusted_cells

MODEL_CELLS = ("imports", "parameters", "setup", "lenet", "model", "autoencoder", "encoder", "decoder",
               "ae_model", "vae_class", "kl_divergence", "vae_model")


def train_reference(*, config: Config = Config(), seed: int = 0, **parameters) -> Path:
    """Run the solution notebook with ``seed`` (and any notebook ``parameters``) in the seed's reference folder."""
    import papermill

    out_dir = config.reference_weights(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(config.solution_notebook), str(out_dir / f"{config.assignment}_executed.ipynb"),
        parameters={"data_root": str(config.data_root), "seed": seed, **parameters},
        cwd=str(out_dir), kernel_name="python3", progress_bar=False, log_output=True,
    )
    return out_dir


def reference_models(*, config: Config = Config(), weights_dir: Path) -> dict[str, torch.nn.Module]:
    """The solution's three models on the CPU in eval mode, with the weights found in ``weights_dir``."""
    ns = run_trusted_cells(config.solution_notebook, MODEL_CELLS, {"data_root": str(config.data_root)})
    models = {}
    for name, file in zip(("model", "ae_model", "vae_model"), config.weight_files):
        module = ns[name].cpu().eval()
        module.load_state_dict(torch.load(weights_dir / file, map_location="cpu", weights_only=True))
        models[name] = module
    return models


def measure(*, config: Config = Config(), weights_dir: Path) -> dict:
    """Test-set figures of the three models in ``weights_dir``; written to ``metrics.json`` beside them."""
    models = reference_models(config=config, weights_dir=weights_dir)
    test = metrics.test_set(config.data_root)
    batch = config.eval_batch_size
    lenet, ae, vae = models["model"], models["ae_model"], models["vae_model"]
    torch.manual_seed(config.seed)  # the VAE forward samples
    scores = metrics.run_batched(lenet, test["images32"], batch)
    ae_codes = metrics.run_batched(ae.encoder, test["images28"], batch)
    vae_rebuilt, mu, log_variance = metrics.run_batched(vae, test["images28"], batch)
    with torch.no_grad():
        ae_rebuilt = ae.decoder(ae_codes)
        vae_at_mean = vae.decoder(mu)
        grid = metrics.ppf_grid()
        result = {
            "lenet": {"test_accuracy": metrics.accuracy(scores, test["labels"])},
            "ae": {
                "test_bce": metrics.mean_bce(ae_rebuilt, test["images28"]),
                "latent": metrics.latent_statistics(ae_codes, None, test["labels"], config.knn_k),
                "ppf_grid": metrics.grid_variety(ae.decoder(grid), lenet),
            },
            "vae": {
                "test_bce": metrics.mean_bce(vae_rebuilt, test["images28"]),
                "test_bce_at_mean": metrics.mean_bce(vae_at_mean, test["images28"]),
                "test_kl": metrics.kl_to_prior(mu, log_variance),
                "latent": metrics.latent_statistics(mu, log_variance, test["labels"], config.knn_k),
                "ppf_grid": metrics.grid_variety(vae.decoder(grid), lenet),
            },
        }
    (weights_dir / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
