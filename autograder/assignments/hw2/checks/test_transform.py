import torch

from autograder.engine.grade.checks import CheckFailed, expect, points

MEAN, STD = 0.1307, 0.3081


def transform_outputs(student) -> list[torch.Tensor]:
    outputs = student.probe("transform", "transform", "applying `transform` to a test image").get("outputs")
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, torch.Tensor) for o in outputs):
        raise CheckFailed("`transform(image)` should return a tensor; it returned something else")
    return [o.float() for o in outputs]


def affine_residual(found: torch.Tensor, unnormalised: torch.Tensor) -> float:
    """Worst pixel error of the best fit found = a * unnormalised + b: zero when only the normalisation differs."""
    x, y = unnormalised.flatten().double(), found.flatten().double()
    design = torch.stack([x, torch.ones_like(x)], dim=1)
    solution = torch.linalg.lstsq(design, y.unsqueeze(1)).solution
    return (design @ solution - y.unsqueeze(1)).abs().max().item()


@points(0.5, "transform", "transform: images resized to 1x32x32 before ToTensor")
def test_transform_resizes_before_to_tensor(student, reference):
    expected = transform_outputs(reference)
    for found, want in zip(transform_outputs(student), expected):
        expect(tuple(found.shape) == (1, 32, 32),
               f"transform(image) should be a 1x32x32 tensor, found {'x'.join(map(str, found.shape))}: "
               "LeNet-5 needs 32x32 inputs, so start the transform with transforms.Resize(32)")
        residual = affine_residual(found, want * STD + MEAN)
        expect(residual < 1e-3, "the pixels differ from resizing the image and then converting it (largest "
                                f"difference {residual:.3g}): apply transforms.Resize(32) before transforms.ToTensor()")


def estimated_normalisation(found: torch.Tensor, digit: torch.Tensor) -> tuple[float, float]:
    """The (mean, std) a normalised output was made with, whatever the resizing.

    The background is 0 before normalising, so it becomes -mean/std exactly; the average pixel, which
    resizing barely changes, becomes (average - mean)/std. Two equations, two unknowns.
    """
    background = found.min().item()
    spread = found.double().mean().item() - background
    if spread <= 1e-6:
        raise CheckFailed("transform(image) returns a constant image")
    std = digit.double().mean().item() / spread
    return -background * std, std


@points(0.5, "transform", "transform: Normalize with mean 0.1307 and std 0.3081")
def test_transform_normalises(student, probe_inputs):
    for found, raw in zip(transform_outputs(student), probe_inputs["raw_images"]):
        mean, std = estimated_normalisation(found, raw.float() / 255)
        if abs(std - 1) < 0.1 and abs(mean) < 0.05:
            raise CheckFailed(f"pixels are in [0, 1], not normalised: add transforms.Normalize(({MEAN},), ({STD},)) "
                              "after ToTensor")
        # 10%: resampling moves the estimate by up to about 3% (8% for nearest-neighbour)
        expect(abs(mean / MEAN - 1) < 0.1 and abs(std / STD - 1) < 0.1,
               f"normalised with a mean of about {mean:.2f} and a std of about {std:.2f}, expected mean {MEAN} and "
               f"std {STD}")
