batch_size = 64

loader_options = dict(batch_size=batch_size)
training_dataloader = torch.utils.data.DataLoader(mnist_training_set, sampler=torch.utils.data.RandomSampler(mnist_training_set), **loader_options)
validation_dataloader = torch.utils.data.DataLoader(mnist_validation_set, batch_size, True)
