"""Shared fixtures (MNIST is loaded once per test session, about a second) and the ``slow`` marker:
``python3 tasks.py test -m "not slow"`` is the quick inner loop (CONTRIBUTING.md)."""

import os
import tempfile
import warnings
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


# The `slow` marker (pyproject.toml): `python3 tasks.py test -m "not slow"` is the quick inner loop, and
# `-m slow` runs the rest. Slow are: every notebook cell nbval runs; every test that needs the MNIST digits (the
# `mnist` fixture, directly or through another fixture: loading them takes about a second, and those tests
# then train on them); whole files that say `pytestmark = pytest.mark.slow` (tests/test_browser.py,
# tests/test_rerun_order.py, tests/test_notebook_sources.py) and tests marked `@pytest.mark.slow` in place; and the
# tests below, each of which took a quarter of a second or more here (2 cores; `--durations=0`): MNIST files
# copied and re-read, networks trained, figures drawn, training threads run. An entry is a test function's node
# id without parameters (it covers every parametrization); one that names no test in its file is reported as a
# warning.
SLOW_TESTS = {
    "tests/test_data.py::test_idx_headers_are_big_endian_with_the_right_magic_numbers",
    "tests/test_data.py::test_one_changed_byte_fails_the_checksum",
    "tests/test_data.py::test_an_intact_copy_loads_even_recompressed_or_uncompressed",
    "tests/test_data.py::test_a_wrong_header",
    "tests/test_data.py::test_a_file_that_is_not_gzip",
    "tests/test_data.py::test_a_truncated_gzip_file",
    "tests/test_data.py::test_truncated_content",
    "tests/test_data.py::test_a_missing_file",
    "tests/test_data.py::test_the_data_folder_can_be_moved_by_environment_variable",
    "tests/test_exercises.py::test_train_demo_with_the_right_loss_trains_like_the_built_in_one",
    "tests/test_exercises.py::test_code_slower_than_the_time_limit_is_told_so",
    "tests/test_normalizations.py::test_a_network_trains_with_each_normalization",
    "tests/test_plots.py::test_plot_gradient_sizes_and_the_panel_figure_show_each_layer",
    "tests/test_plots.py::test_confusion_mistakes_and_weights_figures",
    "tests/test_plots.py::test_plot_loss_comparison_draws_each_run_on_all_three_panels",
    "tests/test_plots.py::test_plot_depth_comparison_draws_the_given_numbers",
    "tests/test_training.py::test_resuming_training_epoch_by_epoch_is_not_mistaken_for_divergence",
    "tests/test_training_defects.py::test_the_interpreter_exits_cleanly_while_a_panel_trains",
    "tests/test_widgets.py::test_activation_explorer_moves_the_point_and_toggles_curves",
    "tests/test_widgets.py::test_an_explorer_keeps_its_look_whatever_its_controls_say",
    "tests/test_widgets.py::test_no_control_label_is_cut_short",
    "tests/test_plots.py::test_the_descent_paths_of_notebook_06_stay_in_view_and_the_noisy_one_buries_none",
    "tests/test_plots.py::test_the_training_panel_places_its_legends_and_ticks_without_searching",
    "tests/test_plots.py::test_the_panels_accuracy_axis_zooms_to_the_accuracies_after_the_first_epoch",
    "tests/test_widgets.py::test_slowdown_explorer_overlays_both_losses_and_follows_the_controls",
    "tests/test_widgets.py::test_entropy_explorer_normalizes_weights_and_shows_the_identity",
    "tests/test_widgets.py::test_entropy_explorer_says_why_a_one_hot_weight_changes_nothing",
    "tests/test_widgets.py::test_softmax_explorer_parses_scores_and_follows_temperature_and_class",
    "tests/test_widgets.py::test_backprop_explorer_shows_each_layers_error_and_gradient_sizes",
    "tests/test_widgets.py::test_descent_explorer_redraws_the_path_for_the_chosen_batch_size",
    "tests/test_widgets.py::test_entropy_explorer_with_two_classes_hides_only_the_third_sliders",
    "tests/test_widgets.py::test_the_entropy_figures_legends_cover_no_bar",
}


def pytest_collection_modifyitems(config, items):
    """Add the `slow` marker to the notebook cells, the tests that need MNIST and the tests in SLOW_TESTS."""
    modules = {}
    for item in items:
        if (item.path.suffix == ".ipynb" or "mnist" in getattr(item, "fixturenames", ())
                or item.nodeid.split("[")[0] in SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
        if isinstance(item, pytest.Function):
            modules[item.nodeid.split("::")[0]] = item.module
    stale = sorted(name for name in SLOW_TESTS if name.split("::")[0] in modules
                   and not hasattr(modules[name.split("::")[0]], name.split("::")[-1]))
    if stale:
        warnings.warn(pytest.PytestWarning("tests/conftest.py SLOW_TESTS names tests that do not exist (renamed?): "
                                           + ", ".join(stale)))
