import torch

from autograder.checks.support import CheckFailed, expect, points

MEAN, STD = 0.1307, 0.3081


def transform_outputs(student) -> list[torch.Tensor]:
    outputs = student.probe("transform", "transform", "applying `transform` to a test image").get("outputs")
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, torch.Tensor) for o in outputs):
        raise CheckFailed("`transform(image)` should return a tensor; it returned something else")
    return [o.float() for o in outputs]


def affine_fit(found: torch.Tensor, unnormalised: torch.Tensor) -> tuple[float, float, float]:
    """Slope, intercept and worst residual of found = slope * unnormalised + intercept."""
    x, y = unnormalised.flatten().double(), found.flatten().double()
    design = torch.stack([x, torch.ones_like(x)], dim=1)
    slope, intercept = torch.linalg.lstsq(design, y.unsqueeze(1)).solution.flatten().tolist()
    return slope, intercept, (design @ torch.tensor([slope, intercept], dtype=torch.float64) - y).abs().max().item()


@points(0.5, "transform", "transform: images resized to 1x32x32 before ToTensor")
def test_transform_resizes_before_to_tensor(student, reference):
    expected = transform_outputs(reference)
    for found, want in zip(transform_outputs(student), expected):
        expect(tuple(found.shape) == (1, 32, 32),
               f"transform(image) should be a 1x32x32 tensor, found {'x'.join(map(str, found.shape))}: "
               "LeNet-5 needs 32x32 inputs, so start the transform with transforms.Resize(32)")
        *_, residual = affine_fit(found, want * STD + MEAN)
        expect(residual < 1e-3, "the pixels differ from resizing the image and then converting it (largest "
                                f"difference {residual:.3g}): apply transforms.Resize(32) before transforms.ToTensor()")


@points(0.5, "transform", "transform: Normalize with mean 0.1307 and std 0.3081")
def test_transform_normalises(student, reference, probe_inputs):
    expected = transform_outputs(reference)
    for index, found in enumerate(transform_outputs(student)):
        if tuple(found.shape) == tuple(expected[index].shape):
            unnormalised = expected[index] * STD + MEAN
        else:  # compare with the un-resized pixels, so a missing Resize costs only the other check
            unnormalised = probe_inputs["raw_images"][index].float().div(255).reshape(found.shape) \
                if found.numel() == 28 * 28 else None
        expect(unnormalised is not None, f"cannot compare a {tuple(found.shape)} output with the digit")
        slope, intercept, residual = affine_fit(found, unnormalised)
        expect(residual < 1e-2 and slope > 0, "the pixel values do not follow from the image by a normalisation")
        std, mean = 1 / slope, -intercept / slope
        if abs(std - 1) < 1e-3 and abs(mean) < 1e-3:
            raise CheckFailed(f"pixels are in [0, 1], not normalised: add transforms.Normalize(({MEAN},), ({STD},)) "
                              "after ToTensor")
        expect(abs(mean - MEAN) < 1e-3 and abs(std - STD) < 1e-3,
               f"normalised with mean {mean:.4f} and std {std:.4f}, expected mean {MEAN} and std {STD}")
