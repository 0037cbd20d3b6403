"""Every setting of the Homework 2 tooling, in one typed object with a default and a description each."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setting(default, description: str):
    """A dataclass field carrying its description (shown by ``python -m autograder config``)."""
    if isinstance(default, (list, dict, tuple)):
        return field(default_factory=lambda: type(default)(default), metadata={"description": description})
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True)
class Config:
    root: Path = setting(ROOT, "Repository root.")
    assignment: str = setting("hw2", "nbgrader assignment id; also the notebook's file name without .ipynb.")
    data_root: Path = setting(ROOT / "data", "Folder holding MNIST/raw/ (filled by `make data`).")
    reference_dir: Path = setting(ROOT / "autograder" / "reference", "Reference weights and metrics, one folder per seed.")
    reference_seed: int = setting(0, "Seed of the reference run the checks compare against.")
    weight_files: tuple = setting(
        ("lenet5_weights.pth", "mnist_ae_weights.pth", "mnist_vae_weights.pth"),
        "Weight files the notebook saves next to itself and a submission must contain.",
    )
    definition_cells: tuple = setting(
        ("imports", "parameters", "setup", "transform", "dataloaders", "lenet", "model", "autoencoder",
         "encoder", "decoder", "ae_model", "vae_class", "kl_divergence", "vae_model"),
        "grade_ids of the cells that only define things; grading runs these and nothing else (no training, no plots).",
    )
    seed: int = setting(0, "Seed set before every probe, so sampling in the VAE forward is repeatable.")
    eval_batch_size: int = setting(1000, "Batch size used when running models over the test set.")
    knn_k: int = setting(5, "Neighbours used for the k-nearest-neighbour accuracy of latent codes.")

    @property
    def solution_notebook(self) -> Path:
        return self.root / "solutions" / self.assignment / f"{self.assignment}.ipynb"

    @property
    def release_notebook(self) -> Path:
        return self.root / "assignments" / self.assignment / f"{self.assignment}.ipynb"

    def reference_weights(self, seed: int | None = None) -> Path:
        return self.reference_dir / f"seed{self.reference_seed if seed is None else seed}"

    @classmethod
    def describe(cls) -> str:
        defaults = cls()
        return "\n".join(f"{f.name}: {f.metadata['description']} (default: {getattr(defaults, f.name)})" for f in fields(cls))
