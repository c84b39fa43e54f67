"""The course as a learner uses it: JupyterLab in a real (headless) browser.

Unit tests and nbval run kernels without a front end, so they cannot see a widget that fails to
render ("Error displaying widget: model not found" when jupyterlab_widgets is missing), a
slider whose move never reaches the kernel, or a notebook that fails only in JupyterLab. These
tests start JupyterLab from this environment on 127.0.0.1 (temp HOME, free port, a random token, a copy of
the notebooks so that autosave cannot touch the committed ones), open every notebook in Debian's
Chromium through playwright, run all cells, and drive the widgets with the keyboard and mouse.
Screenshots go to the folder printed at the end of the test run (conftest.SCREENSHOTS).

Needs Chromium (``apt-get install chromium``) and playwright (``pip install playwright``; no
browser download: the system Chromium is used). Without them the tests are reported as skipped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # JupyterLab and Chromium: minutes

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHINESE = sorted((ROOT / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))  # the Chinese edition, same names
CHROMIUM = os.environ.get("LESSON_LIB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
HOW_TO_INSTALL = "install it with `apt-get install chromium` (Debian/Ubuntu) and `pip install playwright`"
# widget images each notebook must show once run: one per explorer; 07 has the panel and the pad
WIDGET_IMAGES = {"00_start_here": 0, "07_mnist_demo": 2, "08_open_questions": 0}

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if CHROMIUM is None or sync_playwright is None:
    missing = " and ".join(name for name, absent in (("Chromium", CHROMIUM is None), ("playwright", sync_playwright is None))
                           if absent)
    pytest.skip(f"browser tests need {missing}: {HOW_TO_INSTALL}", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server: its address and the random token that every request must carry."""

    url: str  # http://127.0.0.1:PORT
    token: str

    def link(self, path: str) -> str:
        """The address of ``path`` (such as "/lab/tree/x.ipynb?reset") with the token, for the browser."""
        return f"{self.url}{path}{'&' if '?' in path else '?'}token={self.token}"

    def get(self, path: str, token: str | None = None, timeout: float = 10):
        """GET ``path`` with the header ``Authorization: token ...`` (this server's token unless another is
        given; "" sends no header). Returns the response; raises urllib.error.HTTPError for a 4xx/5xx answer."""
        token = self.token if token is None else token
        headers = {"Authorization": f"token {token}"} if token else {}
        return urllib.request.urlopen(urllib.request.Request(self.url + path, headers=headers), timeout=timeout)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server of this environment with a random token, stopped by its process id when the tests end."""
    home = tmp_path_factory.mktemp("lab_home")
    notebooks = tmp_path_factory.mktemp("notebooks")
    for path in NOTEBOOKS:
        shutil.copy(path, notebooks / path.name)
    (notebooks / "zh").mkdir()
    for path in CHINESE:
        shutil.copy(path, notebooks / "zh" / path.name)
    port = free_port()
    token = secrets.token_hex(16)
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"), OMP_NUM_THREADS="1")
    log = open(home / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", "--expose-app-in-browser", f"--ServerApp.root_dir={notebooks}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server_lab = Lab(f"http://127.0.0.1:{port}", token)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                server_lab.get("/api/status", timeout=2).close()
                break
            except urllib.error.HTTPError as error:  # it listens, but refuses the token
                pytest.fail(f"JupyterLab answered {error.code} to a request with its token: "
                            f"{(home / 'server.log').read_text()[-2000:]}")
            except OSError:  # not listening yet
                assert server.poll() is None, f"JupyterLab exited: {(home / 'server.log').read_text()[-2000:]}"
                assert time.monotonic() < deadline, \
                    f"JupyterLab did not answer within 60 s: {(home / 'server.log').read_text()[-2000:]}"
                time.sleep(0.3)
        yield server_lab
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


CODE_CELLS = "window.jupyterapp.shell.currentWidget.content.widgets.filter(c => c.model.type === 'code')"


def open_and_run(browser, lab, name):
    """Open a notebook in a fresh page, run all cells, wait for the kernel to be idle."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(lab.link(f"/lab/tree/{name}.ipynb?reset"))  # the token logs the page in (a cookie, for the kernel too)
    page.wait_for_function("window.jupyterapp && window.jupyterapp.started", timeout=60_000)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=60_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(f"{CODE_CELLS}.every(c => c.model.executionCount === null)", timeout=30_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"{CODE_CELLS}.every(c => c.model.executionCount !== null)", timeout=120_000)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=120_000)
    page.wait_for_timeout(1000)  # let the last widget views render
    return page


def assert_ran_cleanly(page, name):
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"{name}: error or stderr output: {errors.first.inner_text()[:500]}"
    for text in ("Error displaying widget", "model not found"):
        assert page.get_by_text(text).count() == 0, f"{name}: {text!r}: the widgets did not render (is jupyterlab_widgets installed?)"
    as_text = page.locator(".jp-OutputArea-output[data-mime-type='text/plain']").filter(has_text=re.compile(r"\w+\(children="))
    assert as_text.count() == 0, f"{name}: a widget is shown as plain text, not rendered: {as_text.first.inner_text()[:200]}"
    # issue 15 item 7: the course's lab turns off JupyterLab's news pop-up (tasks.py writes overrides.json)
    assert page.get_by_text("official Jupyter news").count() == 0, f"{name}: JupyterLab's news pop-up is shown"
    images = page.locator("img.widget-image")
    expected = WIDGET_IMAGES.get(name, 1)
    assert images.count() == expected, f"{name}: expected {expected} rendered widget figure(s), found {images.count()}"


def screenshot(page, folder, name):
    page.screenshot(path=str(folder / f"{name}.png"))


def status_of(widget):
    return widget.locator(".widget-html-content").first.inner_text()


def wait_for_status(page, widget, pattern, timeout=20_000):
    """Wait until the widget's first HTML label (its status line, written by the kernel) matches."""
    deadline = time.monotonic() + timeout / 1000
    while not re.search(pattern, status_of(widget)):
        assert time.monotonic() < deadline, f"status line never matched {pattern!r}; it says {status_of(widget)!r}"
        page.wait_for_timeout(50)
    return status_of(widget)


def status_code(call):
    try:
        return call().status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_server_answers_only_requests_that_carry_its_token(lab):
    assert status_code(lambda: lab.get("/api/contents", token="")) == 403
    assert status_code(lambda: lab.get("/api/contents", token=secrets.token_hex(16))) == 403
    with lab.get("/api/contents") as response:
        names = {entry["name"] for entry in json.load(response)["content"]}
    assert names == {path.name for path in NOTEBOOKS} | {"zh"}  # and the Chinese edition's folder
    # a browser without the token is sent to the login page, not to the notebooks
    with urllib.request.urlopen(f"{lab.url}/lab", timeout=10) as response:
        assert urllib.parse.urlsplit(response.url).path == "/login"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_jupyterlab_and_its_widgets_render(browser, lab, screenshot_dir, path):
    page = open_and_run(browser, lab, path.stem)
    try:
        assert_ran_cleanly(page, path.stem)
        if path.stem == "02_learning_slowdown":
            drive_the_slowdown_explorer(page, screenshot_dir)
        elif path.stem == "03_cross_entropy":
            drive_the_entropy_explorer(page, screenshot_dir)
        elif path.stem == "07_mnist_demo":
            drive_the_training_panel_and_the_pad(page, screenshot_dir)
        screenshot(page, screenshot_dir, path.stem)
    finally:
        page.close()


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: f"zh-{p.stem}")
def test_the_chinese_notebook_runs_in_jupyterlab_with_chinese_widgets(browser, lab, screenshot_dir, path):
    page = open_and_run(browser, lab, f"zh/{path.stem}")
    try:
        assert_ran_cleanly(page, path.stem)
        widgets = page.locator(".jupyter-widgets.widget-vbox, .jupyter-widgets.widget-box").filter(
            has=page.locator("img.widget-image"))
        for i in range(min(widgets.count(), 2)):
            widgets.nth(i).scroll_into_view_if_needed()
            widgets.nth(i).screenshot(path=str(screenshot_dir / f"zh_{path.stem}_widget{i + 1}.png"))
        if WIDGET_IMAGES.get(path.stem, 1):
            # the controls' labels are lesson_lib's Chinese ones (ll.set_language("zh") in the first cell)
            labels = page.locator(".widget-label").all_inner_texts()
            assert any(re.search(r"[\u4e00-\u9fff]", label) for label in labels), f"zh/{path.stem}: labels {labels[:8]}"
        screenshot(page, screenshot_dir, f"zh_{path.stem}")
    finally:
        page.close()


def press(page, handle, key, times):
    """Focus a slider's handle and press a key on it ``times`` times."""
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)


def drive_the_slowdown_explorer(page, folder):
    explorer = page.locator(".widget-vbox").filter(has=page.locator("img.widget-image")).first
    image = explorer.locator("img.widget-image")
    before_image, before = image.get_attribute("src"), status_of(explorer)
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(folder / "02_slowdown_explorer_before.png"))
    before_layout = layout_of(explorer)
    assert "start a = 0.0180" in before  # w = b = -2: sigma(-4)
    explorer.locator(".widget-slider .noUi-handle").first.focus()  # "start w", from -2.0 in steps of 0.1
    page.keyboard.press("ArrowRight")
    wait_for_status(page, explorer, r"start a = 0\.0198")  # sigma(-1.9 - 2): the kernel saw w = -1.9
    assert image.get_attribute("src") != before_image
    explorer.locator(".widget-dropdown select").select_option(label="quadratic")
    wait_for_status(page, explorer, r"^start a = 0\.0198; quadratic: [^;]*$")  # one run now, not both
    explorer.screenshot(path=str(folder / "02_slowdown_explorer.png"))
    assert layout_of(explorer) == before_layout, "the explorer's figure or sliders moved after the change"


def layout_of(explorer):
    """Where the explorer's figure and its sliders sit on the page (x, y, width, height, rounded to a
    pixel): compared before and after a change, a figure that jumps or shrinks shows, pixels aside."""
    boxes = [explorer.locator("img.widget-image").bounding_box()]
    boxes += [handle.bounding_box() for handle in explorer.locator(".widget-slider .noUi-base").all()]
    return [tuple(round(box[k]) for k in ("x", "y", "width", "height")) if box else None for box in boxes]


def drive_the_entropy_explorer(page, folder):
    # issue 15 item 1: "classes: 2" hid every slider; and the figure must keep its place and size
    explorer = page.locator(".widget-vbox").filter(has=page.locator(".widget-toggle-buttons")).first
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(folder / "03_entropy_explorer_before.png"))
    before = layout_of(explorer)
    explorer.locator(".widget-toggle-button", has_text="2").click()
    wait_for_status(page, explorer, r"^p = \[0\.000, 1\.000\], q = \[0\.286, 0\.714\]")
    visible = [s.is_visible() and s.evaluate("e => getComputedStyle(e).visibility") == "visible"
               for s in explorer.locator(".widget-slider").all()]
    assert visible == [True, True, False, True, True, False], visible  # p weights 0-2, then q weights 0-2
    q_weight_0 = explorer.locator(".widget-slider").nth(3).locator(".noUi-handle")
    q_weight_0.focus()
    page.keyboard.press("ArrowRight")  # a slider of the two classes still works: q weight 0 from 0.2 to 0.21
    wait_for_status(page, explorer, r"q = \[0\.296, 0\.704\]")
    explorer.screenshot(path=str(folder / "03_entropy_explorer_two_classes.png"))
    assert layout_of(explorer) == before, "the explorer's figure or sliders moved after the change"


def drive_the_training_panel_and_the_pad(page, folder):
    panel = page.locator(".widget-vbox").filter(has=page.locator("button", has_text="Train")).first
    # run-all leaves the view at the last cell; JupyterLab hides cells far off screen, and a hidden
    # label's inner text reads as ''
    panel.scroll_into_view_if_needed()
    image = panel.locator("img.widget-image")
    first_image = image.get_attribute("src")
    panel.locator(".widget-dropdown select").first.select_option(label="cross_entropy + sigmoid")
    wait_for_status(page, panel, r"next run: .*cross_entropy \+ sigmoid")
    sliders = panel.locator(".widget-slider")
    # A run long enough to be stopped on any machine: 30 epochs of all 60,000 digits one at a time
    # (over a minute here; 15 epochs of 20,000 digits at batch 10 once ended in 2.4 s, before the
    # Stop click landed).
    press(page, sliders.filter(has_text="epochs").locator(".noUi-handle"), "ArrowRight", 25)  # 5 -> 30
    press(page, sliders.filter(has_text="batch size").locator(".noUi-handle"), "ArrowLeft", 3)  # 10 -> 1
    press(page, sliders.filter(has_text="training digits").locator(".noUi-handle"), "ArrowRight", 2)  # -> 60000
    wait_for_status(page, panel, r"batch 1, 30 epochs on 60000 digits")
    panel.get_by_role("button", name="Train").click()
    progress = panel.locator(".widget-hprogress .progress-bar")

    def progress_width():
        style = progress.get_attribute("style") or "width: 0%"
        # Chromium writes a small percentage in exponent notation: "width: 5.55556e-05%" (1 step of 1.8 million)
        found = re.search(r"width:\s*([\d.]+(?:e[-+]?\d+)?)%", style)
        assert found, f"the progress bar's style gives no width: {style!r}"
        return float(found.group(1))

    wait_for_status(page, panel, r"^epoch \d+, batch")
    first = progress_width()
    assert first > 0, "the progress bar did not start"
    # the panel redraws (figure, status, progress) about twice a second, less often while drawing is slow
    deadline = time.monotonic() + 15
    while progress_width() <= first:
        assert time.monotonic() < deadline, f"the progress bar did not advance from {first}% in 15 s"
        page.wait_for_timeout(200)
    output_rate = sliders.filter(has_text="lr output layer").locator(".noUi-handle")
    output_rate.focus()
    page.keyboard.press("ArrowLeft")  # 0.1 -> 0.0794 during the run
    wait_for_status(page, panel, r"learning rates now 1, 0\.0794|lr 1, 0\.0794")
    still_running = status_of(panel)
    assert re.match(r"epoch \d+, batch|learning rates now", still_running), \
        f"the run ended before Stop was pressed, so Stop cannot be tested: {still_running!r}"
    panel.get_by_role("button", name="Stop").click()
    status = wait_for_status(page, panel, r"stopped on request in epoch \d+", timeout=30_000)
    assert "test accuracy" in status and image.get_attribute("src") != first_image
    panel.screenshot(path=str(folder / "07_training_panel.png"))

    pad = page.locator(".widget-vbox").filter(has=page.locator("button", has_text="Clear")).first
    canvas = pad.locator("canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 140, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 11):  # a vertical stroke: a 1
        page.mouse.move(box["x"] + 140, box["y"] + 40 + 20 * step)
    page.mouse.up()
    wait_for_status(page, pad, r"the network reads an? \d")
    pad.screenshot(path=str(folder / "07_digit_pad.png"))
