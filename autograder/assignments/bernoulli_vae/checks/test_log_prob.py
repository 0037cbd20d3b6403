import torch

from autograder.assignments.bernoulli_vae.checks.support import as_tensor
from autograder.assignments.bernoulli_vae.measures import log_prob
from autograder.engine.grade.checks import CheckFailed, expect, points

CELL = "log_likelihood"
DOING = "calling continuous_bernoulli_log_prob"


def _compare(student, probe_inputs, settings, cases: tuple, where: str, hint: str) -> None:
    answer = student.probe("log_prob", CELL, DOING)
    found = torch.cat([as_tensor(answer.get(case), f"continuous_bernoulli_log_prob {where}",
                                 tuple(probe_inputs["log_prob"][case][0].shape)).flatten() for case in cases])
    x = torch.cat([probe_inputs["log_prob"][case][0].flatten() for case in cases])
    lam = torch.cat([probe_inputs["log_prob"][case][1].flatten() for case in cases])
    # the trusted log-density lives in the grader's process only (measures.py): PyTorch's, in float64, lam clamped
    # to float32's eps first as the notebook asks
    expected = log_prob(x, lam)
    bad = ~torch.isfinite(found)
    if bad.any():
        i = int(bad.nonzero()[0, 0])
        example = f" (e.g. lam = {lam[i].item():.9g}, x = {x[i].item():g})"
        raise CheckFailed(f"continuous_bernoulli_log_prob gives NaN or infinite values {where}{example}; {hint}")
    gap = (found - expected).abs()
    allowed = settings.log_prob_atol + settings.log_prob_rtol * expected.abs()
    if (gap > allowed).any():
        i = int((gap - allowed).flatten().argmax())
        example = (f"; e.g. lam = {lam[i].item():.9g}, x = {x[i].item():.3g}: found {found[i].item():.6g}, "
                   f"expected {expected[i].item():.6g}")
        raise CheckFailed(f"continuous_bernoulli_log_prob differs from PyTorch's ContinuousBernoulli.log_prob {where} "
                          f"by up to {gap.max().item():.3g} (tolerance {settings.log_prob_atol:g}){example}; {hint}")


@points(2, CELL, "continuous_bernoulli_log_prob: the continuous Bernoulli log-density for lam across (0, 1)")
def test_log_prob_matches_torch(student, probe_inputs, settings):
    _compare(student, probe_inputs, settings, ("general",), "for lam between 0.01 and 0.99",
             "check the formula x log(lam) + (1 - x) log(1 - lam) + log C(lam), and that the normalising constant "
             "log C(lam) is there: without it this is minus the BCE")


@points(1, CELL, "continuous_bernoulli_log_prob: finite and accurate for lam near 1/2")
def test_log_prob_near_one_half(student, probe_inputs, settings):
    _compare(student, probe_inputs, settings, ("half",), "for lam within 1e-2 of 1/2 (1/2 itself included)",
             "near lam = 1/2 use the Taylor expansion log 2 + 4/3 (lam - 1/2)^2 + 104/45 (lam - 1/2)^4 of log C(lam) "
             "(a logarithm: log C(1/2) = log 2), and the exact form elsewhere")
    gradient = as_tensor(student.probe("log_prob", CELL, DOING).get("half_gradient"),
                         "the gradient of continuous_bernoulli_log_prob with respect to lam near 1/2")
    expect(bool(torch.isfinite(gradient).all()),
           "continuous_bernoulli_log_prob's values are right near lam = 1/2, but its gradient with respect to lam is "
           "NaN or infinite there: torch.where evaluates both branches, so feed the exact form a harmless value "
           "(say 0.25) where the Taylor branch is used")


@points(1, CELL, "continuous_bernoulli_log_prob: finite and accurate for lam at and within 1e-6 of 0 and 1")
def test_log_prob_near_zero_and_one(student, probe_inputs, settings):
    _compare(student, probe_inputs, settings, ("extremes", "endpoints"), "for lam near 0 and 1 (and at exactly 0 and 1)",
             "first clamp lam into [eps, 1 - eps] with eps = torch.finfo(lam.dtype).eps (a sigmoid rounds to exactly "
             "0 or 1 in float32), use log1p(-lam) for log(1 - lam) and the form of log C(lam) with logarithms, "
             "log|log(1 - lam) - log(lam)| - log|1 - 2 lam|: 1 - 2 lam rounded in float32 is a poor input to atanh")
