class LeNet_5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.MaxPool2d(2), nn.Tanh(),
            nn.Conv2d(6, 16, 5), nn.MaxPool2d(2), nn.Tanh(),
            nn.Conv2d(16, 120, 5), nn.Tanh(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
