"""The Chinese edition's sources, lessons/zh/, checked against the English ones they translate.

Each English source ``lessons/<place>.md`` may have a translation ``lessons/zh/<place>.md``
(``lessons/zh/03_cross_entropy.md``, ``lessons/zh/solutions/03_cross_entropy.md``), built into
``notebooks/zh/<place>.ipynb`` like any source (``python3 tasks.py build zh/03``). A translation
must be the English notebook in another language, and nothing else:

- the same cells, in the same order, of the same types, with the same tags;
- each code cell the English one, token for token, except its comments and the text of its strings
  (a string may differ only by holding Chinese; an f-string keeps every ``{field}``'s code, though a
  string inside a field may be translated and then its width changed, ``{'训练后':>8s}``; the
  argument of ``ll.set_language`` is "zh"); so the Chinese notebook computes and prints the same
  numbers;
- each Markdown cell has the same formulas (``$...$`` and ``$$...$$``) as the English one, though
  the words of a ``\\text{...}`` in them may be translated;
- its first lines record which version of the English source it translates::

      <!-- translation of lessons/03_cross_entropy.md, sha256 1a2b3c4d5e6f -->

  When the English source changes, the translation is out of step (the test says which) until a
  translator has carried the change over and run ``python3 tools/translations.py stamp zh/03``.

    python3 tools/translations.py check [zh/NN ...]   # every problem, or "in step"
    python3 tools/translations.py stamp zh/NN ...     # record the English source's present digest
    python3 tools/translations.py diff zh/NN          # what changed in English since the recorded version
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "lessons"
TRANSLATIONS = {"zh": SOURCES / "zh"}
RECORD = re.compile(r"<!-- translation of (\S+), sha256 ([0-9a-f]{12}) -->")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", flags=re.S)  # inline math may wrap onto the next line
FIELD = re.compile(r"(?<!\{)\{(?!\{)([^{}]*)\}")


def english_for(translation: Path, language: str = "zh") -> Path:
    """lessons/<place>.md for lessons/zh/<place>.md."""
    return SOURCES / translation.relative_to(TRANSLATIONS[language])


def translations(language: str = "zh") -> list[Path]:
    folder = TRANSLATIONS[language]
    return sorted(folder.glob("[0-9][0-9]_*.md")) + sorted((folder / "solutions").glob("[0-9][0-9]_*.md"))


def digest(path: Path) -> str:
    """The first 12 hex digits of the SHA-256 of a source's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# -- code cells: the same tokens, apart from comments and the text of strings -----------------------

def string_skeleton(token: str) -> tuple:
    """What of a string literal must not change in translation: its prefix, and for an f-string
    each replacement field ``{expression!conversion:format}``, in order."""
    prefix = re.match(r"[A-Za-z]*", token).group(0)
    fields = tuple(FIELD.findall(token)) if "f" in prefix.lower() else ()
    return prefix.lower(), fields


def code_tokens(source: str) -> list[tuple]:
    """The tokens of a code cell that a translation must keep. IPython's ``%magic`` lines are
    compared as text; comments and blank lines are left out; a string is kept as its skeleton and,
    unless it holds Chinese, its text (so "sigmoid" cannot be translated by mistake)."""
    magic = [line for line in source.splitlines() if line.lstrip().startswith(("%", "!"))]
    python = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    kept = [("magic", line.strip()) for line in magic]
    previous = []
    for token in tokenize.generate_tokens(io.StringIO(python + "\n").readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER):
            continue
        if token.type == tokenize.STRING:
            if previous[-2:] == ["set_language", "("]:
                kept.append(("language", None))
            elif CJK.search(token.string):
                kept.append(("translated string", string_skeleton(token.string)))
            else:
                kept.append(("string", token.string))
        else:
            kept.append((tokenize.tok_name[token.type], token.string))
        previous.append(token.string)
    return kept


LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def split_field(field: str) -> tuple[list[str], list[str], str]:
    """A replacement field's text as (code pieces, string literals, format spec): the expression
    with its string literals taken out, the literals, and what follows the expression's top-level
    ``:`` (or ``!``), which sets the width."""
    literals = LITERAL.findall(field)
    pieces = LITERAL.split(field)
    masked = "\0".join(pieces)
    depth = 0
    for at, character in enumerate(masked):
        if character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
        elif depth == 0 and character in ":!":
            expression, spec = masked[:at], masked[at:]
            break
    else:
        expression, spec = masked, ""
    return expression.split("\0"), literals, spec


def field_difference(english: str, chinese: str) -> str | None:
    """None if a translated f-string's field keeps the English one's code: its string literals may
    be translated (a column heading, f"{'训练后':>8s}"), and then its format spec too, so that the
    translator can set a width that lines the column up (a Chinese character is two columns wide)."""
    if english == chinese:
        return None
    code_e, literals_e, spec_e = split_field(english)
    code_c, literals_c, spec_c = split_field(chinese)
    if code_e != code_c or len(literals_e) != len(literals_c):
        return f"the field {{{english}}} became {{{chinese}}}"
    translated = [c for e, c in zip(literals_e, literals_c) if e != c]
    if any(not CJK.search(c) for c in translated):
        return f"the field {{{english}}} became {{{chinese}}}: a string in it changed without being translated"
    if spec_e != spec_c and not translated:
        return f"the field {{{english}}} became {{{chinese}}}: only a field whose text is translated may change its width"
    return None


def code_difference(english: str, chinese: str) -> str | None:
    """None if the Chinese code cell is the English one up to comments and translated strings;
    else a description of the first difference."""
    try:
        theirs = code_tokens(chinese)
    except (tokenize.TokenError, IndentationError, SyntaxError) as error:
        return f"the Chinese cell does not tokenize: {error}"
    ours = code_tokens(english)
    for i, (mine, other) in enumerate(zip(ours, theirs)):
        if mine == other:
            continue
        if other[0] == "translated string" and mine[0] == "string":
            (prefix_e, fields_e), (prefix_c, fields_c) = string_skeleton(mine[1]), other[1]
            if prefix_e != prefix_c or len(fields_e) != len(fields_c):
                return f"token {i}: the string {mine[1]} became one with other fields or prefix"
            problem = next(filter(None, map(field_difference, fields_e, fields_c)), None)
            if problem:
                return f"token {i}: in the string {mine[1]}, {problem}"
            continue
        return f"token {i}: English has {mine[1]!r}, the translation {other[1]!r}"
    if len(ours) != len(theirs):
        return f"English has {len(ours)} tokens, the translation {len(theirs)}"
    return None


# -- formulas: the same, apart from words in \text{...} translated -------------------------------------

TEXT = re.compile(r"\\text\{([^{}]*)\}")


def without_text(formula: str) -> str:
    """A formula with the words of each ``\\text{...}`` left out."""
    return TEXT.sub(r"\\text{}", formula)


def formula_difference(english: list[str], chinese: list[str]) -> str | None:
    """None if each Chinese formula is an English one whose ``\\text{...}`` words are kept or
    translated into Chinese (the notes beside BP1-BP4); formulas are paired by what is left
    without those words, in order."""
    pending = {}
    for formula in english:
        pending.setdefault(without_text(formula), []).append(formula)
    for formula in chinese:
        matches = pending.get(without_text(formula))
        if not matches:
            continue  # a formula English lacks: reported with the other differences
        original = matches.pop(0)
        for words_e, words_c in zip(TEXT.findall(original), TEXT.findall(formula)):
            if words_e != words_c and not CJK.search(words_c):
                return f"the formula's words \\text{{{words_e}}} became \\text{{{words_c}}}, which is not a translation"
    return None


# -- the whole source -----------------------------------------------------------------------------

def problems(translation: Path, language: str = "zh") -> list[str]:
    """Every way a translation disagrees with its English source; empty when it is in step."""
    english_path = english_for(translation, language)
    name = rel(translation)
    if not english_path.exists():
        return [f"{name}: no English source {rel(english_path)}"]
    text = translation.read_text(encoding="utf-8")
    found = []
    record = RECORD.search(text)
    if record is None:
        found.append(f"{name}: no line '<!-- translation of {rel(english_path)}, sha256 ... -->'; run "
                     f"`python3 tools/translations.py stamp {short(translation)}` once it translates the English as it is")
    elif record.group(1) != rel(english_path):
        found.append(f"{name}: records {record.group(1)}, expected {rel(english_path)}")
    elif record.group(2) != digest(english_path):
        found.append(f"{name} is out of step with {rel(english_path)}: it translates the version with sha256 "
                     f"{record.group(2)}, the English source is now {digest(english_path)}. Carry the change over "
                     f"(`python3 tools/translations.py diff {short(translation)}` shows it), then run "
                     f"`python3 tools/translations.py stamp {short(translation)}`")
    english, chinese = jupytext.read(english_path, fmt="md:myst"), jupytext.read(translation, fmt="md:myst")
    if len(english.cells) != len(chinese.cells):
        found.append(f"{name}: {len(chinese.cells)} cells, the English source has {len(english.cells)}")
    for i, (ours, theirs) in enumerate(zip(english.cells, chinese.cells), start=1):
        where = f"{name}, cell {i}"
        if ours.cell_type != theirs.cell_type:
            found.append(f"{where}: a {theirs.cell_type} cell where English has a {ours.cell_type} cell")
            continue
        if ours.metadata != theirs.metadata:
            found.append(f"{where}: metadata {dict(theirs.metadata)}, English has {dict(ours.metadata)}")
        if ours.cell_type == "code":
            difference = code_difference(ours.source, theirs.source)
            if difference:
                found.append(f"{where}: the code differs from English beyond comments and strings: {difference}")
        else:
            ours_math, theirs_math = MATH.findall(ours.source), MATH.findall(theirs.source)
            difference = formula_difference(ours_math, theirs_math)
            if difference:
                found.append(f"{where}: {difference}")
            ours_math, theirs_math = sorted(map(without_text, ours_math)), sorted(map(without_text, theirs_math))
            if ours_math != theirs_math:
                missing = [m for m in ours_math if m not in theirs_math][:3]
                extra = [m for m in theirs_math if m not in ours_math][:3]
                found.append(f"{where}: the formulas differ from English (missing {missing}, not in English {extra})")
    return found


def short(translation: Path) -> str:
    """zh/03 or zh/solutions/03 for lessons/zh/(solutions/)03_*.md."""
    return f"{translation.parent.relative_to(SOURCES).as_posix()}/{translation.name[:2]}"


def resolve(argument: str) -> list[Path]:
    """zh/NN (the lesson and its solutions) or zh/solutions/NN to source paths."""
    folder, _, number = argument.rpartition("/")
    found = sorted((SOURCES / folder).glob(f"{number}_*.md"))
    if folder.count("/") == 0:
        found += sorted((SOURCES / folder / "solutions").glob(f"{number}_*.md"))
    if not found or folder.split("/")[0] not in TRANSLATIONS:
        sys.exit(f"translations: expected zh/NN or zh/solutions/NN of an existing translation, got {argument!r}")
    return found


def stamp(translation: Path) -> None:
    english_path = english_for(translation)
    line = f"<!-- translation of {rel(english_path)}, sha256 {digest(english_path)} -->"
    text = translation.read_text(encoding="utf-8")
    if RECORD.search(text):
        text = RECORD.sub(line, text, count=1)
    else:
        # the first Markdown cell starts after any cell marker line ("+++ {...}") and its blank line
        lines = text.split("\n")
        at = 2 if lines[0].startswith("+++") else 0
        lines[at:at] = [line, ""]
        text = "\n".join(lines)
    translation.write_text(text, encoding="utf-8")
    print(f"{rel(translation)}: {line}")


def main(argv: list[str]) -> int:
    command, arguments = (argv[0], argv[1:]) if argv else ("check", [])
    paths = [p for a in arguments for p in resolve(a)] if arguments else translations()
    if command == "check":
        found = [problem for path in paths for problem in problems(path)]
        print("\n".join(found) if found else f"{len(paths)} translation(s) in step with their English sources")
        return 1 if found else 0
    if command == "stamp" and arguments:
        for path in paths:
            stamp(path)
        return 0
    if command == "diff" and arguments:
        for path in paths:
            record = RECORD.search(path.read_text(encoding="utf-8"))
            english_path = english_for(path)
            log = subprocess.run(["git", "log", "--format=%H", "--", rel(english_path)], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout.split()
            base = next((commit for commit in log if record and hashlib.sha256(subprocess.run(
                ["git", "show", f"{commit}:{rel(english_path)}"], cwd=ROOT, capture_output=True, check=True).stdout
            ).hexdigest()[:12] == record.group(2)), None)
            if base is None:
                print(f"{rel(path)}: the recorded English version is not in git history; compare by hand")
                continue
            subprocess.run(["git", "diff", base, "--", rel(english_path)], cwd=ROOT, check=True)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
