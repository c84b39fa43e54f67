"""The learner's working copy (issue 15, item 6): `python3 tasks.py lab` opens my-work/, a copy of
notebooks/ made on the first run and never overwritten; `reset NN` restores a lesson; `changes`
says which lessons changed in the course since."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import tasks  # noqa: E402


@pytest.fixture
def course(tmp_path):
    """A small course: two lessons and one solutions notebook."""
    course = tmp_path / "notebooks"
    (course / "solutions").mkdir(parents=True)
    for name in ("00_start_here.ipynb", "03_cross_entropy.ipynb", "solutions/03_cross_entropy.ipynb"):
        (course / name).write_text(f'{{"course": "{name}"}}')
    (course / ".ipynb_checkpoints").mkdir()
    (course / ".ipynb_checkpoints" / "00_start_here-checkpoint.ipynb").write_text("{}")
    return course


def test_the_first_run_copies_every_notebook_and_later_runs_overwrite_none(course, tmp_path):
    work = tmp_path / "my-work"
    assert tasks.prepare_working_copy(course, work) == []
    copied = sorted(str(p.relative_to(work)) for p in work.rglob("*.ipynb"))
    assert copied == ["00_start_here.ipynb", "03_cross_entropy.ipynb", "solutions/03_cross_entropy.ipynb"]
    (work / "03_cross_entropy.ipynb").write_text('{"mine": true}')  # the learner's edit
    (course / "03_cross_entropy.ipynb").write_text('{"course": "a new version"}')  # the course moves on
    (course / "04_softmax_gradient.ipynb").write_text('{"course": "a new lesson"}')
    changed = tasks.prepare_working_copy(course, work)
    assert changed == [Path("03_cross_entropy.ipynb")]
    assert (work / "03_cross_entropy.ipynb").read_text() == '{"mine": true}'  # never overwritten
    assert (work / "04_softmax_gradient.ipynb").read_text() == '{"course": "a new lesson"}'  # a new lesson arrives
    assert (course / "00_start_here.ipynb").read_text() == '{"course": "00_start_here.ipynb"}'  # the course untouched


def test_reset_restores_a_lesson_and_keeps_the_learners_version(course, tmp_path):
    work = tmp_path / "my-work"
    tasks.prepare_working_copy(course, work)
    (work / "03_cross_entropy.ipynb").write_text('{"mine": true}')
    (course / "03_cross_entropy.ipynb").write_text('{"course": "a new version"}')
    messages = tasks.reset_lessons(["03"], course, work)
    assert (work / "03_cross_entropy.ipynb").read_text() == '{"course": "a new version"}'
    assert (work / "solutions" / "03_cross_entropy.ipynb").read_text() == '{"course": "solutions/03_cross_entropy.ipynb"}'
    backups = list((work / "backups").glob("03_cross_entropy.*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == '{"mine": true}'
    assert any("is kept as" in m for m in messages)
    assert tasks.prepare_working_copy(course, work) == []  # nothing left to take from the course
    # an untouched copy is replaced without a backup; "0" means lesson 00
    tasks.reset_lessons(["0"], course, work)
    assert len(list((work / "backups").iterdir())) == 1
    with pytest.raises(ValueError, match=r"reset: no lesson '09'; the lessons are 00, 03"):
        tasks.reset_lessons(["09"], course, work)


def test_the_working_copy_is_ignored_by_git():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "-q", "my-work/03_cross_entropy.ipynb"], cwd=ROOT)
    assert ignored.returncode == 0


def test_lab_serves_the_working_copy(monkeypatch, tmp_path, capsys):
    served = {}
    monkeypatch.setattr(tasks, "WORK", tmp_path / "my-work")
    monkeypatch.setattr(tasks, "prepare_working_copy", lambda: [Path("03_cross_entropy.ipynb")])
    monkeypatch.setattr(tasks, "jupyter_lab", lambda root, args: served.update(root=root, args=args) or 0)
    assert tasks.lab(["--port", "8899"]) == 0
    assert served == {"root": tmp_path / "my-work", "args": ["--port", "8899"]}
    out = capsys.readouterr().out
    assert "python3 tasks.py reset 03" in out and "03_cross_entropy.ipynb" in out


def test_reset_with_one_bad_number_changes_nothing(course, tmp_path):
    # review: `reset 03 9x` replaced 03 (moving the learner's copy to backups/) and then failed on "9x"
    # without recording it, so `changes` went on saying 03 had changed
    work = tmp_path / "my-work"
    tasks.prepare_working_copy(course, work)
    (work / "03_cross_entropy.ipynb").write_text('{"mine": true}')
    with pytest.raises(ValueError, match=r"reset: no lesson '9x'"):
        tasks.reset_lessons(["03", "9x"], course, work)
    assert (work / "03_cross_entropy.ipynb").read_text() == '{"mine": true}'
    assert not (work / "backups").exists()


def test_reset_restores_the_chinese_twin_too_and_keeps_the_learners_chinese_work(course, tmp_path):
    # the Chinese edition is notebooks/zh/ (and zh/solutions/): a backup of a changed zh/solutions notebook
    # was named with the folder's "/" in it, which pathlib refused (ValueError: Invalid name)
    for name in ("zh/03_cross_entropy.ipynb", "zh/solutions/03_cross_entropy.ipynb"):
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_text(f'{{"course": "{name}"}}')
    work = tmp_path / "my-work"
    tasks.prepare_working_copy(course, work)
    assert (work / "zh" / "solutions" / "03_cross_entropy.ipynb").exists()
    (work / "zh" / "solutions" / "03_cross_entropy.ipynb").write_text('{"mine": "中文"}')
    messages = tasks.reset_lessons(["03"], course, work)
    assert (work / "zh" / "solutions" / "03_cross_entropy.ipynb").read_text() == '{"course": "zh/solutions/03_cross_entropy.ipynb"}'
    backups = list((work / "backups").glob("zh-solutions-03_cross_entropy.*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == '{"mine": "中文"}', messages
