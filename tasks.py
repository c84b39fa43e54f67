#!/usr/bin/env python3
"""Set up the course and run it, with nothing but Python 3 (>= 3.10) and the package registry.

    python3 tasks.py lab      # set up .venv (first time only), then open JupyterLab on my-work/, your own
                              # copy of notebooks/ (made on the first run, never overwritten, git-ignored)
    python3 tasks.py reset NN [NN ...]    # lesson NN of my-work/ back to the course's version (yours kept in
                              # my-work/backups/)
    python3 tasks.py changes  # which notebooks changed in the course since my-work/ was made
    python3 tasks.py test     # set up .venv (first time only), then run the whole test suite
    python3 tasks.py quick    # the inner loop while changing lesson_lib: the tests not marked slow (~15 s)
    python3 tasks.py build [NN ...]       # build notebooks/ from their sources in lessons/ (CONTRIBUTING.md);
                              # --redraw also redraws the wall-clock figures it would otherwise keep
    python3 tasks.py run CMD ...          # run a command in the course's environment (one BLAS thread, BLAS kernels)
    python3 tasks.py check-blas [NN ...]  # run every notebook with BLAS kernels that round differently:
                              # no check may fail (tools/check_other_blas.py)
    python3 tasks.py site     # the course's website, built into build/site/ (tools/build_site.py); needs npm
    python3 tasks.py edit     # JupyterLab on the whole project, for maintainers: saving a notebook
                              # also writes its source in lessons/ (Jupytext pairing)
    python3 tasks.py bench    # the speed benchmark (benchmarks/README.md); "bench panel": the training panel's speed;
                              # "bench panel-memory": its memory over ten runs;
                              # "bench data-memory": a learner's private memory (load_mnist, notebook 06);
                              # "bench widgets": widget redraw times;
                              # "bench notebooks": each notebook's peak kernel memory and run time;
                              # "bench classroom": a JupyterHub (deploy/) load-tested with 1-20 learners

The first run creates .venv/ and installs the project with its test tools into it; later runs
reuse it and reinstall only when pyproject.toml, setup.py or a translation catalog has changed. Extra arguments after `test` go
to pytest (e.g. `python3 tasks.py test -k softmax`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".lesson-lib-installed"


def ensure_environment() -> None:
    """Create .venv and install the project into it, unless that was already done."""
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed, this is {sys.version.split()[0]}")
    # what the install depends on: the project's settings, and the translation catalogs it compiles (setup.py)
    installed_from = [ROOT / "pyproject.toml", ROOT / "setup.py",
                      *sorted((ROOT / "lesson_lib" / "locale").glob("*/LC_MESSAGES/*.po"))]
    wanted = hashlib.sha256(b"".join(path.read_bytes() for path in installed_from)).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        write_lab_settings()
        return
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing lesson_lib with its notebook and test dependencies (first run only) ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test,site,hub]"], check=True,
                   env=install_env())
    write_lab_settings()
    STAMP.write_text(wanted + "\n")


def install_env() -> dict:
    """The environment of the editable install: setuptools' boxed "Editable installation ... !!"
    notice (a warning that says nothing a learner must act on) is filtered out."""
    env = dict(os.environ)
    env["PYTHONWARNINGS"] = ",".join(filter(None, [env.get("PYTHONWARNINGS"), "ignore:Editable installation"]))
    return env


LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def write_lab_settings(prefix: Path = VENV) -> Path:
    """JupyterLab settings for the course's environment: no "get notified about Jupyter news?"
    pop-up and no update check (a class, or a laptop offline, needs neither). JupyterLab reads
    ``overrides.json`` from the environment's share/jupyter/lab/settings/."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    text = json.dumps(LAB_OVERRIDES, indent=2) + "\n"
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


def has_avx2() -> bool:
    try:
        return " avx2 " in Path("/proc/cpuinfo").read_text().replace("\n", " ")
    except OSError:  # not Linux: nothing to read, and nothing pinned
        return False


def course_env() -> dict:
    """The environment for kernels, builds and tests, so that every run prints the same digits:
    one BLAS thread, and on x86-64 Linux with AVX2, OpenBLAS's Haswell kernels. NumPy's OpenBLAS
    picks its kernels by processor; the AVX-512 ones round differently, and a long chain of
    single-example updates (notebook 06) then ends at a visibly different loss. A value the
    machine already sets is kept."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    if "OPENBLAS_CORETYPE" not in env and has_avx2():
        env["OPENBLAS_CORETYPE"] = "Haswell"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env["LESSON_LIB_COURSE_ENV"] = "1"  # tools/build_notebooks.py refuses to build without this environment
    return env


def jupyter_lab(root: Path, args) -> int:
    # Serves on 127.0.0.1 only, with JupyterLab's token authentication (its default): open the
    # printed http://127.0.0.1:PORT/lab?token=... link.
    command = [str(BIN / "jupyter"), "lab", f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root; JupyterLab refuses otherwise
    return subprocess.call(command + list(args), env=course_env())


# -- the learner's working copy ----------------------------------------------------------------
# `lab` opens my-work/, a copy of notebooks/ made on the first run and never overwritten, so that a
# learner's edits never touch the committed course (git status stays clean, `git pull` never
# conflicts, nbval never checks a learner's outputs). my-work/.course-origin.json records the digest
# of each course notebook as it was copied, to tell which lessons changed in the course since.

WORK = ROOT / "my-work"
ORIGIN = ".course-origin.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def course_notebooks(course: Path) -> list:
    """The course's notebooks as paths relative to ``course``: notebooks/*.ipynb and solutions/."""
    return sorted(p.relative_to(course) for p in course.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _origin(work: Path) -> dict:
    path = work / ORIGIN
    return json.loads(path.read_text()) if path.exists() else {}


def _save_origin(work: Path, origin: dict) -> None:
    (work / ORIGIN).write_text(json.dumps(origin, indent=1, sort_keys=True) + "\n")


def prepare_working_copy(course: Path = ROOT / "notebooks", work: Path | None = None) -> list:
    """Copy each course notebook that ``work`` (default: my-work/) lacks (all of them the first
    time; a new lesson later); never overwrite one. Returns the notebooks that changed in the
    course since they were copied."""
    work = work or WORK
    origin = _origin(work)
    for name in course_notebooks(course):
        target = work / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((course / name).read_bytes())
            origin[str(name)] = _digest(course / name)
    _save_origin(work, origin)
    return [name for name in course_notebooks(course) if origin.get(str(name)) not in (None, _digest(course / name))]


def reset_lessons(numbers, course: Path = ROOT / "notebooks", work: Path | None = None) -> list:
    """Put the course's version of each lesson NN (its notebook, and its solutions' notebook) back
    into ``work``; a copy the learner changed is first kept as backups/NAME.<time>.ipynb.
    Returns messages; raises ValueError for a number that names no lesson."""
    import time

    work = work or WORK
    lessons = {}  # every number is resolved before any file is touched: a bad one changes nothing
    for number in numbers:
        number = number.zfill(2) if number.isdigit() else number  # "3" means lesson 03
        lessons[number] = [n for n in course_notebooks(course) if n.name.startswith(f"{number}_")]
        if not lessons[number]:
            raise ValueError(f"reset: no lesson {number!r}; the lessons are "
                             f"{', '.join(sorted({n.name[:2] for n in course_notebooks(course)}))}")
    origin, messages = _origin(work), []
    for names in lessons.values():
        for name in names:
            target = work / name
            if target.exists() and _digest(target) != origin.get(str(name)):
                backup = work / "backups" / f"{name.stem}.{time.strftime('%Y%m%d-%H%M%S')}{name.suffix}"
                if name.parent != Path("."):
                    backup = backup.with_name(f"{'-'.join(name.parent.parts)}-{backup.name}")  # zh/solutions -> zh-solutions-
                backup.parent.mkdir(parents=True, exist_ok=True)
                target.replace(backup)
                messages.append(f"your {name} is kept as {backup.relative_to(work.parent)}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((course / name).read_bytes())
            origin[str(name)] = _digest(course / name)
            messages.append(f"{name}: the course's version")
    _save_origin(work, origin)
    return messages


def _changed_note(changed) -> str:
    numbers = " ".join(sorted({name.name[:2] for name in changed}))
    return (f"Changed in the course since your copy was made: {', '.join(map(str, changed))}.\n"
            f"`python3 tasks.py reset {numbers}` takes the new version (a copy you changed is kept in my-work/backups/).")


def lab(args) -> int:
    changed = prepare_working_copy()
    print(f"Your working copy of the notebooks: {WORK} (the course's notebooks/ is never changed; "
          "`python3 tasks.py reset NN` restores lesson NN)", flush=True)
    if changed:
        print(_changed_note(changed), flush=True)
    return jupyter_lab(WORK, args)


def reset(args) -> int:
    """`python3 tasks.py reset NN [NN ...]`: lesson NN of the working copy back to the course's version."""
    if not args:
        print("reset: expected lesson numbers, e.g. `python3 tasks.py reset 03`", file=sys.stderr)
        return 2
    prepare_working_copy()
    try:
        messages = reset_lessons(args)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print("\n".join(messages))
    return 0


def changes(args) -> int:
    """`python3 tasks.py changes`: which lessons changed in the course since the working copy was made."""
    changed = prepare_working_copy()
    print(_changed_note(changed) if changed else "No notebook of the course changed since your copy was made.")
    return 0


def test(args) -> int:
    code = subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=course_env())
    if code == 5:
        print("pytest collected no tests: that counts as a failure", file=sys.stderr)
        return 1
    return code


# test files that are slow as a whole and import the notebook machinery (nbformat takes ~3 s to import)
NOTEBOOK_TEST_FILES = ("test_browser.py", "test_notebooks.py", "test_notebook_sources.py", "test_rerun_order.py")


def quick(args) -> int:
    """The unit tests not marked slow, without nbval and the notebook test files: a quick inner loop."""
    ignored = [f"--ignore=tests/{name}" for name in NOTEBOOK_TEST_FILES]
    return test(["tests", "-m", "not slow", "-p", "no:nbval", "-o", "addopts=-rs -p no:cacheprovider", *ignored,
                 *args])


def bench(args) -> int:
    if args[:1] == ["widgets"]:  # redraw time of the notebooks' explorers
        return subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / "bench_widgets.py")], cwd=ROOT, env=course_env())
    if args[:1] == ["notebooks"]:  # peak kernel memory and run time of each notebook
        return subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / "bench_notebook_memory.py"), *args[1:]], cwd=ROOT,
                               env=course_env())
    if args[:1] == ["data-memory"]:  # a learner's private memory: after load_mnist, and notebook 06's kernel
        return subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / "bench_data_memory.py"), *args[1:]], cwd=ROOT,
                               env=course_env())
    if args[:1] == ["panel-memory"]:  # the training panel's memory over ten runs
        return subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / "bench_panel_memory.py"), *args[1:]], cwd=ROOT,
                               env=course_env())
    if args[:1] == ["classroom"]:  # a real JupyterHub (deploy/) with 1, 5, 10 and 20 learners at once
        npm_assets(ROOT / "deploy")
        return subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / "bench_classroom.py"), *args[1:]], cwd=ROOT,
                               env=course_env())
    if args[:1] == ["panel"]:  # the training panel's speed against train with no hooks
        return subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / "bench_panel.py"), *args[1:]], cwd=ROOT,
                               env=speed_env())
    return subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / "bench_epoch.py"), *args], cwd=ROOT, env=speed_env())


def speed_env() -> dict:
    """The environment of the speed benchmarks: one BLAS thread, and the processor's own BLAS kernels
    (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: a machine that pins them, as this project's does, makes
    NumPy slower). The notebooks' digits do not matter here, only the time."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(name, None)
    return env


def build(args) -> int:
    return subprocess.call([str(PYTHON), str(ROOT / "tools" / "build_notebooks.py"), *args], cwd=ROOT, env=course_env())


def run(args) -> int:
    """Any command in the course's environment (one BLAS thread, the pinned BLAS kernels), for scripts
    such as .ci/run that run tests with another interpreter: `python3 tasks.py run CMD [ARGS ...]`."""
    if not args:
        print("run: expected a command to run, such as `python3 tasks.py run python -c 'import numpy'`", file=sys.stderr)
        return 2
    return subprocess.call(list(args), cwd=ROOT, env=course_env())


def check_blas(args) -> int:
    """Every notebook with BLAS kernels that round differently (tools/check_other_blas.py): no check may fail."""
    return subprocess.call([str(PYTHON), str(ROOT / "tools" / "check_other_blas.py"), *args], cwd=ROOT,
                           env=course_env())


def npm_assets(folder: Path = ROOT / "site") -> None:
    """FOLDER/node_modules, installed with npm from the npm registry as FOLDER/package-lock.json pins it; done
    again only when the lock file changes. site/: the scripts and fonts the website serves itself;
    deploy/: configurable-http-proxy, the proxy in front of a class's JupyterHub."""
    stamp = folder / "node_modules" / ".lesson-lib-installed"
    wanted = hashlib.sha256((folder / "package-lock.json").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit(f"npm (Node.js's package manager) is needed to install {folder.name}/package.json's packages from "
                 "the npm registry. Install it (Debian/Ubuntu: sudo apt-get install npm) and run this again.")
    print(f"Installing {folder.name}/package.json's packages with npm (first run only) ...", flush=True)
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error",
                    "--update-notifier=false"], cwd=folder,
                   check=True)
    stamp.write_text(wanted + "\n")


def site(args) -> int:
    """Build the website from the committed notebooks (tools/build_site.py); its index.html is printed last."""
    npm_assets()
    return subprocess.call([str(PYTHON), str(ROOT / "tools" / "build_site.py"), *args], cwd=ROOT, env=course_env())


def edit(args) -> int:
    # the project root, so that jupytext.toml pairs notebooks/X.ipynb with lessons/X.md
    return jupyter_lab(ROOT, args)


COMMANDS = {"lab": lab, "reset": reset, "changes": changes, "test": test, "quick": quick, "bench": bench,
            "build": build, "edit": edit, "run": run, "check-blas": check_blas,
            "site": site}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    if sys.argv[1] not in ("reset", "changes"):  # those two copy files and need no environment
        ensure_environment()
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
