"""The language of what lesson_lib shows a learner: widget labels, status lines, gradient-health
notes, the panel's and the pad's text, figure titles and axis labels, the exercise checkers'
feedback and the message of a run that diverged.

The course is written in English and translated with Python's gettext. A language other than
English has a catalog of translations, ``lesson_lib/locale/<language>/LC_MESSAGES/lesson_lib.po``,
compiled into the ``.mo`` file gettext reads when the package is installed (``pip install``, or
``python3 tasks.py`` which installs it; see ``setup.py``). In a lesson's first cell::

    ll.set_language("zh")     # 简体中文; ll.set_language("en") is the default

A message is marked in the code as ``_("Train")`` (``from .i18n import gettext as _``), or as
``N_("...")`` where it is defined before any language is chosen and translated where it is shown.
A message the catalog has no translation for is shown in English. Exceptions' messages stay in
English: they are for searching the web as much as for reading.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "lesson_lib"
LANGUAGES = {"en": "English", "zh": "简体中文 (Simplified Chinese)"}

_state = {"language": "en", "translation": _gettext.NullTranslations()}
_listeners = []


def set_language(language: str) -> None:
    """Show lesson_lib's widgets, notes, figures and feedback in ``language``: "en" or "zh".

    Takes effect for everything drawn or printed from then on (a widget already on the page keeps
    its labels until it is made again)."""
    if not isinstance(language, str) or language not in LANGUAGES:
        choices = ", ".join(f"{code!r} ({name})" for code, name in LANGUAGES.items())
        raise ValueError(f"language: expected one of {choices}, got {language!r}")
    if language == "en":
        translation = _gettext.NullTranslations()
    else:
        catalog = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not catalog.is_file():
            raise FileNotFoundError(
                f"language: the {LANGUAGES[language]} catalog {catalog} has not been compiled; install the course "
                f"(any `python3 tasks.py` command installs it into .venv/, or `pip install -e .`), which compiles "
                f"{catalog.with_suffix('.po').name} into it")
        with open(catalog, "rb") as f:
            translation = _gettext.GNUTranslations(f)
    _state["language"], _state["translation"] = language, translation
    for listener in _listeners:
        listener(language)


def when_language_changes(listener) -> None:
    """Call ``listener(language)`` now and after every ``set_language``: how the user interface, which
    the core does not import, follows the language (``lesson_lib.ui.plots`` picks a Chinese font)."""
    _listeners.append(listener)
    listener(_state["language"])


def language() -> str:
    """The language set by ``set_language``: "en" (the default) or "zh"."""
    return _state["language"]


def gettext(message: str) -> str:
    """``message`` in the language set by ``set_language`` (English where the catalog has no translation)."""
    return _state["translation"].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for a count ``n``, in the language set by ``set_language``."""
    return _state["translation"].ngettext(singular, plural, n)


def gettext_noop(message: str) -> str:
    """``message`` itself: marks a message for the catalog where it is defined, to be translated with
    ``gettext`` where it is shown (a label in a table made when the module is imported)."""
    return message


def layer_text(name: str, translate=gettext) -> str:
    """A layer's name as ``Network.layer_name`` gives it ("hidden layer 2", "output layer") in the
    language set (``translate``: the function that translates, e.g. one that keeps English where a
    figure has no Chinese font)."""
    if name == "output layer":
        return translate("output layer")
    if name.startswith("hidden layer "):
        return translate("hidden layer {number}").format(number=name.rpartition(" ")[2])
    return name
