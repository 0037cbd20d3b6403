class Decoder(nn.Module):
    def __init__(self, latent_dimensionality=2):
        super().__init__()
        self.dense = nn.Sequential(nn.Linear(latent_dimensionality, 32), nn.ReLU(), nn.Linear(32, 1600), nn.ReLU())
        self.convolutions = nn.Sequential(
            nn.UpsamplingNearest2d(scale_factor=2), nn.Conv2d(64, 32, 3, padding=2), nn.ReLU(),
            nn.UpsamplingNearest2d(scale_factor=2), nn.Conv2d(32, 16, 3, padding=2), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=2), nn.Sigmoid(),
        )

    def forward(self, z):
        return self.convolutions(self.dense(z).view(-1, 64, 5, 5))
