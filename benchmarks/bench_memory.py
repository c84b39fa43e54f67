"""Peak memory of loading MNIST, measured in a fresh Python process (Linux/macOS).

    python benchmarks/bench_memory.py

Prints the peak resident memory (max RSS) of a process that imports lesson_lib, then of one that
also loads the full data set, and the difference. The arrays themselves take 70,000 x 784 x 4 bytes
(float32) = 219.5 MB; the goal is to stay near that, with no float64 copy.
"""

import subprocess
import sys

SCRIPT = """
import resource, sys
import lesson_lib as ll
if sys.argv[1] == "load":
    (x, y), (xt, yt) = ll.load_mnist()
    assert x.dtype.name == "float32"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak * (1 if sys.platform == "darwin" else 1024))
"""


def peak_bytes(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def main():
    base, loaded = peak_bytes("import"), peak_bytes("load")
    arrays = 70000 * 784 * 4 + 70000 * 8
    print(f"peak RSS after importing lesson_lib:        {base / 1e6:7.1f} MB")
    print(f"peak RSS after load_mnist() (full set):     {loaded / 1e6:7.1f} MB")
    print(f"difference:                                 {(loaded - base) / 1e6:7.1f} MB "
          f"(the returned arrays: {arrays / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
