"""The one build step pyproject.toml cannot declare: compiling the translation catalogs.

Every ``lesson_lib/locale/<language>/LC_MESSAGES/lesson_lib.po`` (the text a translator edits) is
compiled with Babel into the ``lesson_lib.mo`` next to it, which Python's gettext reads
(``lesson_lib.i18n``). This runs whenever the package is built or installed, also for an editable
install (``pip install -e .``, which ``python3 tasks.py`` does): there the ``.mo`` files are written
into the source tree, where git ignores them.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def compile_catalogs(package_dir: Path, output_dir: Path) -> list[Path]:
    """Compile each .po under package_dir/locale into a .mo at the same place under output_dir."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted((package_dir / "locale").glob("*/LC_MESSAGES/*.po")):
        with open(po, "rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        mo = output_dir / po.relative_to(package_dir).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with open(mo, "wb") as f:
            write_mo(f, catalog)
        written.append(mo)
    return written


class BuildPyWithCatalogs(build_py):
    """build_py, then the catalogs: into the build folder, or for an editable install into the sources."""

    def run(self):
        super().run()
        package_dir = ROOT / "lesson_lib"
        output_dir = package_dir if self.editable_mode else Path(self.build_lib) / "lesson_lib"
        compile_catalogs(package_dir, output_dir)


setup(cmdclass={"build_py": BuildPyWithCatalogs})
