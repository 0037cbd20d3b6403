"""Pass marks of the weight checks, each derived by the engine's rule (autograder/engine/passmarks.py) from every
committed reference run, and the plausible mistakes whose figures the thresholds table sets beside them."""

from __future__ import annotations

from autograder.engine.assignment import Assignment
from autograder.engine.grade.checks import Threshold
from autograder.engine.passmarks import Figure, Mistake, Rule, pass_marks


def figures(settings) -> dict[str, Figure]:
    """Every figure a check compares with a pass mark; the floors are the settings' (see their descriptions)."""
    def dense_latent(key):
        return lambda m: m["dense"]["latent"][key]

    return {
        "dense_nelbo": Figure("dense model test negative ELBO", lambda m: m["dense"]["nelbo"],
                              Rule("lower", settings.dense_nelbo_floor, relative=True)),
        "conv_nelbo": Figure("conv model test negative ELBO", lambda m: m["conv"]["nelbo"],
                             Rule("lower", settings.conv_nelbo_floor, relative=True)),
        "dense_knn": Figure("dense latent 5-nearest-neighbour accuracy", dense_latent("knn_accuracy"),
                            Rule("higher", settings.knn_floor)),
        "dense_mu_mean": Figure("dense largest |mean of mu| over the 2 coordinates",
                                lambda m: max(abs(v) for v in dense_latent("mu_mean")(m)),
                                Rule("lower", settings.mu_mean_floor)),
        "dense_second_moment_low": Figure("dense smallest second moment of the codes",
                                          lambda m: min(dense_latent("second_moment")(m)),
                                          Rule("higher", settings.second_moment_floor)),
        "dense_second_moment_high": Figure("dense largest second moment of the codes",
                                           lambda m: max(dense_latent("second_moment")(m)),
                                           Rule("lower", settings.second_moment_floor)),
    }


# A Bernoulli (BCE) reconstruction term in place of the continuous Bernoulli's: the loss the course warns about
BCE_LOSS = '''def negative_elbo(x, lam, mu, sigma, beta=1.0):
    reconstruction = F.binary_cross_entropy(lam, x, reduction="none").flatten(start_dim=1).sum(dim=1)
    kl = 0.5 * (mu**2 + sigma**2 - 1 - 2 * torch.log(sigma)).sum(dim=1)
    return (reconstruction + beta * kl).mean()
'''

# The dense model's forward drawing z with the variance sigma^2 in place of the standard deviation sigma: the solution's
# dense_vae cell with that one line changed
VARIANCE_AS_STD = '''class DenseVAE(nn.Module):
    def __init__(self, latent_dim: int = 2):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(
            nn.Flatten(),
            nn.Linear(28 * 28, 256), nn.LeakyReLU(),
            nn.Linear(256, 128), nn.LeakyReLU(),
            nn.Linear(128, 64), nn.LeakyReLU(),
            nn.Linear(64, 2 * latent_dim),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 64), nn.LeakyReLU(),
            nn.Linear(64, 128), nn.LeakyReLU(),
            nn.Linear(128, 256), nn.LeakyReLU(),
            nn.Linear(256, 28 * 28), nn.Sigmoid(),
        )

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, log_sigma = self.encoder(x).chunk(2, dim=1)
        return mu, log_sigma.exp()

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z).view(-1, 1, 28, 28)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, sigma = self.encode(x)
        z = mu + sigma**2 * torch.randn_like(sigma)
        return self.decode(z), mu, sigma
'''

MISTAKES = {
    "tenth": Mistake("both models trained on a tenth of the images (3,000 instead of 30,000)", ("dense", "conv"),
                     {"train_images": 3000}),
    "bce_loss": Mistake("both models trained with a BCE reconstruction term instead of the continuous Bernoulli's",
                        ("dense", "conv"), {}, cells={"elbo_loss": BCE_LOSS}),
    "beta_10": Mistake("both models trained with beta = 10 instead of 1", ("dense", "conv"), {"beta": 10.0}),
    "variance_as_std": Mistake("the dense model's forward samples z = mu + sigma^2 * eps (the variance as the standard "
                               "deviation)", ("dense",), {}, cells={"dense_vae": VARIANCE_AS_STD}),
}


def thresholds(assignment: Assignment) -> dict[str, Threshold]:
    return pass_marks(figures(assignment.settings), assignment.reference_dir)
