from autograder.engine.grade.checks import CheckFailed, expect, points


def loaders(student) -> tuple[dict, dict]:
    answer = student.probe("dataloaders", "dataloaders", "reading `training_dataloader` and `validation_dataloader`")
    training, validation = answer.get("training"), answer.get("validation")
    if not isinstance(training, dict) or not isinstance(validation, dict):
        raise CheckFailed("the data loaders could not be described")
    return training, validation


@points(0.25, "dataloaders", "data loaders: batches of 64 images")
def test_batch_size(student):
    for name, loader in zip(("training_dataloader", "validation_dataloader"), loaders(student)):
        expect(loader.get("batch_size") == 64, f"{name}: expected batch_size=64, found {loader.get('batch_size')}")


@points(0.5, "dataloaders", "data loaders: the training loader shuffles")
def test_training_loader_shuffles(student):
    training, _ = loaders(student)
    expect(training.get("sampler") == "RandomSampler",
           f"training_dataloader draws its examples with a {training.get('sampler')}: pass shuffle=True so every "
           "epoch sees them in a new order")


@points(0.25, "dataloaders", "data loaders: training and test sets, transformed")
def test_loaders_use_the_right_datasets(student):
    training, validation = loaders(student)
    for name, loader, size, split in (("training_dataloader", training, 60000, True),
                                      ("validation_dataloader", validation, 10000, False)):
        expect(loader.get("dataset_len") == size and loader.get("dataset_train") is split,
               f"{name} should read the MNIST {'training' if split else 'test'} set ({size:,} images, train={split}), "
               f"found {loader.get('dataset_class')} of {loader.get('dataset_len')} images with train={loader.get('dataset_train')}")
        expect(loader.get("uses_transform") is True,
               f"{name} should be built on the dataset that uses `transform` "
               f"({'mnist_training_set' if split else 'mnist_validation_set'})")
