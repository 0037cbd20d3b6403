"""The shipped VAE's reference run: train it by executing the solution notebook, measure it, ship it.

The engine's ``reference`` command copies and measures the weight files students *submit* (``WeightedModel``);
this assignment has none, its model is given to students. So this module does the same steps for the shipped
model (run it under the training lock):

    flock /tmp/train.lock env OMP_NUM_THREADS=2 .venv/bin/python -m autograder.assignments.bending.reference_run --seed 0

It executes ``solutions/bending/bending.ipynb`` with papermill (``vae_epochs`` set), keeps the weights, the training
log and ``metrics.json`` (test BCE and KL) in ``reference/seed<n>/``, and with ``--ship`` (the default for seed 0)
copies the weights next to the solution notebook, from where ``python -m autograder release --assignment bending``
puts them beside the released notebook.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import torch

from autograder.assignments.bending import SETTINGS, TRAINING_CELL, WEIGHTS_FILE
from autograder.engine.assignment import load
from autograder.engine.config import Config
from autograder.engine.reference import solution_namespace, write_training_log


def test_figures(state: dict, *, data_root, namespace: dict) -> dict:
    """Test-set BCE (one sample of z per image, generator seeded 0) and KL of the model, in nats per image."""
    import torch.nn.functional as F
    import torchvision
    import torchvision.transforms as transforms

    vae = namespace["MnistVAE"]()
    vae.load_state_dict(state)
    vae.eval()
    test_set = torchvision.datasets.MNIST(str(data_root), train=False, download=True, transform=transforms.ToTensor())
    generator = torch.Generator().manual_seed(0)
    bce = kl_total = 0.0
    with torch.no_grad():
        for images, _ in torch.utils.data.DataLoader(test_set, batch_size=500):
            mu, log_var = vae.encode(images)
            z, kl = vae.reparametrize(mu, log_var, generator)
            bce += F.binary_cross_entropy(vae.decode(z), images, reduction="sum").item()
            kl_total += kl.sum().item()
    n = len(test_set)
    return {"vae": {"test_bce_nats_per_image": round(bce / n, 3), "test_kl_nats_per_image": round(kl_total / n, 3),
                    "test_negative_elbo": round((bce + kl_total) / n, 3), "test_images": n}}


def run(seed: int, epochs: int, ship: bool, config: Config = Config()) -> Path:
    import papermill

    assignment = load("bending", config)
    out_dir = assignment.reference_weights(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="bending-reference-") as scratch:
        executed = Path(scratch) / "bending_executed.ipynb"
        papermill.execute_notebook(str(assignment.solution_notebook), str(executed),
                                   parameters={"data_root": str(config.data_root), "seed": seed, "vae_epochs": epochs},
                                   cwd=scratch, kernel_name="python3", progress_bar=False, log_output=True)
        shutil.copyfile(Path(scratch) / WEIGHTS_FILE, out_dir / WEIGHTS_FILE)
        write_training_log(executed, out_dir / "training_log.txt", cells={TRAINING_CELL})
    elapsed = time.time() - started
    state = torch.load(out_dir / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    figures = test_figures(state, data_root=config.data_root,
                           namespace=solution_namespace(assignment=assignment, config=config))
    figures["run"] = {"seed": seed, "epochs": epochs, "notebook_seconds": round(elapsed, 1)}
    (out_dir / "metrics.json").write_text(json.dumps(figures, indent=2) + "\n")
    if ship:
        shutil.copyfile(out_dir / WEIGHTS_FILE, assignment.solution_notebook.parent / WEIGHTS_FILE)
    return out_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=SETTINGS.shipped_epochs)
    parser.add_argument("--no-ship", dest="ship", action="store_false",
                        help="keep the run in reference/seed<n>/ only (default: seed 0 is shipped)")
    args = parser.parse_args(argv)
    out = run(args.seed, args.epochs, args.ship and args.seed == 0)
    print(out, (out / "metrics.json").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
