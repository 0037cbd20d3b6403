import torch

from autograder.engine.grade.checks import CheckFailed, expect, points

LOADERS = (("train_loader", 64, 60000, True), ("test_loader", 1000, 10000, False))


def loaders(answers) -> dict:
    answer = answers.probe("dataloaders", "mnist_loaders", "reading `train_loader` and `test_loader`")
    if not all(isinstance(answer.get(name), dict) for name, *_ in LOADERS):
        raise CheckFailed("the data loaders could not be described")
    return answer


@points(0.5, "mnist_loaders", "data loaders: batches of 64 (training, shuffled) and 1000 (test)")
def test_batches(student):
    found = loaders(student)
    for name, size, _, _ in LOADERS:
        expect(found[name].get("batch_size") == size,
               f"{name}: expected batch_size={size}, found {found[name].get('batch_size')}")
    expect(found["train_loader"].get("sampler") == "RandomSampler",
           f"train_loader draws its examples with a {found['train_loader'].get('sampler')}: pass shuffle=True so "
           "that every epoch sees them in a new order")


@points(0.5, "mnist_loaders", "data loaders: the MNIST training and test sets")
def test_datasets(student):
    found = loaders(student)
    for name, _, length, split in LOADERS:
        loader = found[name]
        expect(loader.get("dataset_len") == length and loader.get("dataset_train") is split,
               f"{name} should read the MNIST {'training' if split else 'test'} set ({length:,} images, "
               f"train={split}), found {loader.get('dataset_class')} of {loader.get('dataset_len')} images with "
               f"train={loader.get('dataset_train')}")


@points(0.5, "mnist_loaders", "data loaders: images as tensors normalised with 0.1307 and 0.3081")
def test_transform(student, reference):
    found, expected = loaders(student), loaders(reference)
    for name, *_ in LOADERS:
        images = found[name].get("transformed")
        if isinstance(images, dict) and "error" in images:
            raise CheckFailed(f"{name}: its dataset's transform failed on a test image: {images['error']}")
        want = expected[name]["transformed"]
        expect(isinstance(images, torch.Tensor) and tuple(images.shape) == tuple(want.shape),
               f"{name}: its dataset's transform should turn an image into a tensor of shape (1, 28, 28), found "
               f"{tuple(images.shape[1:]) if isinstance(images, torch.Tensor) else type(images).__name__}")
        gap = (images.float() - want).abs().max().item()
        unnormalised = (images.float() - want * 0.3081 - 0.1307).abs().max().item()
        hint = (" (these are the raw pixels in [0, 1]: add transforms.Normalize((0.1307,), (0.3081,)))"
                if unnormalised < 1e-4 else ": use ToTensor() then Normalize((0.1307,), (0.3081,))")
        expect(gap < 1e-4, f"{name}: transformed pixels differ from the expected ones by up to {gap:.3g}{hint}")
