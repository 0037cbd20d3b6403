class LeNet_5(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))
        self.body = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.MaxPool2d(2), nn.Tanh(),
            nn.Conv2d(6, 16, 5), nn.MaxPool2d(2), nn.Tanh(),
            nn.Conv2d(16, 120, 5), nn.Tanh(),
        )

    def forward(self, images):
        return self.head(self.body(images))
