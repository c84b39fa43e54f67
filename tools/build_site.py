"""Build the course's website: every executed notebook as a page, readable in any browser, offline.

    python3 tasks.py site            # builds into build/site/ and prints the path of its index.html last

Sphinx with myst-nb turns the committed notebooks into HTML pages with their committed outputs (nothing is
executed), in sphinx-book-theme. The build works in a staging folder, build/site-src/, made anew each time from:

- site/: the Sphinx configuration (conf.py), the MathJax configuration, the widget loader's configuration, the
  page style, the "Run the course" page, and package.json, the npm packages the pages load from the site itself;
- notebooks/*.ipynb: each lesson becomes a page. A note under its title says that its widgets are shown as
  saved and how to move them (JupyterLab), with links to download the notebook and to its answers; the same
  note, shorter, follows every widget;
- notebooks/solutions/*.ipynb: each becomes the lesson's "Exercises with answers" page, where every answer is
  folded behind a "Show answer" button (a written answer in a dropdown, an answer's code and output in a
  folded cell);
- README.md: the landing page is its introduction and its table of the notebooks, with every notebook linked;
- lessons/NN_*.md: the glossary page merges every lesson's English-Chinese glossary into one table;
- notebooks/zh/ and README.zh.md: the Chinese edition under zh/, its lessons, answers and home page made the same
  way (each lesson links to its twin in the other language).

Nothing a page loads comes from the internet: MathJax 4 and its font (npm packages mathjax and
@mathjax/mathjax-newcm-font), require.js (npm requirejs), the widget manager (npm
@jupyter-widgets/html-manager, with its own fonts), ipycanvas's front end (from its Python package, in the
course's environment) and the theme's fonts and scripts (its Python package) are copied into the site.
tests/test_site.py opens every page in headless Chromium and checks that.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_SOURCES = ROOT / "site"
NOTEBOOKS = ROOT / "notebooks"
LESSONS = ROOT / "lessons"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# What the site copies from site/node_modules/ (npm ci): source, destination under _static/, files left out.
NPM_ASSETS = [
    # MathJax: the one combined build the pages load (tex-mml-chtml.js) and what it loads on demand
    ("mathjax", "mathjax", ("*.map", "node-main*", "*.mjs", "*.cjs", "*.md", "mml-*.js", "tex-svg*.js", "tex-mml-svg*.js",
                            "tex-chtml*.js", "tex-mml-chtml-nofont.js")),
    ("@mathjax/mathjax-newcm-font/chtml", "mathjax-fonts/mathjax-newcm-font/chtml", ()),
    ("@mathjax/mathjax-newcm-font/chtml.js", "mathjax-fonts/mathjax-newcm-font/chtml.js", ()),
    ("@mathjax/mathjax-newcm-font/package.json", "mathjax-fonts/mathjax-newcm-font/package.json", ()),
    ("@jupyter-widgets/html-manager/dist", "widgets/html-manager", ("*.map", "embed.js", "libembed-amd.js", "*.txt")),
    ("requirejs/require.js", "widgets/require.js", ()),
]

RUN_NOTE = "[Run the course](run.md)"


def lesson_notebooks() -> list:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title_of(notebook: dict) -> str:
    """The text of a notebook's first heading ("03 · Where cross-entropy comes from: ...")."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError("a notebook without a '# ' title")


def markdown_cell(text: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def shows_widget(cell: dict) -> bool:
    return cell["cell_type"] == "code" and any(WIDGET_VIEW in output.get("data", {}) for output in cell.get("outputs", []))


def widget_note(source: str, language: str = "en") -> str:
    """The note after a saved widget: what the widget made by the code ``source`` does in JupyterLab."""
    if language == "zh":
        run = "[运行课程](run.md)"
        if "TrainingPanel(" in source:
            what = "上面的面板保存的是开始训练之前的样子，图是空的。在 JupyterLab 里按“训练”就会开始训练，并边训练边画出曲线"
        elif "DigitPad(" in source:
            what = "上面的手写板保存时是空白的。在 JupyterLab 里你可以在上面写一个数字，网络的判断随即显示出来"
        else:
            what = "上面的图和控件是保存时的样子。在 JupyterLab 里，每个控件都会让图重新绘制"
        return f":::{{admonition}} 保存下来的交互控件\n:class: tip\n{what}（{run}）。\n:::"
    if "TrainingPanel(" in source:
        what = ("The panel above is saved as it is before any run: its plots are empty. In JupyterLab, Train runs the "
                "training and draws the curves as it goes")
    elif "DigitPad(" in source:
        what = "The pad above is saved blank. In JupyterLab you draw a digit on it and the network's answer appears"
    else:
        what = "The figure and controls above are as saved. In JupyterLab every control redraws the figure"
    return f":::{{admonition}} A saved widget\n:class: tip\n{what} ({RUN_NOTE}).\n:::"


def without_test_directives(cell: dict) -> dict:
    """A code cell without its "# NBVAL_..." lines: instructions to the test runner, not to a reader."""
    if cell["cell_type"] != "code":
        return cell
    lines = "".join(cell["source"]).splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("# NBVAL_")]
    return cell if len(kept) == len(lines) else {**cell, "source": "".join(kept)}


def lesson_page(notebook: dict, name: str, has_answers: bool, language: str = "en") -> dict:
    """The lesson notebook as a page: a note under the title (in the title's cell), and one after each widget."""
    cells = notebook["cells"]
    widgets = sum(shows_widget(cell) for cell in cells)
    if language == "zh":
        links = [f"{{download}}`下载这个笔记本 <{name}.ipynb>`"]
        if has_answers:
            links.append(f"[练习与参考答案](solutions/{name}.ipynb)")
        moving = ("页面上的交互控件是保存时的样子，在这里不会响应。要使用它们，请在 JupyterLab 里运行这个笔记本"
                  "（[运行课程](run.md)：两条命令，或 Binder）。" if widgets else "")
        note = f":::{{admonition}} 说明\n:class: note\n这个页面就是课程运行过的笔记本：打印出的每个数字和每张图都是提交时的输出。{moving}另见：{'、'.join(links)}。\n:::"
    else:
        links = [f"{{download}}`download this notebook <{name}.ipynb>`"]
        if has_answers:
            links.append(f"[its exercises with answers](solutions/{name}.ipynb)")
        moving = ("Its widgets are shown as they were saved: here they do not respond. To use them, run the notebook "
                  f"in JupyterLab ({RUN_NOTE}: two commands, or Binder). " if widgets else "")
        note = (":::{note}\nThis page is the notebook as it was run for the course: every printed number and figure is "
                f"the committed output. {moving}Also: {', '.join(links)}.\n:::")
    title, _, rest = "".join(cells[0]["source"]).partition("\n")
    out = [{**cells[0], "source": f"{title}\n\n{note}\n{rest}"}]
    for index, cell in enumerate(cells[1:], start=1):
        out.append(without_test_directives(cell))
        if shows_widget(cell):
            out.append(markdown_cell(widget_note("".join(cell["source"]), language), f"site-widget-note-{index}"))
    return {**notebook, "cells": out}


ANSWER_TITLE = re.compile(r"^\*\*(Answer[^*]*?|答案[^*]*?)[.。]?\*\*")
FOLD_LABELS = {
    "en": {"show": "Show {answer}", "first": "Show the answer", "continued": "{title}, continued",
           "code": "{title}: its code and output", "answer_code": "Show the answer's code and output",
           "hide": "Hide the code and output"},
    "zh": {"show": "显示{answer}", "first": "显示答案", "continued": "{title}（续）", "code": "{title}：代码与输出",
           "answer_code": "显示答案的代码与输出", "hide": "隐藏代码与输出"},
}


def answers_page(notebook: dict, language: str = "en") -> dict:
    """A solutions notebook with every answer folded: a written answer (a markdown cell tagged "solution") goes
    into a "Show answer N" dropdown ("Show answer N, continued" for one that goes on with the answer above); an
    answer's code (a code cell tagged "solution", or an exercise's code with its solution between BEGIN/END
    SOLUTION) into a folded cell, labelled with the answer it follows."""
    labels = FOLD_LABELS[language]
    out, last_title, follows_answer = [], labels["first"], False
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        written_answer = cell["cell_type"] == "markdown" and "solution" in tags
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "solution" in tags:
            match = ANSWER_TITLE.match(source)
            title = (labels["show"].format(answer=match.group(1).lower()) if match
                     else labels["continued"].format(title=last_title))
            last_title = title if match else last_title
            cell = {**cell, "source": f"::::{{dropdown}} {title}\n{source}\n::::"}
        elif cell["cell_type"] == "code" and ("solution" in tags or "# BEGIN SOLUTION" in source):
            metadata = dict(cell.get("metadata", {}))
            metadata["tags"] = [*tags, "hide-cell"]
            label = labels["code"].format(title=last_title) if follows_answer else labels["answer_code"]
            metadata["mystnb"] = {"code_prompt_show": label, "code_prompt_hide": labels["hide"]}
            cell = {**cell, "metadata": metadata}
        out.append(cell)
        follows_answer = written_answer or (follows_answer and cell["cell_type"] == "code")
    return {**notebook, "cells": out}


def readme_section(readme: str, heading: str) -> str:
    """The body of README.md's section "## heading" (up to the next "## ")."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", readme, flags=re.S | re.M)
    if not match:
        raise ValueError(f"README.md has no section '## {heading}'")
    return match.group(1).strip()


def run_page_sections(page: str, two_commands: str) -> str:
    """site/run.md with README's "Two commands" in its places: the commands and what they do under "On your
    machine", the paragraph on BLAS kernels folded, the conda route under a heading of its own (the page has
    its own Binder section)."""
    commands, _, conda = two_commands.partition("### With conda, or on Binder")
    paragraphs = commands.strip().split("\n\n")
    blas = [p for p in paragraphs if p.startswith("Both commands set one BLAS thread")]
    if len(blas) != 1 or not conda:
        raise ValueError("README's 'Two commands' lost its BLAS paragraph or its conda subsection: update run_page_sections")
    kept = "\n\n".join(p for p in paragraphs if p is not blas[0])
    folded = f"::::{{dropdown}} Why one BLAS thread, and which kernels\n{blas[0]}\n::::"
    return (page.replace("{two_commands}", f"{kept}\n\n{folded}")
                .replace("{conda}", conda.strip()))


def course_map(table: str, first_cell: str, titles: dict, with_answers: set, answers: str, where: str, folder: str):
    """A README's table of notebooks (rows "| <first_cell> | what it teaches |") as the site's course map: its rows,
    each lesson linked to its page and to its answers page (the link text ``answers``), and the two toctrees."""
    rows = []
    for line in table.splitlines():
        match = re.match(rf"^\| {first_cell} \| (.*) \|$", line)
        if match:
            name, what = match.group(1), match.groups()[-1]
            link = f"[{answers}](solutions/{name}.ipynb)" if name in with_answers else ""
            rows.append(f"| [{titles[name]}]({name}.ipynb) | {what} | {link} |")
    if len(rows) != len(titles):
        raise ValueError(f"{where} lists {len(rows)} notebooks, {folder} has {len(titles)}")
    toctree = "\n".join(f"{name}.ipynb" for name in titles)
    answer_tree = "\n".join(f"solutions/{name}.ipynb" for name in titles if name in with_answers)
    return rows, toctree, answer_tree


def landing_page(readme: str, titles: dict, with_answers: set) -> str:
    """README's title and introduction, then its table of notebooks with each notebook linked to its page."""
    title, rest = readme.split("\n", 1)
    # README's link to README.zh.md gives way to the site's own: the Chinese edition's pages (zh/index.md)
    introduction = "\n".join(line for line in rest.split("\n## ", 1)[0].strip().splitlines()
                             if not line.startswith("*中文版")).strip()
    rows, toctree, answer_tree = course_map(readme_section(readme, "The notebooks"), r"`(\d\d_\w+)`", titles,
                                            with_answers, "answers", "README.md's table", "notebooks/")
    return f"""{title}

{introduction}

Every lesson below is a page of this site, with its printed numbers, figures and widgets as the notebook was
run. To run the notebooks yourself and move the widgets, see [Run the course](run.md); the
[glossary](glossary.md) gathers every lesson's English and Chinese terms. 中文版：[整门课程的简体中文版](zh/index.md)。

## The course map

| lesson | what it teaches | exercises |
|---|---|---|
{chr(10).join(rows)}

```{{toctree}}
:hidden:
:caption: Lessons

{toctree}
```

```{{toctree}}
:hidden:
:caption: Exercises with answers

{answer_tree}
```

```{{toctree}}
:hidden:
:caption: Reference

glossary
run
```

```{{toctree}}
:hidden:
:caption: 中文版

zh/index
```
"""


def chinese_landing_page(readme_zh: str, titles: dict, with_answers: set) -> str:
    """The Chinese edition's home page: README.zh.md's title and introduction, then its course map with each lesson
    linked to its Chinese page."""
    title, rest = readme_zh.split("\n", 1)
    introduction = "\n".join(line for line in rest.split("\n## ", 1)[0].strip().splitlines()
                             if not line.startswith("*English:"))
    rows, toctree, answer_tree = course_map(readme_zh, r"\[`(\d\d_\w+)`\]\(notebooks/zh/\1\.ipynb\)", titles,
                                            with_answers, "答案", "README.zh.md's course map", "notebooks/zh/")
    return f"""{title}

*English: [the course in English](../index.md)*

{introduction}

下面每一课都是本网站的一个页面，打印出的数字、图和交互控件都是笔记本运行时的样子。要自己运行笔记本、拖动控件，请看
[运行课程](run.md)；[术语表](glossary.md)汇集了每一课的中英文术语。

## 课程地图

| 课 | 内容 | 练习 |
|---|---|---|
{chr(10).join(rows)}

```{{toctree}}
:hidden:
:caption: 课程

{toctree}
```

```{{toctree}}
:hidden:
:caption: 练习与参考答案

{answer_tree}
```

```{{toctree}}
:hidden:
:caption: 参考

glossary
run
```
"""


def glossary_rows(lesson_source: str) -> list:
    """The rows (English, Chinese, in one line) of a lesson source's "## Glossary" table."""
    match = re.search(r"^## (?:Glossary|术语表)[^\n]*\n(.*?)(?=^#|^```|\Z)", lesson_source, flags=re.S | re.M)
    if not match:
        return []
    rows = []
    for line in match.group(1).splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) == 3 and cells[0] not in ("English", "") and not set(cells[0]) <= set("-: "):
            rows.append(tuple(cells))
    return rows


def glossary_page(sources: dict, titles: dict, language: str = "en") -> str:
    """Every lesson's glossary merged: one row per English term, alphabetical, with the lessons that define it.
    A term two lessons define is kept with the first lesson's wording; the Chinese of both is kept if it differs.
    ``sources``: the English lessons' sources, or with ``language`` "zh" the Chinese ones (their lines are Chinese)."""
    merged: dict = {}
    for name, source in sources.items():
        for english, chinese, line in glossary_rows(source):
            key = re.sub(r"[^a-z0-9]+", " ", english.lower()).strip()
            entry = merged.setdefault(key, {"english": english, "chinese": [], "line": line, "lessons": []})
            if chinese not in entry["chinese"]:
                entry["chinese"].append(chinese)
            entry["lessons"].append(name)
    if not merged:
        raise ValueError("no lesson has a glossary table")
    rows = []
    for key in sorted(merged, key=lambda k: re.sub(r"^[^a-z0-9]+", "", k)):
        entry = merged[key]
        lessons = ", ".join(f"[{name[:2]}]({name}.ipynb)" for name in dict.fromkeys(entry["lessons"]))
        rows.append(f"| {entry['english']} | {' / '.join(entry['chinese'])} | {entry['line']} | {lessons} |")
    lesson_count = sum(1 for source in sources.values() if glossary_rows(source))
    heading, introduction, columns = GLOSSARY_WORDS[language]
    return f"""{heading}

{introduction.format(lessons=lesson_count, terms=len(rows))}

| English | 中文 | {columns} |
|---|---|---|---|
{chr(10).join(rows)}
"""


GLOSSARY_WORDS = {  # the glossary page's own text in each language: heading with its switch, introduction, columns
    "en": ("# Glossary · 术语表\n\n*中文：[术语表](zh/glossary.md)*",
           "Every term of the course's glossaries, from the {lessons} lessons that have one, in one table: {terms} terms "
           "in English and Chinese, with a line on each and the lessons that introduce it (a term introduced twice keeps "
           "its first lesson's line).", "in one line | lessons"),
    "zh": ("# 术语表 · Glossary\n\n*English: [Glossary](../glossary.md)*",
           "本课程各课术语表中的全部术语，来自有术语表的 {lessons} 课，合为一张表：共 {terms} 个术语，列出英文和中文、一句话解释，"
           "以及引入它的课（一个术语若在两课中引入，保留第一课的解释）。", "一句话解释 | 课"),
}


def copy_npm_assets(static: Path) -> None:
    modules = SITE_SOURCES / "node_modules"
    for source, destination, leave_out in NPM_ASSETS:
        origin, target = modules / source, static / destination
        if not origin.exists():
            raise FileNotFoundError(f"{origin} is missing: run `npm ci --prefix site` (tasks.py site does)")
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns(*leave_out))
        else:
            shutil.copy2(origin, target)


def ipycanvas_front_end() -> Path:
    """ipycanvas's widget module for a page (an AMD module), as its Python package installs it."""
    candidates = [Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / "ipycanvas" / "index.js"]
    try:
        import ipycanvas
        candidates.append(Path(ipycanvas.__file__).parent / "nbextension" / "static" / "index.js")
    except ImportError:
        pass
    for path in candidates:
        if path.exists():
            return path
    raise FileNotFoundError(f"ipycanvas's front end (index.js) is in none of {[str(p) for p in candidates]}")


def stage(staging: Path, repository: str | None) -> None:
    """Write every source of the site into ``staging`` (made anew)."""
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(SITE_SOURCES, staging, ignore=shutil.ignore_patterns("node_modules", "package*.json", ".gitignore"))
    static = staging / "_static"
    copy_npm_assets(static)
    shutil.copy2(ipycanvas_front_end(), static / "widgets" / "ipycanvas.js")

    titles, with_answers, sources = {}, set(), {}
    (staging / "solutions").mkdir()
    for path in lesson_notebooks():
        name = path.stem
        notebook = json.loads(path.read_text(encoding="utf-8"))
        titles[name] = title_of(notebook)
        solutions = NOTEBOOKS / "solutions" / path.name
        if solutions.exists():
            with_answers.add(name)
            answers = answers_page(json.loads(solutions.read_text(encoding="utf-8")))
            (staging / "solutions" / path.name).write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
        page = lesson_page(notebook, name, solutions.exists())
        (staging / path.name).write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
        sources[name] = (LESSONS / f"{name}.md").read_text(encoding="utf-8")

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (staging / "index.md").write_text(landing_page(readme, titles, with_answers), encoding="utf-8")
    stage_chinese(staging, repository)
    (staging / "glossary.md").write_text(glossary_page(sources, titles), encoding="utf-8")
    run_page = (staging / "run.md").read_text(encoding="utf-8")
    run_page = run_page_sections(run_page, readme_section(readme, "Two commands"))
    binder = (f"[Open the course on Binder](https://mybinder.org/v2/gh/{repository}/HEAD?urlpath=lab/tree/notebooks)"
              if repository else
              "Binder builds the course from its GitHub repository: open `https://mybinder.org/v2/gh/OWNER/NAME/HEAD?"
              "urlpath=lab/tree/notebooks`, with the repository's owner and name (this copy of the site was built "
              "without them)")
    (staging / "run.md").write_text(run_page.replace("{binder}", binder), encoding="utf-8")
    (staging / "course.json").write_text(json.dumps({"repository": repository}), encoding="utf-8")


def stage_chinese(staging: Path, repository: str | None = None) -> None:
    """The Chinese edition under zh/: each lesson of notebooks/zh/ as a page, its answers page, and a home page."""
    titles, with_answers = {}, set()
    (staging / "zh" / "solutions").mkdir(parents=True)
    for path in sorted((NOTEBOOKS / "zh").glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        titles[path.stem] = title_of(notebook)
        solutions = NOTEBOOKS / "zh" / "solutions" / path.name
        if solutions.exists():
            with_answers.add(path.stem)
            answers = answers_page(json.loads(solutions.read_text(encoding="utf-8")), "zh")
            (staging / "zh" / "solutions" / path.name).write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
        page = lesson_page(notebook, path.stem, solutions.exists(), "zh")
        (staging / "zh" / path.name).write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    readme_zh = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    (staging / "zh" / "index.md").write_text(chinese_landing_page(readme_zh, titles, with_answers), encoding="utf-8")
    sources = {name: (LESSONS / "zh" / f"{name}.md").read_text(encoding="utf-8") for name in titles}
    (staging / "zh" / "glossary.md").write_text(glossary_page(sources, titles, "zh"), encoding="utf-8")
    run_page = (staging / "zh" / "run.md").read_text(encoding="utf-8")  # site/zh/run.md, copied with site/
    (staging / "zh" / "run.md").write_text(chinese_run_page(run_page, readme_zh, repository), encoding="utf-8")


def chinese_run_page(page: str, readme_zh: str, repository: str | None) -> str:
    """site/zh/run.md with README.zh.md's "两条命令" and font sections in their places, and the Binder link."""
    fonts = readme_section(readme_zh, "图中的中文需要一种中文字体")
    binder = (f"[在 Binder 上打开课程](https://mybinder.org/v2/gh/{repository}/HEAD?urlpath=lab/tree/notebooks/zh)"
              if repository else
              "Binder 从课程的 GitHub 仓库搭建环境：打开 `https://mybinder.org/v2/gh/OWNER/NAME/HEAD?urlpath=lab/tree/"
              "notebooks/zh`，把 OWNER 和 NAME 换成仓库的所有者和名字（这份网站构建时没有给出它们）")
    return (page.replace("{two_commands}", readme_section(readme_zh, "两条命令"))
                .replace("{fonts}", f"## 图中的中文需要一种中文字体\n\n{fonts}")
                .replace("{binder}", binder))


def build(output: Path, repository: str | None = None) -> Path:
    """Stage the sources and run Sphinx; returns the path of the site's index.html."""
    staging = output.parent / (output.name + "-src")
    stage(staging, repository)
    if output.exists():
        shutil.rmtree(output)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-j", "1",
               "-d", str(output.parent / (output.name + "-doctrees")), str(staging), str(output)]
    subprocess.run(command, check=True)
    return output / "index.html"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="the site's folder (made anew)")
    parser.add_argument("--repository", default=None,
                        help="OWNER/NAME of the course on GitHub, for the Binder link (default: $GITHUB_REPOSITORY)")
    args = parser.parse_args(argv)
    import os
    repository = args.repository or os.environ.get("GITHUB_REPOSITORY") or None
    start = time.perf_counter()
    try:
        index = build(args.out.resolve(), repository)
    except subprocess.CalledProcessError as error:
        print(f"site: Sphinx failed (exit {error.returncode}); its messages are above", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    print(f"site: built in {seconds:.0f} s, {folder_size(args.out) / 1e6:.1f} MB in {args.out}")
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
