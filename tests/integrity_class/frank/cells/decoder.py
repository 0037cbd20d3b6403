class Decoder(nn.Module):
    def __init__(self, latent_dimensionality=2):
        super().__init__()
        self.upconvs = nn.Sequential(
            nn.UpsamplingNearest2d(scale_factor=2), nn.Conv2d(64, 32, 3, padding=2), nn.ReLU(),
            nn.UpsamplingNearest2d(scale_factor=2), nn.Conv2d(32, 16, 3, padding=2), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=2), nn.Sigmoid(),
        )
        self.mlp = nn.Sequential(nn.Linear(latent_dimensionality, 32), nn.ReLU(), nn.Linear(32, 1600), nn.ReLU())

    def forward(self, code):
        return self.upconvs(self.mlp(code).view(-1, 64, 5, 5))
