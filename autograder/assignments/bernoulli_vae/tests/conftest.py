from __future__ import annotations

import pytest

from autograder.engine.assignment import Assignment, load


@pytest.fixture(scope="session")
def assignment(config) -> Assignment:
    return load("bernoulli_vae", config)
