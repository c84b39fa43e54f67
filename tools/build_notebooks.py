"""Build the course's notebooks from their text sources, and check that the two agree.

Every notebook has a source in MyST Markdown (Jupytext's ``md:myst`` format) at the same place
under ``lessons/`` as the notebook under ``notebooks/``::

    lessons/03_cross_entropy.md            ->  notebooks/03_cross_entropy.ipynb
    lessons/solutions/03_cross_entropy.md  ->  notebooks/solutions/03_cross_entropy.ipynb
    lessons/zh/03_cross_entropy.md         ->  notebooks/zh/03_cross_entropy.ipynb   (the Chinese edition,
                                               built by ``tasks.py build zh/03``; tools/translations.py)

The sources are what a maintainer edits and reviews. The notebooks are built from them, with
their outputs, and committed, because nbval compares those outputs. ``python3 tasks.py build
[NN ...]`` does, for each lesson NN (all of them without arguments):

1. Each source is rewritten in the form Jupytext's pairing writes (so a hand edit with a
   missing blank line or an extra cell marker is tidied once, not on the next save in
   JupyterLab). The exercise section of ``lessons/NN_*.md`` (from its "## Exercises" heading to
   the end) is made anew from ``lessons/solutions/NN_*.md``: code between ``# BEGIN SOLUTION`` and
   ``# END SOLUTION`` becomes ``raise NotImplementedError``, and cells tagged "setup" (which make
   the solutions run on their own) or "solution" (written answers) stay with the solutions.
2. The lesson and its solutions are executed, each in a fresh kernel started in its folder, in
   the environment ``tasks.py`` gives the tests (``course_env``: one BLAS thread, and OpenBLAS's
   Haswell kernels on x86-64 Linux), which is why this runs only through ``tasks.py build``.
3. Each executed notebook is normalized so that a build with no change in the sources writes the
   same bytes: cell ids from the cell's position, no execution timestamps, no interpreter
   version, consecutive prints joined into one output, saved widget state kept only for the
   widgets the notebook shows, with their model ids renumbered in order of appearance. The
   notebook's metadata records its source and a digest of its code and outputs ("built_from"),
   so the check below can tell a built notebook from one edited, re-run or cleared by hand.
4. A cell tagged "wall-clock" (a figure of seconds measured while building) keeps its committed
   figure when its code and printed output are unchanged; ``tasks.py build --redraw NN`` draws
   it anew.

``problems(source, notebook)`` is that check: it lists every way a notebook disagrees with its
source (a cell's text, type or tags differ, a cell is missing or extra, a code cell was not run
in order, the outputs are not the build's, the file is not in the form the build writes), each
with the command that mends it.
tests/test_notebook_sources.py runs it on every notebook as part of the test command.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"
FORMAT = "md:myst"
# The notebook metadata a source keeps: none (jupytext.toml says the same to JupyterLab's pairing),
# so the sources start with the lesson's title rather than a YAML header.
SOURCE_METADATA = {"jupytext": {"notebook_metadata_filter": "-all"}}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3"}
HEADING = ("## Exercises", "## 练习")  # where a lesson's exercise section starts, in each edition
STUB = {"": "# your code here", "zh": "# 在这里写你的代码"}  # what a learner sees where an answer was, by edition
REGION = re.compile(r"^([ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION\n?", flags=re.M | re.S)
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_ID = re.compile(r"[0-9a-f]{32}")
ID_NAMESPACE = uuid.UUID("6f1c2a8e-5d0b-4e0a-9b59-2f7c1d3e4a10")  # any fixed UUID: it only seeds uuid5


# -- where things are ---------------------------------------------------------------------------

def notebook_for(source: Path) -> Path:
    """notebooks/<same place>.ipynb for lessons/<place>.md."""
    return (NOTEBOOKS / source.relative_to(SOURCES)).with_suffix(".ipynb")


def source_for(notebook: Path) -> Path:
    """lessons/<same place>.md for notebooks/<place>.ipynb."""
    return (SOURCES / notebook.relative_to(NOTEBOOKS)).with_suffix(".md")


EDITIONS = ("", "zh")
"""The course's editions, as folders under lessons/ and notebooks/: English, and its Chinese translation
(tools/translations.py)."""


def all_sources() -> list[Path]:
    """Every source: the lessons, then their solutions, in order; English, then Chinese."""
    return [path for edition in EDITIONS for path in sorted((SOURCES / edition).glob("[0-9][0-9]_*.md"))
            + sorted((SOURCES / edition / "solutions").glob("[0-9][0-9]_*.md"))]


def all_notebooks() -> list[Path]:
    return [path for edition in EDITIONS for path in sorted((NOTEBOOKS / edition).glob("[0-9][0-9]_*.ipynb"))
            + sorted((NOTEBOOKS / edition / "solutions").glob("[0-9][0-9]_*.ipynb"))]


def lesson_name(path: Path) -> str:
    """What ``tasks.py build`` calls a lesson: "03" for lessons/03_*.md, "zh/03" for its Chinese
    translation (the solutions belong to their lesson)."""
    edition = edition_of(path)
    return f"{edition}/{path.name[:2]}" if edition else path.name[:2]


def rel(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def rebuild_command(path: Path) -> str:
    return f"python3 tasks.py build {lesson_name(path)}"


# -- sources ------------------------------------------------------------------------------------

def read_source(path: Path) -> nbformat.NotebookNode:
    return jupytext.read(path, fmt=FORMAT)


def source_text(notebook: nbformat.NotebookNode) -> str:
    """The MyST Markdown text of a notebook, as JupyterLab's pairing (jupytext.toml) writes it."""
    # the kernel's metadata is not written, but it names the code cells' language ("ipython3")
    inputs = nbformat.v4.new_notebook(metadata={**copy.deepcopy(SOURCE_METADATA), "kernelspec": dict(KERNELSPEC),
                                                "language_info": dict(LANGUAGE_INFO)})
    inputs.cells = [nbformat.v4.new_markdown_cell(c.source, metadata=c.metadata) if c.cell_type == "markdown"
                    else nbformat.v4.new_code_cell(c.source, metadata=c.metadata) for c in notebook.cells]
    return jupytext.writes(inputs, fmt=FORMAT)


# -- the exercises, made from the solutions ------------------------------------------------------

def learner_source(source: str, edition: str = "") -> str:
    """A solution cell's source with every marked region replaced by a stub (its comment in the
    edition's language)."""
    return REGION.sub(lambda m: f"{m.group(1)}{STUB[edition]}\n{m.group(1)}raise NotImplementedError\n", source).rstrip()


def edition_of(path: Path | None) -> str:
    """"zh" for a source or notebook of the Chinese edition (lessons/zh/..., notebooks/zh/...), "" for English
    (and for a file elsewhere, such as a test's copy)."""
    for folder in (SOURCES, NOTEBOOKS):
        if path is not None and path.resolve().is_relative_to(folder):
            parts = path.resolve().relative_to(folder).parts
            return parts[0] if len(parts) > 1 and parts[0] in EDITIONS else ""
    return ""


def exercise_cells(solutions: nbformat.NotebookNode, where: Path | None = None) -> list:
    """The learner's exercise section, made from a solutions notebook (read from ``where``)."""
    cells, started = [], False
    for cell in solutions.cells:
        started = started or (cell.cell_type == "markdown" and cell.source.startswith(HEADING))
        tags = cell.metadata.get("tags", [])
        if not started or "setup" in tags or "solution" in tags:
            continue
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(learner_source(cell.source, edition_of(where))))
        else:
            cells.append(nbformat.v4.new_markdown_cell(cell.source))
    if not cells:
        raise SystemExit(f"{rel(where) if where else 'the solutions'}: no markdown cell starts with {' or '.join(HEADING)}")
    return cells


def exercises_start(lesson: nbformat.NotebookNode, where: Path | None = None) -> int:
    """Index of the lesson's cell that starts with the "## Exercises" heading (read from ``where``)."""
    for i, cell in enumerate(lesson.cells):
        if cell.cell_type == "markdown" and cell.source.startswith(HEADING):
            return i
    raise SystemExit(f"{rel(where) if where else 'the lesson'}: no markdown cell starts with {' or '.join(HEADING)}")


def solutions_for(lesson_source: Path) -> Path:
    return lesson_source.parent / "solutions" / lesson_source.name


def with_exercises(lesson: nbformat.NotebookNode, solutions: nbformat.NotebookNode,
                   paths: tuple = (None, None)) -> nbformat.NotebookNode:
    """The lesson with its exercise section replaced by the one the solutions make; ``paths``:
    where the two were read from, for error messages."""
    lesson = copy.deepcopy(lesson)
    lesson.cells = lesson.cells[:exercises_start(lesson, paths[0])] + exercise_cells(solutions, paths[1])
    return lesson


# -- executing and normalizing -------------------------------------------------------------------

def execute(notebook: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Run every cell in a fresh python3 kernel whose working directory is ``folder``."""
    from nbclient import NotebookClient

    notebook = copy.deepcopy(notebook)
    notebook.metadata = {"kernelspec": dict(KERNELSPEC)}
    # the kernel's log level: ipykernel warns on every start that its local TCP ports are not encrypted
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}},
                   extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()
    return notebook


def widget_ids_in_order(notebook: nbformat.NotebookNode) -> list[str]:
    """The model ids of the widgets a notebook shows, and of every model they refer to, in the
    order they appear: each view in the outputs, then depth first through its state."""
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order: list[str] = []

    def visit(model_id):
        if model_id in order or model_id not in state:
            return
        order.append(model_id)
        for found in MODEL_ID.findall(json.dumps(state[model_id]["state"], sort_keys=True)):
            visit(found)

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    return order


def coalesce_streams(outputs: list) -> list:
    """Consecutive stdout (or stderr) outputs joined into one: the kernel flushes a long-running
    cell's prints in chunks whose boundaries depend on timing."""
    joined = []
    for output in outputs:
        if (output.output_type == "stream" and joined and joined[-1].output_type == "stream"
                and joined[-1].name == output.name):
            joined[-1].text += output.text
        else:
            joined.append(output)
    return joined


def outputs_digest(notebook: nbformat.NotebookNode) -> str:
    """sha256 of every code cell's code, execution count and outputs, in order: outputs kept while
    the code above them changed no longer match."""
    record = [(cell.source, cell.get("execution_count"), cell.get("outputs"))
              for cell in notebook.cells if cell.cell_type == "code"]
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def normalize(notebook: nbformat.NotebookNode, source: Path) -> nbformat.NotebookNode:
    """The executed notebook with everything that differs from run to run made deterministic."""
    notebook = copy.deepcopy(notebook)
    for i, cell in enumerate(notebook.cells):
        cell.id = f"cell-{i:03d}"
        for key in ("execution", "ExecuteTime", "collapsed", "scrolled", "jupyter"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    metadata = {"kernelspec": dict(KERNELSPEC)}
    language = {k: v for k, v in notebook.metadata.get("language_info", {}).items() if k != "version"}
    if language:
        metadata["language_info"] = language
    widgets = notebook.metadata.get("widgets", {}).get(WIDGET_STATE)
    order = widget_ids_in_order(notebook)
    if widgets and order:
        kept = {model_id: widgets["state"][model_id] for model_id in order}
        metadata["widgets"] = {WIDGET_STATE: {**widgets, "state": kept}}
    notebook.metadata = metadata
    text = nbformat.writes(notebook)
    for n, model_id in enumerate(order):
        text = text.replace(model_id, uuid.uuid5(ID_NAMESPACE, f"{source.stem}/{n}").hex)
    return stamp(nbformat.reads(text, as_version=4), source)


def stamp(notebook: nbformat.NotebookNode, source: Path) -> nbformat.NotebookNode:
    """Record the source and the digest of the outputs in the notebook's metadata."""
    label = source.as_posix() if not source.is_absolute() else rel(source)
    notebook.metadata["built_from"] = {"source": label, "outputs_sha256": outputs_digest(notebook)}
    return notebook


def text_outputs(cell) -> list:
    """What nbval compares of a cell's outputs: everything but the images."""
    return [(o.output_type, o.get("name"), o.get("text"), o.get("data", {}).get("text/plain")) for o in cell.get("outputs", [])]


def keep_wall_clock_figures(old: nbformat.NotebookNode, new: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The new notebook, with the committed figure of every cell tagged "wall-clock" kept when the
    cell's text and its printed outputs are unchanged. Such a figure plots seconds measured on the
    machine that built it, so its pixels differ on every run; keeping it makes a rebuild with no
    change write the same bytes. ``tasks.py build --redraw NN`` draws them anew."""
    for i, cell in enumerate(new.cells):
        if "wall-clock" not in cell.metadata.get("tags", []) or i >= len(old.cells):
            continue
        before = old.cells[i]
        if before.cell_type == "code" and before.source == cell.source and text_outputs(before) == text_outputs(cell):
            cell.outputs = before.outputs
    return new


# -- the check -----------------------------------------------------------------------------------

def _excerpt(text: str) -> str:
    line = next((line for line in text.splitlines() if line.strip()), "")
    return repr(line[:70] + ("..." if len(line) > 70 else ""))


def _first_difference(a: str, b: str, file_text: str = "") -> str:
    """Where two texts first differ: the line (of the source file, when it can be found there),
    and a few words of each side from there."""
    for number, (line_a, line_b) in enumerate(zip(a.splitlines(), b.splitlines()), start=1):
        if line_a != line_b:
            at = next((i for i, (x, y) in enumerate(zip(line_a, line_b)) if x != y), min(len(line_a), len(line_b)))
            start = max(0, line_a.rfind(" ", 0, max(at - 20, 0)) + 1)
            file_lines = file_text.splitlines()
            where = (f"source file line {file_lines.index(line_a) + 1}" if line_a in file_lines
                     else f"line {number} of the cell")
            return f"{where}: source has {_excerpt(line_a[start:])}, notebook has {_excerpt(line_b[start:])}"
    return f"source has {len(a.splitlines())} lines, notebook has {len(b.splitlines())}"


def cell_problems(source: nbformat.NotebookNode, notebook: nbformat.NotebookNode, file_text: str = "") -> list[str]:
    """How the notebook's cells differ from the source's: type, text, tags, missing or extra."""
    found = []
    for i, (want, have) in enumerate(zip(source.cells, notebook.cells)):
        if want.cell_type != have.cell_type:
            found.append(f"cell {i} is {have.cell_type} in the notebook but {want.cell_type} in the source "
                         f"({_excerpt(want.source)})")
        elif want.source != have.source:
            found.append(f"cell {i}'s text differs: {_first_difference(want.source, have.source, file_text)}")
        elif want.metadata.get("tags", []) != have.metadata.get("tags", []):
            found.append(f"cell {i}'s tags differ: {want.metadata.get('tags', [])} in the source, "
                         f"{have.metadata.get('tags', [])} in the notebook")
    for i in range(len(notebook.cells), len(source.cells)):
        found.append(f"cell {i} of the source is missing from the notebook ({_excerpt(source.cells[i].source)})")
    for i in range(len(source.cells), len(notebook.cells)):
        found.append(f"cell {i} of the notebook is not in the source ({_excerpt(notebook.cells[i].source)})")
    return found


def output_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Whether the notebook holds the outputs of one top-to-bottom build, untouched since."""
    # a blank code cell is never run (no kernel sees it), so it has no execution count
    code = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()]
    counts = [cell.get("execution_count") for cell in code]
    if counts != list(range(1, len(code) + 1)):
        unrun = sum(count is None for count in counts)
        what = (f"{unrun} of its {len(code)} code cells have not been run (outputs cleared?)" if unrun
                else "its code cells were not run once each from top to bottom in a fresh kernel")
        return [what]
    stamp = notebook.metadata.get("built_from")
    if not stamp:
        return ["it was not made by the build (no 'built_from' stamp in its metadata)"]
    if stamp.get("outputs_sha256") != outputs_digest(notebook):
        return ["its outputs are not the ones the build stored (edited, re-run or cleared after the build?)"]
    return []


def problems(source_path: Path, notebook_path: Path, solutions_path: Path | None = None) -> list[str]:
    """Every way the notebook disagrees with its source, each naming the file and the command that
    mends it; an empty list when they agree. ``solutions_path``: the solutions source whose
    exercises the lesson must hold (by default lessons/solutions/<name>.md for a lesson)."""
    if not notebook_path.exists():
        return [f"{rel(notebook_path)} is missing: its source {rel(source_path)} has not been built. "
                f"Run `{rebuild_command(source_path)}`."]
    if not source_path.exists():
        return [f"{rel(notebook_path)} has no source: expected {rel(source_path)}. Write it (for example "
                f"`jupytext --to md:myst` and move the result there), then run `{rebuild_command(notebook_path)}`."]
    source, text = read_source(source_path), notebook_path.read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=4)
    found = cell_problems(source, notebook, source_path.read_text(encoding="utf-8")) + output_problems(notebook)
    recorded = notebook.metadata.get("built_from", {}).get("source")
    if not found and notebook_path.resolve().is_relative_to(ROOT) and recorded != rel(source_path):
        found.append(f"it was built from {recorded}")
    if not found and nbformat.writes(normalize(notebook, Path(recorded))) != text:
        found.append("the file is not in the form the build writes (saved from JupyterLab or another tool?)")
    if solutions_path is None and source_path.parent in [SOURCES / edition for edition in EDITIONS]:
        solutions_path = solutions_for(source_path)
    if solutions_path is not None and solutions_path.exists():
        built = exercise_cells(read_source(solutions_path), solutions_path)
        start = exercises_start(source, source_path)
        if [(c.cell_type, c.source) for c in source.cells[start:]] != [(c.cell_type, c.source) for c in built]:
            return [f"the exercise section of {rel(source_path)} is not the one {rel(solutions_path)} makes. The "
                    f"build replaces the lesson's copy: move any change you made there into {rel(solutions_path)}, "
                    f"then run `{rebuild_command(source_path)}`."]
    return [f"{rel(notebook_path)} disagrees with {rel(source_path)}: {problem}. Run `{rebuild_command(source_path)}`."
            for problem in found]


# -- the build -----------------------------------------------------------------------------------

def build_one(source_path: Path, redraw: bool = False) -> float:
    """Execute one source, normalize it and write its notebook; returns the seconds it took."""
    started = time.perf_counter()
    notebook_path = notebook_for(source_path)
    notebook_path.parent.mkdir(parents=True, exist_ok=True)  # the kernel starts in it (a new edition's folder)
    executed = execute(read_source(source_path), notebook_path.parent)
    notebook = normalize(executed, source_path)
    if notebook_path.exists() and not redraw:
        notebook = stamp(keep_wall_clock_figures(nbformat.read(notebook_path, as_version=4), notebook), source_path)
    notebook_path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(notebook)
    unchanged = notebook_path.exists() and notebook_path.read_text(encoding="utf-8") == text
    if not unchanged:
        notebook_path.write_text(text, encoding="utf-8")
    seconds = time.perf_counter() - started
    print(f"built {rel(notebook_path)} from {rel(source_path)} in {seconds:.0f} s{' (unchanged)' if unchanged else ''}",
          flush=True)
    return seconds


def canonicalize(source_path: Path) -> None:
    """Rewrite a hand-edited source in the exact form Jupytext's pairing writes (cell markers,
    blank lines), so that opening and saving it in JupyterLab changes nothing."""
    text = source_text(read_source(source_path))
    if text != source_path.read_text(encoding="utf-8"):
        source_path.write_text(text, encoding="utf-8")
        print(f"reformatted {rel(source_path)} as Jupytext writes it", flush=True)


def update_exercises(lesson_path: Path) -> None:
    """Write the lesson's exercise section from its solutions, if they differ."""
    solutions_path = solutions_for(lesson_path)
    if not solutions_path.exists():
        return
    text = source_text(with_exercises(read_source(lesson_path), read_source(solutions_path), (lesson_path, solutions_path)))
    if text != lesson_path.read_text(encoding="utf-8"):
        lesson_path.write_text(text, encoding="utf-8")
        print(f"updated the exercises of {rel(lesson_path)} from {rel(solutions_path)}", flush=True)


def main(argv: list[str]) -> int:
    if os.environ.get("LESSON_LIB_COURSE_ENV") != "1":
        print("build: run me as `python3 tasks.py build [NN ...]`, which sets the environment the notebooks'"
              " digits depend on (one BLAS thread; OpenBLAS's Haswell kernels on x86-64 Linux)", file=sys.stderr)
        return 2
    redraw = "--redraw" in argv
    argv = [arg for arg in argv if arg != "--redraw"]
    lessons = [path for edition in EDITIONS for path in sorted((SOURCES / edition).glob("[0-9][0-9]_*.md"))]
    known = {lesson_name(path) for path in lessons}
    unknown = [n for n in argv if n not in known and n not in EDITIONS]
    if unknown:
        print(f"build: expected lessons among {', '.join(sorted(known))} (zh: every Chinese lesson), got "
              f"{', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = [path for path in lessons if not argv or lesson_name(path) in argv
              or (path.parent != SOURCES and path.parent.name in argv)]
    started = time.perf_counter()
    for lesson_path in chosen:
        for source_path in (lesson_path, solutions_for(lesson_path)):
            if source_path.exists():
                canonicalize(source_path)
        update_exercises(lesson_path)
        build_one(lesson_path, redraw)
        if solutions_for(lesson_path).exists():
            build_one(solutions_for(lesson_path), redraw)
    print(f"built {len(chosen)} lesson(s) in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
