from torchvision.transforms import v2

preprocess = v2.Compose([v2.Resize((32, 32)), v2.ToImage(), v2.ToDtype(torch.float32, scale=True),
                         v2.Normalize(mean=[0.1307], std=[0.3081])])
transform = preprocess

mnist_validation_set = torchvision.datasets.MNIST(data_root, train=False, download=True, transform=transform)
mnist_training_set = torchvision.datasets.MNIST(data_root, train=True, download=True, transform=transform)
