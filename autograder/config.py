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
    cache_dir: Path = setting(ROOT / ".cache", "Files derived once and reused by later runs (probe inputs).")
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
    threads: int = setting(1, "torch threads in the grader and in the student's process: fixed, so results repeat exactly; one, because the grader prepares its side while the student's process runs.")
    cell_timeout: float = setting(20, "Seconds one definition cell may run before it is stopped and counted as failed.")
    probe_timeout: float = setting(20, "Seconds one probe (running the student's model on the test set included) may take.")
    cells_timeout: float = setting(60, "Seconds all definition cells together may run; cells after that are not run, so the probes keep their time.")
    submission_timeout: int = setting(120, "Seconds the student's process may take to run its cells and answer every probe; then it is killed.")
    memory_mb: int = setting(3000, "Memory (address space, RLIMIT_AS) the student's process may add to what it starts with (torch's libraries).")
    max_processes: int = setting(64, "Processes and threads the student's code may have at once (RLIMIT_NPROC; needs a user id of its own, so root).")
    file_mb: int = setting(64, "Largest file the student's code may write, its printed output included (RLIMIT_FSIZE).")
    scratch_mb: int = setting(256, "Size of the student's working folder and of its /tmp (each a tmpfs, when the grader runs as root).")
    output_kept_bytes: int = setting(2000, "Bytes of the student's printed output kept, from its end, to explain a crash.")
    answers_max_mb: int = setting(128, "Largest answers file accepted from the student's process (real answers are about 20 MB).")
    weight_file_max_mb: int = setting(50, "Largest weight file accepted (the reference's are under 1 MB).")
    generative_eval_images: int = setting(2000, "Test images (the first N) the AE and VAE are measured on; keeps grading fast.")
    equivalence_atol: float = setting(1e-4, "Largest output difference allowed between a student's class and the reference's, same weights and inputs.")
    lenet_accuracy_margin: float = setting(0.01, "Test accuracy may fall this far (absolute) below the reference's.")
    bce_margin: float = setting(0.05, "AE and VAE test BCE may exceed the reference's by this fraction.")
    mu_mean_margin: float = setting(0.3, "|mean of mu| per latent coordinate may exceed the reference's largest by this much (the prior's std is 1).")
    second_moment_margin: float = setting(0.4, "mean(mu^2) + mean(exp(log_variance)) per coordinate may lie this far outside the reference's range (1 under the prior).")
    inside_prior_99_margin: float = setting(0.05, "The share of test codes inside the prior's 99% circle may fall this far below the reference's.")
    knn_margin: float = setting(0.15, "Latent nearest-neighbour accuracy may fall this far below the reference's.")
    ppf_digits_margin: int = setting(2, "The VAE's PPF grid may show this many fewer different digits (read by the reference LeNet-5) than the reference's.")
    knn_k: int = setting(5, "Neighbours used for the k-nearest-neighbour accuracy of latent codes.")
    delayed_checks: tuple = setting(
        ("test_lenet_computes_like_the_reference", "test_encoder_computes_like_the_reference",
         "test_decoder_computes_like_the_reference"),
        "Checks whose results.json entries carry `delayed_visibility`: they run the student's classes with the "
        "reference's weights on inputs the student never sees, so an immediate verdict would let a student tune "
        "a forward pass against the reference by trial and error.",
    )
    delayed_visibility: str = setting("after_due_date", "Gradescope visibility of the delayed_checks: hidden, after_due_date, after_published, or visible to show them at once like the others.")

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
