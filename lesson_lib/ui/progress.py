"""A progress bar for ``lesson_lib.train``: a hook, in the user interface because it draws
(tqdm.auto shows an ipywidgets bar in a notebook, text in a terminal)."""

from __future__ import annotations

from ..training import Hook


class ProgressBar(Hook):
    """A progress bar over all the run's updates: ``train(..., hooks=[*standard_hooks(), ProgressBar()])``."""

    def on_start(self, state):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=state.epochs * state.n_batches, unit="batch", leave=False)

    def on_update(self, state):
        self.bar.update(1)

    def on_end(self, state):
        if getattr(self, "bar", None) is not None:
            self.bar.close()
