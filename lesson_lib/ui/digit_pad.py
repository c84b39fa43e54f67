"""Draw your own digit: a canvas to draw on with the mouse, turned into an MNIST-style 28x28
image and classified by a trained network.

MNIST's digits were prepared in a fixed way: each handwritten digit was scaled, keeping its
aspect ratio, to fit a 20x20 box, with grey levels from the anti-aliasing, then placed in a
28x28 image so that its centre of mass sits at pixel (14, 14). A digit drawn on a big canvas is
prepared the same way (``mnist_style``) before the network sees it; otherwise a digit drawn
small or in a corner would look like nothing the network was trained on.

``render_strokes`` turns the mouse strokes (lists of (x, y) points on the canvas) into a
grey-level image; ``mnist_style`` turns that image into the network's input (784,).
``DigitPad`` is the widget: an ipycanvas Canvas, a Clear button, and a figure with the 28x28
input and the network's probabilities, redrawn when a stroke ends.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import PIL.Image
import PIL.ImageDraw

from . import plots
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..network import Network
from ..validation import as_float_array, check_positive
from .widgets import FigureView

CANVAS_SIZE = 280
PEN_WIDTH = 22
PROMPT = N_("Draw a digit from 0 to 9 in the black square.")  # translated where it is shown
MNIST_CENTER = 14.0


def render_strokes(strokes, size: int = CANVAS_SIZE, width: int = PEN_WIDTH) -> np.ndarray:
    """Strokes drawn with a round pen of ``width`` pixels, white on black, as a (size, size)
    uint8 image. strokes: a list of strokes, each a list of (x, y) canvas points."""
    size = check_positive("size", size, integer=True)
    width = check_positive("width", width, integer=True)
    image = PIL.Image.new("L", (size, size), 0)
    pen = PIL.ImageDraw.Draw(image)
    for k, stroke in enumerate(strokes):
        points = as_float_array(f"strokes[{k}]", stroke, ndim=2) if len(stroke) else np.zeros((0, 2))
        if points.shape[0] and points.shape[1] != 2:
            raise ValueError(f"strokes[{k}]: expected (x, y) points shaped (m, 2), got {points.shape}")
        flat = [tuple(map(float, p)) for p in points]
        if len(flat) > 1:
            pen.line(flat, fill=255, width=width, joint="curve")
        for x, y in flat:  # round ends and single dots
            pen.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=255)
    return np.asarray(image)


def mnist_style(image) -> np.ndarray:
    """A grey-level image (h, w), ink bright on a dark background, prepared as MNIST's digits
    were: cropped to the ink, scaled to fit 20x20 keeping the aspect ratio, and placed in a
    28x28 image with its centre of mass at pixel (14, 14). Returns (784,) float32 in [0, 1]
    (all zeros if there is no ink)."""
    image = as_float_array("image", image, ndim=2)
    if image.max() > 1:
        image = image / 255.0
    rows, columns = np.nonzero(image > 0.05)
    out = np.zeros((28, 28), dtype=np.float32)
    if rows.size == 0:
        return out.ravel()
    ink = image[rows.min():rows.max() + 1, columns.min():columns.max() + 1]
    scale = 20.0 / max(ink.shape)
    height, width = max(1, round(ink.shape[0] * scale)), max(1, round(ink.shape[1] * scale))
    small = PIL.Image.fromarray((np.clip(ink, 0, 1) * 255).astype(np.uint8)).resize((width, height),
                                                                                   PIL.Image.LANCZOS)
    small = np.asarray(small, dtype=np.float32) / 255.0
    top, left = (28 - height) // 2, (28 - width) // 2
    out[top:top + height, left:left + width] = small
    # shift the centre of mass to pixel (14, 14), where MNIST's digits have it (their mean
    # centre of mass, measured over the training set, is 14.0 in both directions)
    total = out.sum()
    grid_rows, grid_columns = np.indices(out.shape)
    shift_rows = int(round(MNIST_CENTER - (grid_rows * out).sum() / total))
    shift_columns = int(round(MNIST_CENTER - (grid_columns * out).sum() / total))
    shift_rows = int(np.clip(shift_rows, -top, 28 - top - height))
    shift_columns = int(np.clip(shift_columns, -left, 28 - left - width))
    out = np.roll(out, (shift_rows, shift_columns), axis=(0, 1))
    return np.clip(out, 0, 1).ravel()


def article(digit: int) -> str:
    """The article before a digit's name in English: "an 8", "a 7"."""
    return "an" if digit == 8 else "a"


class DigitPad(widgets.VBox):
    """Draw a digit with the mouse and see what ``network`` makes of it.

    network: a trained Network with 784 inputs and 10 outputs (``pad.network`` can be set to
    another one later, e.g. the training panel's). For tests, ``begin_stroke(x, y)``,
    ``extend_stroke(x, y)`` and ``end_stroke(x, y)`` are what the mouse events call;
    ``digit`` (784,) and ``probabilities`` (10,) hold the last result.
    """

    def __init__(self, network: Network):
        from ipycanvas import Canvas, hold_canvas  # only this widget needs ipycanvas

        self._hold_canvas = hold_canvas
        self.network = network
        self.canvas = Canvas(width=CANVAS_SIZE, height=CANVAS_SIZE,
                             layout=widgets.Layout(width=f"{CANVAS_SIZE}px", height=f"{CANVAS_SIZE}px",
                                                   border="1px solid #888"))
        self.clear_button = widgets.Button(description=_("Clear"), icon="eraser")
        self.view = FigureView((6.4, 2.8), _(PROMPT))
        self.figure, self.image, self.status = self.view.figure, self.view.image, self.view.status
        self.strokes: list = []
        self._pen_down = False
        self.digit = np.zeros(784, dtype=np.float32)
        self.probabilities = None
        super().__init__([widgets.HBox([self.canvas, widgets.VBox([self.clear_button, self.image])]), self.status])
        self.canvas.on_mouse_down(self.begin_stroke)
        self.canvas.on_mouse_move(self.extend_stroke)
        self.canvas.on_mouse_up(self.end_stroke)
        self.canvas.on_mouse_out(self.end_stroke)
        self.clear_button.on_click(lambda _: self.clear())
        self.clear()

    @property
    def redraws(self) -> int:
        """How many times the result was drawn."""
        return self.view.redraws

    @property
    def network(self) -> Network:
        return self._network

    @network.setter
    def network(self, network):
        if not isinstance(network, Network) or network.sizes[0] != 784 or network.sizes[-1] != 10:
            raise TypeError(f"network: expected a lesson_lib.Network with 784 inputs and 10 outputs, got {network!r}")
        self._network = network

    def clear(self):
        """Wipe the canvas and the result."""
        self.strokes, self._pen_down = [], False
        with self._hold_canvas():
            self.canvas.fill_style = "black"
            self.canvas.fill_rect(0, 0, CANVAS_SIZE, CANVAS_SIZE)
            self.canvas.stroke_style = "white"
            self.canvas.fill_style = "white"
            self.canvas.line_width = PEN_WIDTH
            self.canvas.line_cap = "round"
            self.canvas.line_join = "round"
        self.update()

    def begin_stroke(self, x, y):
        """The mouse button went down at (x, y): a new stroke starts."""
        self._pen_down = True
        self.strokes.append([(x, y)])
        self.canvas.fill_circle(x, y, PEN_WIDTH / 2)

    def extend_stroke(self, x, y):
        """The mouse moved to (x, y): draw on if the button is down."""
        if self._pen_down:
            x0, y0 = self.strokes[-1][-1]
            self.strokes[-1].append((x, y))
            self.canvas.stroke_line(x0, y0, x, y)

    def end_stroke(self, x, y):
        """The button went up (or the mouse left the canvas): classify the drawing."""
        if self._pen_down:
            self._pen_down = False
            self.update()

    def update(self):
        """Prepare the drawing as an MNIST digit, classify it and redraw the result."""
        strokes = self.strokes
        self.digit = mnist_style(render_strokes(strokes))
        self.figure.clear()
        ax_digit, ax_probabilities = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
        ax_digit.imshow(self.digit.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax_digit.set(title=plots.figure_text("network input, 28x28"), xticks=[], yticks=[])
        if strokes:
            self.probabilities = self.network.forward(self.digit[None, :])[0]
            best = int(np.argmax(self.probabilities))
            colors = ["tab:red" if j == best else "0.6" for j in range(10)]
            ax_probabilities.bar(range(10), self.probabilities, color=colors)
            status = html.escape(_("the network reads {article} {digit} (output {output:.2f})").format(
                article=article(best), digit=best, output=self.probabilities[best]))
        else:
            self.probabilities = None
            status = _(PROMPT)
        ax_probabilities.set(title=plots.figure_text("network outputs"), xticks=range(10), ylim=(0, 1),
                             xlabel=plots.figure_text("digit"))
        self.figure.tight_layout()
        self.view.show(status)
