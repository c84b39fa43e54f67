"""The course's website (tools/build_site.py), built once and opened page by page in headless Chromium.

The site is served from 127.0.0.1 and the browser is cut off from everything else: every request to another
address is refused and recorded, as with the network unplugged. On every page: no console error and no
failed request, no request leaving 127.0.0.1, every formula typeset (no raw $ or \\frac left in the text),
every image loaded, every saved widget rendered with its image. Every internal link of every page resolves,
anchors included. Screenshots of every page go to the folder printed at the end (LESSON_LIB_SITE_SCREENSHOTS).

Needs npm (to fetch the site's scripts, tasks.py site) and Chromium, as tests/test_browser.py does.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))
import build_site  # noqa: E402
import tasks  # noqa: E402

CHROMIUM = os.environ.get("LESSON_LIB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(os.environ.get("LESSON_LIB_SITE_SCREENSHOTS", Path(tempfile.gettempdir()) / "lesson_lib_site"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def npm_assets():
    """site/node_modules, installed with npm as `tasks.py site` does: a fresh clone does not have it."""
    if shutil.which("npm") is None:
        pytest.skip("npm is needed to build the site (Debian/Ubuntu: apt-get install npm)")
    tasks.npm_assets()


# ---------------------------------------------------------------- the staging, without a browser


def test_every_lesson_and_its_answers_become_pages_with_the_note_and_folded_answers(tmp_path, npm_assets):
    build_site.stage(tmp_path / "src", repository=None)
    pages = sorted(p.name for p in (tmp_path / "src").glob("*.ipynb"))
    assert pages == [p.name for p in build_site.lesson_notebooks()]
    for name in pages:
        page = json.loads((tmp_path / "src" / name).read_text())
        first_lines = "".join(page["cells"][0]["source"]).splitlines()
        assert first_lines[0].startswith("# ") and first_lines[2] == ":::{note}", first_lines[:3]
        widgets = sum(build_site.shows_widget(cell) for cell in page["cells"])
        notes = sum(cell.get("id", "").startswith("site-widget-note") for cell in page["cells"])
        assert notes == widgets, name
        answers = json.loads((tmp_path / "src" / "solutions" / name).read_text())
        for cell in answers["cells"]:
            tags = cell["metadata"].get("tags", [])
            source = "".join(cell["source"])
            if "solution" in tags and cell["cell_type"] == "markdown":
                assert re.match(r"::::\{dropdown\} Show (answer \d+|the answer)", source), (name, source[:60])
            if cell["cell_type"] == "code" and ("solution" in tags or "# BEGIN SOLUTION" in source):
                assert "hide-cell" in tags, (name, source[:60])


def test_each_widget_note_says_what_that_widget_does_in_jupyterlab():
    """The panel is saved before any run and the pad blank: "every control redraws the figure" is wrong for them."""
    notes, cells = {}, []
    for name in ("02_learning_slowdown", "07_mnist_demo"):
        notebook = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
        page = build_site.lesson_page(notebook, name, has_answers=True)
        cells += page["cells"]
        for before, cell in zip(page["cells"], page["cells"][1:]):
            if cell.get("id", "").startswith("site-widget-note"):
                source = "".join(before["source"])
                kind = "panel" if "TrainingPanel(" in source else "pad" if "DigitPad(" in source else "explorer"
                notes[kind] = cell["source"]
    assert set(notes) == {"panel", "pad", "explorer"}, notes.keys()
    assert "before any run" in notes["panel"] and "Train" in notes["panel"]
    assert "draw a digit" in notes["pad"]
    assert "redraws the figure" in notes["explorer"]
    assert not any("redraws the figure" in notes[kind] for kind in ("panel", "pad"))
    assert not any("NBVAL_IGNORE_OUTPUT" in "".join(cell["source"]) for cell in cells)


def test_the_run_page_takes_each_part_of_the_readmes_two_commands_once():
    readme = (ROOT / "README.md").read_text()
    page = build_site.run_page_sections((ROOT / "site" / "run.md").read_text(), build_site.readme_section(readme, "Two commands"))
    assert "{" + "two_commands}" not in page and "{" + "conda}" not in page
    assert page.count("python3 tasks.py lab") >= 1 and page.count("conda env create -f environment.yml") == 1
    assert "::::{dropdown} Why one BLAS thread" in page and page.count("Both commands set one BLAS thread") == 1
    assert "### With conda, or on Binder" not in page  # the page has its own Binder section


def test_the_glossary_merges_every_lessons_terms_once():
    sources = {p.stem: (ROOT / "lessons" / f"{p.stem}.md").read_text() for p in build_site.lesson_notebooks()}
    page = build_site.glossary_page(sources, {})
    rows = [line for line in page.splitlines() if line.startswith("| ") and not line.startswith("| English")]
    every_term = {row[0] for source in sources.values() for row in build_site.glossary_rows(source)}
    assert len(every_term) > 40
    for term in every_term:
        assert sum(row.startswith(f"| {term} |") for row in rows) <= 1, term
    # a term defined in three lessons links all three
    vanishing = [row for row in rows if row.startswith("| vanishing gradient |")]
    assert vanishing and re.findall(r"\[(\d\d)\]", vanishing[0]) == ["01", "05", "08"], vanishing


def test_a_term_in_several_lessons_glossaries_has_one_name_and_one_chinese_translation():
    """The merged glossary lists a term once: two lessons must not name one idea two ways ("epoch" and
    "epoch / update (iteration)") or translate it two ways."""
    chinese, names = {}, {}
    for path in build_site.lesson_notebooks():
        for term, zh, _ in build_site.glossary_rows((ROOT / "lessons" / f"{path.stem}.md").read_text()):
            chinese.setdefault(term, set()).add(zh)
            for part in re.split(r" / |, ", term):
                names.setdefault(re.sub(r" \$.*\$$", "", part.strip()).lower(), set()).add(term)
    assert {term: zh for term, zh in chinese.items() if len(zh) > 1} == {}
    assert {part: terms for part, terms in names.items() if len(terms) > 1} == {}


def test_glossary_rows_reads_a_table_with_escaped_bars():
    source = "# t\n\n## Glossary · 术语表\n\n| English | 中文 | in one line |\n|---|---|---|\n" \
             "| norm | 范数 | $\\|x\\|$, the length |\n| KL | KL 散度 | a \\| b |\n\n```{code-cell}\n```\n"
    assert build_site.glossary_rows(source) == [("norm", "范数", "$\\|x\\|$, the length"), ("KL", "KL 散度", "a \\| b")]


def test_the_landing_page_links_every_notebook_of_the_readme():
    readme = (ROOT / "README.md").read_text()
    titles = {p.stem: p.stem for p in build_site.lesson_notebooks()}
    page = build_site.landing_page(readme, titles, set(titles))
    for name in titles:
        assert f"]({name}.ipynb)" in page and f"(solutions/{name}.ipynb)" in page
    with pytest.raises(ValueError, match="lists 9 notebooks, notebooks/ has 10"):
        build_site.landing_page(readme, {**titles, "09_more": "09"}, set())


def test_the_pages_workflow_is_a_valid_workflow_that_builds_and_publishes_the_site():
    workflow = ROOT / ".github" / "workflows" / "site.yml"
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(workflow)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text()
    assert "run: python3 tasks.py site" in text and "path: build/site" in text and "actions/deploy-pages@" in text


# ---------------------------------------------------------------- the built site, in a browser


@pytest.fixture(scope="module")
def site(tmp_path_factory, npm_assets):
    out = tmp_path_factory.mktemp("site") / "html"
    result = subprocess.run([sys.executable, str(ROOT / "tasks.py"), "site", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(out / "index.html")
    return out


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is missing: install it with `apt-get install chromium` (Debian/Ubuntu)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def page_names(site: Path) -> list:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if p.name not in ("genindex.html", "search.html") and "_static" not in p.parts)


# the visible text of the page's article, without code, outputs and typeset math
VISIBLE_TEXT = """() => {
  const article = document.querySelector("article") || document.body;
  const copy = article.cloneNode(true);
  copy.querySelectorAll("pre, code, mjx-container, .cell_output, script, style, .headerlink").forEach(e => e.remove());
  return copy.innerText;
}"""


def open_page(browser, url: str):
    """Open a page with every request outside 127.0.0.1 refused; returns (page, problems)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and problems.append(
        f"HTTP {response.status}: {response.url}"))

    def route(request_route):
        host = urlsplit(request_route.request.url).hostname
        if request_route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            request_route.continue_()
        else:
            problems.append(f"left 127.0.0.1: {request_route.request.url}")
            request_route.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !window.MathJax || !window.MathJax.startup || window.MathJax.startup.promise")
    page.evaluate("() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
    return page, problems


def test_every_page_loads_offline_typeset_with_its_images_and_widgets(site, server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    names = page_names(site)
    assert "index.html" in names and "glossary.html" in names and "07_mnist_demo.html" in names
    assert len([n for n in names if n.startswith("solutions/")]) == len(build_site.lesson_notebooks())
    report = {}
    for name in names:
        page, problems = open_page(browser, server + name)
        html = (site / name).read_text()
        # formulas: every math element typeset, no raw TeX in the visible text
        untypeset = page.evaluate("() => [...document.querySelectorAll('.math')].filter(e => !e.querySelector("
                                  "'mjx-container') && e.tagName !== 'MJX-CONTAINER').length")
        if "class=\"math" in html:
            typeset = page.evaluate("() => document.querySelectorAll('mjx-container').length")
            assert typeset > 0, name
        text = page.evaluate(VISIBLE_TEXT)
        raw = re.findall(r"\$[^$\s][^$]*\$|\\frac|\\mathrm|\\sum", text)
        # images: every <img> loaded (widget images included)
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        broken = page.evaluate("() => [...document.images].filter(i => i.naturalWidth === 0).map(i => i.src.slice(0, 80))")
        # widgets: each saved widget view rendered; each saved Image widget shows its picture
        views = html.count('application/vnd.jupyter.widget-view+json')
        if views:
            page.wait_for_function(f"() => document.querySelectorAll('.jupyter-widgets.widget-container, "
                                   f".widget-image, .widget-html').length > 0", timeout=20_000)
        saved_images = sum(1 for _ in re.finditer(r'"model_name": "ImageModel"', html))
        widget_images = page.evaluate("() => [...document.querySelectorAll('img.widget-image, .widget-image img, "
                                      "img.jupyter-widgets')].filter(i => i.naturalWidth > 0).length")
        shot = SCREENSHOTS / name.replace("/", "__")
        page.screenshot(path=f"{shot}.png")
        first_widget = page.query_selector(".widget-image")
        if first_widget:  # and one at the first explorer's figure
            first_widget.scroll_into_view_if_needed()
            page.evaluate("() => window.scrollBy(0, 200)")
            page.screenshot(path=f"{shot}.widget.png")
        report[name] = dict(problems=problems, untypeset=untypeset, raw=raw[:5], broken=broken,
                            saved_images=saved_images, widget_images=widget_images)
        page.close()
    print(f"\nsite screenshots: {SCREENSHOTS}")
    bad = {name: r for name, r in report.items()
           if r["problems"] or r["untypeset"] or r["raw"] or r["broken"] or r["widget_images"] < r["saved_images"]}
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)[:6000]


def test_every_internal_link_resolves(site):
    """Every href and src of every page that points inside the site names a file that exists, and every
    #anchor an element id of the page it points to."""
    ids = {}

    def ids_of(path: Path) -> set:
        if path not in ids:
            ids[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(errors="replace")))
        return ids[path]

    broken = []
    for name in page_names(site):
        path = site / name
        for link in re.findall(r'(?:href|src)="([^"]+)"', path.read_text()):
            if re.match(r"^[a-z]+:", link) or link.startswith("//"):
                continue  # a link a reader clicks out of the site (https:, mailto:), or data:
            target, _, anchor = urljoin(name, link).partition("#")
            target = target.partition("?")[0]
            target_path = site / unquote(target) if target else path
            if target_path.is_dir():
                target_path = target_path / "index.html"
            if not target_path.exists():
                broken.append(f"{name}: {link}")
            elif anchor and target_path.suffix == ".html" and unquote(anchor) not in ids_of(target_path):
                broken.append(f"{name}: {link} (no such anchor)")
    assert not broken, "\n".join(broken[:40])


def test_the_chinese_edition_is_a_section_of_the_site_with_a_switch_each_way(site):
    """Every Chinese lesson and answers page is built under zh/ (the browser test above checks them like every page),
    with a home page of its own; each lesson page links to its twin in the other language, and the home pages to
    each other."""
    names = set(page_names(site))
    lessons = [path.stem for path in build_site.lesson_notebooks()]
    assert {f"zh/{name}.html" for name in lessons} <= names and "zh/index.html" in names
    assert {f"zh/solutions/{name}.html" for name in lessons} <= names
    for name in lessons:
        english, chinese = (site / f"{name}.html").read_text(), (site / "zh" / f"{name}.html").read_text()
        assert f'href="zh/{name}.html"' in english, name
        assert f'href="../{name}.html"' in chinese, name
        assert "这个页面就是课程运行过的笔记本" in chinese  # the page note, in Chinese
    answers = (site / "zh" / "solutions" / "02_learning_slowdown.html").read_text()
    assert "显示答案 1" in answers and 'href="../../solutions/02_learning_slowdown.html"' in answers
    assert 'href="zh/index.html"' in (site / "index.html").read_text()
    home = (site / "zh" / "index.html").read_text()
    assert 'href="../index.html"' in home and "课程地图" in home
    # its own "Run the course" and glossary pages, and no English admonition title on its pages
    assert 'href="run.html"' in home and 'href="glossary.html"' in home
    run = (site / "zh" / "run.html").read_text()
    text = re.sub(r"<[^>]+>", "", run)  # code is highlighted token by token
    assert "运行课程" in text and "python3 tasks.py lab" in text and "fonts-noto-cjk" in text
    assert not re.search(r"\{(two_commands|fonts|binder)\}", run)
    assert 'href="zh/run.html"' in (site / "run.html").read_text() and 'href="../run.html"' in run
    glossary = (site / "zh" / "glossary.html").read_text()
    assert "一句话解释" in glossary and "反向传播" in glossary and 'href="05_backpropagation.html"' in glossary
    assert 'href="../glossary.html"' in glossary and 'href="zh/glossary.html"' in (site / "glossary.html").read_text()
    for name in [n for n in names if n.startswith("zh/")]:
        assert 'class="admonition-title">Note<' not in (site / name).read_text(), name
    assert 'class="admonition-title">说明<' in (site / "zh" / "03_cross_entropy.html").read_text()
