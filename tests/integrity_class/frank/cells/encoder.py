class Encoder(nn.Module):
    def __init__(self, latent_dimensionality=2):
        super().__init__()
        self.mlp = nn.Sequential(nn.Flatten(), nn.Linear(1600, 32), nn.ReLU(), nn.Linear(32, latent_dimensionality))
        self.convs = nn.Sequential(
            nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        )

    def forward(self, inputs):
        return self.mlp(self.convs(inputs))
