"""The Chinese edition (lessons/zh/, notebooks/zh/) is the English course in another language:
the same cells and code, the same formulas, the same printed numbers, and in step with the English
sources (tools/translations.py); and what lesson_lib shows follows ``ll.set_language``."""

import importlib.util
import re
from collections import Counter
import shutil
import warnings
from pathlib import Path

import nbformat
import pytest

import lesson_lib as ll

ROOT = Path(__file__).resolve().parent.parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


translations = _load("translations")
build = _load("build_notebooks")

ENGLISH = [path for path in build.all_sources() if "zh" not in path.relative_to(build.SOURCES).parts]
CHINESE = translations.translations()
NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?")


@pytest.fixture(autouse=True)
def english_afterwards():
    import matplotlib

    families = list(matplotlib.rcParams["font.family"])
    yield
    ll.set_language("en")
    matplotlib.rcParams["font.family"] = families  # set_language("zh") adds a Chinese font


def test_every_english_source_has_a_chinese_translation_and_no_other():
    assert [translations.english_for(path) for path in CHINESE] == ENGLISH
    assert len(CHINESE) == 18  # lessons 00-08 and their solutions


@pytest.mark.slow
@pytest.mark.parametrize("path", CHINESE, ids=lambda p: translations.short(p))
def test_the_translation_is_in_step_with_its_english_source(path):
    found = translations.problems(path)
    assert not found, "\n".join(found)


@pytest.fixture
def drift(tmp_path, monkeypatch):
    """Lesson 03 and its translation copied into a scratch project, the module pointed at it."""
    for relative in ("lessons/03_cross_entropy.md", "lessons/zh/03_cross_entropy.md"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    monkeypatch.setattr(translations, "SOURCES", tmp_path / "lessons")
    monkeypatch.setattr(translations, "TRANSLATIONS", {"zh": tmp_path / "lessons" / "zh"})
    return tmp_path / "lessons" / "03_cross_entropy.md", tmp_path / "lessons" / "zh" / "03_cross_entropy.md"


@pytest.mark.slow
def test_an_english_change_not_carried_over_is_named_with_the_lesson_and_the_fix(drift):
    english, chinese = drift
    assert translations.problems(chinese) == []
    english.write_text(english.read_text(encoding="utf-8").replace("cross-entropy", "cross entropy", 1), encoding="utf-8")
    found = translations.problems(chinese)
    assert len(found) == 1 and "lessons/zh/03_cross_entropy.md is out of step with lessons/03_cross_entropy.md" in found[0]
    assert "tools/translations.py stamp zh/03" in found[0]
    translations.stamp(chinese)  # the translator carried it over
    assert translations.problems(chinese) == []


@pytest.mark.slow
def test_a_translation_that_changes_code_a_formula_or_a_cell_is_refused(drift):
    _, chinese = drift
    text = chinese.read_text(encoding="utf-8")
    cases = {
        "a number": ("default_rng(0)", "default_rng(1)", "the code differs from English"),
        "a code string": ('"log_likelihood"', '"quadratic"', "the code differs from English"),
        "an f-string field": ("{", "{0 + ", "the code differs from English"),
        "a formula": ("$H(p, q)", "$H(q, p)", "the formulas differ from English"),
        "a cell": ("\n+++\n", "\n+++\n\n新的一段。\n\n+++\n", "cells, the English source has"),
    }
    for name, (old, new, expected) in cases.items():
        assert old in text, name
        if name == "an f-string field":  # the first f-string's first field
            start = text.index('f"', text.index("```{code-cell}"))
            at = text.index("{", start)
            changed = text[:at] + new + text[at + 1:]
        else:
            changed = text.replace(old, new, 1)
        chinese.write_text(changed, encoding="utf-8")
        found = translations.problems(chinese)
        assert any(expected in problem for problem in found), (name, found)
    chinese.write_text(text, encoding="utf-8")
    assert translations.problems(chinese) == []


def test_code_may_differ_only_in_comments_and_in_strings_that_hold_chinese():
    english = 'x = f"{n:>3d} items"  # count\nll.set_language("en")\nplot(kind="sigmoid")'
    assert translations.code_difference(english, 'x = f"{n:>3d} 个"  # 数量\nll.set_language("zh")\nplot(kind="sigmoid")') is None
    assert translations.code_difference(english, english.replace('"sigmoid"', '"tanh"'))
    assert translations.code_difference(english, english.replace("{n:>3d} items", "{n:>4d} 个"))
    assert translations.code_difference(english, english.replace("x =", "y ="))


def test_a_column_heading_inside_a_field_may_be_translated_and_its_width_set_but_not_its_code():
    english = 'print(f"{\'test accuracy\':>14s} {loss:13s} {\'same\' if same else \'CHANGED\'}")'
    chinese = 'print(f"{\'测试准确率\':>9s} {loss:13s} {\'相同\' if same else \'变了\'}")'
    assert translations.code_difference(english, chinese) is None
    refused = {
        "a heading changed, not translated": chinese.replace("测试准确率", "test acc"),
        "the width of a field whose text is kept": chinese.replace("{loss:13s}", "{loss:12s}"),
        "the code around a translated string": chinese.replace("if same", "if not same"),
    }
    for what, changed in refused.items():
        assert translations.code_difference(english, changed), what


def test_the_words_of_a_formula_may_be_translated_and_nothing_else_in_it():
    english = [r"$$\text{(BP1)}\quad \delta^L = a^L - y \quad \text{the output layer}$$", r"$\text{mean}|w|$"]
    chinese = [r"$\text{mean}|w|$", r"$$\text{(BP1)}\quad \delta^L = a^L - y \quad \text{输出层}$$"]
    assert translations.formula_difference(english, chinese) is None
    assert translations.formula_difference(english, [chinese[0], chinese[1].replace("输出层", "the input layer")])
    masked = sorted(map(translations.without_text, english))
    changed = chinese[1].replace("a^L - y", "y - a^L")
    assert sorted(map(translations.without_text, [chinese[0], changed])) != masked


def _numbers(cell) -> list:
    """The numbers a code cell printed, as a sorted list: Chinese may put them in another order ("2 of 121
    checks" is "2/121 次检查", "the range at lr 1 is 23.5 times..." puts the 23.5 last). A widget's text
    repr (its labels, cut at 100 characters) is not printed output."""
    text = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if output.output_type == "stream":
            text.append(output.text)
        elif "text/plain" in data and "application/vnd.jupyter.widget-view+json" not in data:
            text.append(data["text/plain"])
    return sorted(NUMBER.findall("\n".join(text)))


@pytest.mark.slow
@pytest.mark.parametrize("path", CHINESE, ids=lambda p: translations.short(p))
def test_the_chinese_notebook_prints_the_numbers_the_english_one_prints(path):
    english = nbformat.read(build.notebook_for(translations.english_for(path)), as_version=4)
    chinese = nbformat.read(build.notebook_for(path), as_version=4)
    for i, (ours, theirs) in enumerate(zip(english.cells, chinese.cells), start=1):
        if ours.cell_type == "code" and "wall-clock" not in ours.metadata.get("tags", []):
            where = f"{build.rel(build.notebook_for(path))}, cell {i}"
            printed_english, printed_chinese = Counter(_numbers(ours)), Counter(_numbers(theirs))
            assert not printed_english - printed_chinese, f"{where}: numbers missing in Chinese"
            # a translated message may repeat a number its sentence needs ("超过 0.5 的：1.1%"): only one
            # written in the cell's own strings
            extra = printed_chinese - printed_english
            assert all(number in theirs.source for number in extra), f"{where}: numbers not printed in English: {extra}"


def test_each_lesson_links_to_its_twin_and_back():
    for chinese in CHINESE:
        english = translations.english_for(chinese)
        if chinese.parent.name == "solutions":
            to_chinese, to_english = f"../zh/solutions/{english.stem}.ipynb", f"../../solutions/{english.stem}.ipynb"
        else:
            to_chinese, to_english = f"zh/{english.stem}.ipynb", f"../{english.stem}.ipynb"
        assert f"[中文版]({to_chinese})" in english.read_text(encoding="utf-8"), english
        assert f"[English version]({to_english})" in chinese.read_text(encoding="utf-8"), chinese


# -- lesson_lib in Chinese -------------------------------------------------------------------------

def test_set_language_switches_what_the_widgets_say_and_refuses_an_unknown_language():
    from lesson_lib.ui import widgets

    assert widgets.SoftmaxExplorer().temperature.description == "temperature T"
    ll.set_language("zh")
    assert ll.language() == "zh"
    explorer = widgets.SoftmaxExplorer()
    assert explorer.temperature.description == "温度 T"
    assert "损失 = 0.1429" in explorer.status.value  # the numbers as in English: "loss = 0.1429"
    ll.set_language("en")
    assert widgets.SoftmaxExplorer().status.value.startswith("a = ")
    with pytest.raises(ValueError, match=r"language: expected one of 'en' \(English\), 'zh' .*, got 'fr'"):
        ll.set_language("fr")


def test_notes_and_run_summaries_follow_the_language():
    note = ll.GradientNote(2, "output layer", "too large", 1, 3, 4, 0.31, 0.02)
    english = str(note)
    assert english == ("epoch 2: output layer gradient too large in 3 of 4 checks from batch 1: updates up to 0.31 of "
                       "the weights' size (above 0.02)")
    ll.set_language("zh")
    assert str(note) == "第 2 轮，输出层：梯度过大，3/4 次检查，自第 1 批起：更新量高达权重大小的 0.31（高于 0.02）"
    assert NUMBER.findall(str(note)) == NUMBER.findall(english)
    summary = ll.summarize_notes([note])
    assert summary == ["输出层：梯度过大，3/4 次检查，第 2 轮：更新量高达权重大小的 0.31（高于 0.02）"]
    run = ll.History(layer_names=["hidden layer 1", "output layer"], lr=[0.5, 0.5])
    run.epochs, run.val_accuracy, run.loss = [1, 2], [0.9, 0.9512], [0.3, 0.2104]
    assert ll.describe_run(run, 3.04) == "训练完 2 轮：测试准确率 95.12%，训练损失 0.2104（3.0 秒）"
    ll.set_language("en")
    assert ll.describe_run(run, 3.04) == "finished 2 epochs: test accuracy 95.12%, training loss 0.2104 (3.0 s)"


def test_the_exercise_checkers_answer_in_the_lessons_language():
    import numpy as np

    def stub(z):
        raise NotImplementedError

    def plain_relu(z):
        return np.maximum(z, 0)

    def summed(a_prev, delta):  # sums over the batch instead of averaging
        return a_prev.T @ delta, delta.sum(axis=0)

    checks = [(ll.exercises.check_leaky_relu, stub), (ll.exercises.check_leaky_relu, plain_relu),
              (ll.exercises.check_layer_gradients, summed),
              (ll.exercises.check_leaky_relu, lambda z: np.where(z > 0, z, 0.01 * z))]
    english = [str(checker.grade(answer)) for checker, answer in checks]
    assert english[0].startswith("leaky_relu: not yet implemented. Replace `raise NotImplementedError`")
    assert english[3] == "leaky_relu: all 3 checks passed."
    ll.set_language("zh")
    chinese = [str(checker.grade(answer)) for checker, answer in checks]
    assert chinese[0] == ("leaky_relu：尚未实现。把 `raise NotImplementedError` 换成你的代码，然后重新运行这个单元格。")
    assert chinese[1] == ("leaky_relu（输入：z = [-2, -0.5, 0.5, 2]）：应得到 [-0.02 , -0.005,  0.5  ,  2.   ]，实际得到 "
                          "[0. , 0. , 0.5, 2. ]。提示：Leaky ReLU 在 z > 0 处为 z，其余处为 0.01 z；"
                          "np.where(z > 0, z, 0.01 * z) 适用于任何形状。")
    assert chinese[2].startswith("layer_gradients（输入：形状为 (4, 3) 的 a_prev，形状为 (4, 2) 的 delta）：应得到 ")
    assert chinese[2].endswith("结果是正确值的 4 倍：应对批量取平均（除以 n），而不是求和。")
    assert chinese[3] == "leaky_relu：全部 3 项检查通过。"
    for english_text, chinese_text in zip(english, chinese):  # the same numbers, none added or lost
        assert Counter(NUMBER.findall(chinese_text)) == Counter(NUMBER.findall(english_text)), chinese_text
        assert not re.search(r"\b(expected|got|Hint|on)\b", chinese_text), chinese_text
    ll.set_language("en")
    assert [str(checker.grade(answer)) for checker, answer in checks] == english


def test_a_diverging_run_says_why_and_what_to_try_in_the_lessons_language(capsys):
    import numpy as np

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((200, 4)) * 100, rng.integers(0, 3, 200)
    ll.set_language("zh")
    net = ll.Network([4, 8, 3], hidden="relu", seed=0)
    history = ll.train(net, x, y, 5, 10, 50.0, hooks=ll.standard_hooks(monitor=ll.GradientMonitor(check_every=1)))
    assert history.diverged
    assert history.stop_reason.startswith("训练在第 1 轮第 ")
    assert "学习率（lr = 50, 50）对这个网络太大了。试试它的十分之一（lr = 5, 5）" in history.stop_reason
    assert history.stop_reason.endswith("再试试这个值的三分之一（lr = 1.67, 1.67）。")
    assert history.stop_reason in capsys.readouterr().out


def test_the_dropdowns_gloss_the_names_the_code_uses_in_chinese():
    from lesson_lib.ui import training_panel, widgets

    ll.set_language("zh")
    explorer = widgets.BackpropExplorer([[0.0, 1.0]] * 6, [0, 1, 2, 0, 1, 2])
    assert explorer.init.options == (("scaled（缩放）", "scaled"), ("classic（经典）", "classic"))
    assert explorer.init.label == "scaled（缩放）" and explorer.init.value == "scaled"
    assert explorer.hidden.description == "隐藏层激活函数"
    assert ("log_likelihood（对数似然）", "log_likelihood") in explorer.loss.options
    assert training_panel._loss_label("log_likelihood", ll.i18n.gettext) == "log_likelihood（对数似然） + softmax"
    activations = widgets.ActivationExplorer(functions=("sigmoid", "tanh"))
    assert "0.1050；tanh：" in activations.status.value and "; " not in activations.status.value
    ll.set_language("en")
    assert widgets.BackpropExplorer([[0.0, 1.0]] * 6, [0, 1, 2, 0, 1, 2]).init.label == "scaled"


def _placeholders(text):
    return sorted(re.findall(r"\{([a-z_]+)", text))


def test_the_chinese_catalog_translates_every_message_with_the_same_placeholders_and_is_compiled():
    babel = pytest.importorskip("babel.messages.pofile", reason="Babel (the test extra) reads the catalogs")
    folder = ROOT / "lesson_lib" / "locale"
    template = babel.read_po(open(folder / "lesson_lib.pot", "rb"))
    catalog = babel.read_po(open(folder / "zh" / "LC_MESSAGES" / "lesson_lib.po", "rb"))
    wanted = {message.id for message in template if message.id}
    assert wanted == {message.id for message in catalog if message.id}, "run the catalog update in CONTRIBUTING.md"
    for message in catalog:
        if not message.id:
            continue
        singular = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert string, f"no translation of {singular!r}"
            # the translation may leave a placeholder out (Chinese has no article) but never add one
            assert set(_placeholders(string)) <= set(_placeholders(singular)), singular
            assert not message.fuzzy, singular
    # the compiled catalog is the one setup.py makes from this .po (tasks.py reinstalls when the .po changes)
    import gettext

    with open(folder / "zh" / "LC_MESSAGES" / "lesson_lib.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string


def test_every_message_marked_in_the_code_is_in_the_template():
    extract = pytest.importorskip("babel.messages.extract", reason="Babel (the test extra) extracts the messages")
    keywords = {**extract.DEFAULT_KEYWORDS, "N_": None, "figure_text": None, "translate": None}
    found = set()
    for path in sorted((ROOT / "lesson_lib").rglob("*.py")):
        with open(path, "rb") as f:
            for _, message, _, _ in extract.extract("python", f, keywords=keywords):
                found.add(message if isinstance(message, str) else message[0])
    babel = pytest.importorskip("babel.messages.pofile")
    template = {m.id if isinstance(m.id, str) else m.id[0]
                for m in babel.read_po(open(ROOT / "lesson_lib" / "locale" / "lesson_lib.pot", "rb")) if m.id}
    assert found == template, f"not in the template: {sorted(found - template)}; no longer in the code: {sorted(template - found)}"


def test_without_a_chinese_font_figures_stay_english_and_nothing_warns(monkeypatch):
    from lesson_lib.ui import plots

    monkeypatch.setitem(plots._font, "name", None)  # a machine with no Chinese font
    ll.set_language("zh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would be a UserWarning
        fig = plots.plot_softmax([1.0, 5.0, 3.0], 1)
        fig.canvas.draw()
    assert fig.axes[0].get_title() == "scores z"


def test_with_a_chinese_font_figures_are_chinese_and_nothing_warns():
    from matplotlib import font_manager

    from lesson_lib.ui import plots

    if plots.chinese_font() is None:  # CI installs Debian's fonts-noto-cjk (.ci/run), so this runs there
        pytest.skip(f"no Chinese font on this machine (one of {', '.join(plots.CHINESE_FONTS)})")
    ll.set_language("zh")
    assert plots.chinese_font() in font_manager.FontProperties(family=__import__("matplotlib").rcParams["font.family"]).get_family()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.plot_softmax([1.0, 5.0, 3.0], 1)
        fig.canvas.draw()
    assert fig.axes[0].get_title() == "得分 z" and "损失" in fig._suptitle.get_text()
