"""Fixtures every test folder shares (the engine's in tests/, each assignment's in autograder/assignments/<id>/tests/)."""

from __future__ import annotations

import pytest

from autograder.engine.assignment import Assignment, default
from autograder.engine.config import Config


@pytest.fixture(scope="session")
def config() -> Config:
    return Config()


@pytest.fixture(scope="session")
def assignment(config) -> Assignment:
    """The engine's tests grade the default assignment; each assignment's tests override this with their own."""
    return default(config)
