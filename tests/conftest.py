"""Shared fixtures: MNIST is loaded once per test session (about a second)."""

import numpy as np
import pytest

import lesson_lib as ll


@pytest.fixture(scope="session")
def mnist():
    return ll.load_mnist()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
