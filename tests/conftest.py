"""Shared fixtures: MNIST is loaded once per test session (about a second)."""

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

import lesson_lib as ll


@pytest.fixture(scope="session")
def mnist():
    return ll.load_mnist()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# where tests/test_browser.py saves a screenshot of each notebook
SCREENSHOTS = Path(os.environ.get("LESSON_LIB_SCREENSHOTS", Path(tempfile.gettempdir()) / "lesson_lib_screenshots"))


_screenshots_taken = []


@pytest.fixture(scope="session")
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    _screenshots_taken.append(SCREENSHOTS)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter):
    """Say where the browser tests of this run left their screenshots, so a person can look at them."""
    if _screenshots_taken and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots of the notebooks: {SCREENSHOTS}")
