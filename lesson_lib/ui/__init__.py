"""The course's user interface, on top of the core: figures (``plots``), the explorers of
notebooks 01-06 (``widgets``), the training panel of notebook 07 (``training_panel``) and the
digit pad (``digit_pad``), and the progress bar hook for ``train`` (``ProgressBar``).

The core (every module of ``lesson_lib`` outside this sub-package) computes; this sub-package
draws and reacts to controls, and imports the core. The core never imports it, so
``import lesson_lib`` needs neither matplotlib nor ipywidgets. In a notebook::

    import lesson_lib as ll
    from lesson_lib import ui

    ui.plots.plot_activations(...)
    ui.show_digits(images, labels)
"""

from . import plots
from .plots import show_digits
from .progress import ProgressBar

__all__ = ["plots", "show_digits", "ProgressBar"]
