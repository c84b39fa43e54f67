"""``python -m lesson_lib.build_mnist_cache [CACHE_DIR]``: build (or rebuild) MNIST's image cache.

For a class: build it once in a shared folder that the learners then only read, and point their kernels at
it with ``LESSON_LIB_MNIST_CACHE=CACHE_DIR`` (INSTRUCTORS.md). Without CACHE_DIR the cache goes where
``load_mnist`` would make it on first use: ``cache/`` beside the IDX files (``lesson_lib.data``).

A module of its own, which ``import lesson_lib`` does not load: run with ``-m``, a module the package has
already imported (``lesson_lib.data``) would be loaded a second time, and Python warns that this "may result in
unpredictable behaviour".
"""

from __future__ import annotations

import sys
from pathlib import Path

from .data import CACHED_IMAGES, build_cache, default_mnist_dir, mnist_cache_dir


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = default_mnist_dir()
    cache = Path(args[0]) if args else mnist_cache_dir(folder)
    build_cache(folder, cache)
    print(f"MNIST image cache built in {cache}: " + ", ".join(CACHED_IMAGES.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
