"""What every learner's server of a class needs, whichever hub starts it (deploy/jupyterhub_config.py on one
server, deploy/tljh/nn-course.py on The Littlest JupyterHub):

- it starts through deploy/singleuser.py, which gives the learner a copy of the notebooks in ~/nn-course;
- it opens lesson 00, of the English edition or of the Chinese one (``language``);
- its kernels read MNIST from the course's data/mnist and memory-map the shared read-only cache ``cache``;
- its kernels use one BLAS thread each: a class shares the cores, and the notebooks' checked digits are the
  ones computed that way;
- a kernel no notebook tab is connected to (its notebook was closed) is shut down after 30 idle minutes: a
  memory limit covers the learner's server and all their kernels, and JupyterLab keeps a closed notebook's
  kernel running.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent
# jupyter-server's kernel culling; kernels with an open notebook tab are kept (cull_connected stays False)
START_PAGES = {"en": "/lab/tree/00_start_here.ipynb", "zh": "/lab/tree/zh/00_start_here.ipynb"}
"""The page a learner's server opens on, by the class's language (notebooks/zh/ is the Chinese edition)."""
KERNEL_CULLING = ["--MappingKernelManager.cull_idle_timeout=1800", "--MappingKernelManager.cull_interval=300"]


def configure_learner_server(c, *, python: str, cache: Path, language: str = "en") -> None:
    """Set JupyterHub's Spawner options on the config object ``c``; ``python``: the interpreter of the
    environment the course is installed in (its folder goes first on the learners' PATH); ``language``:
    "en", or "zh" to open the Chinese edition's lesson 00 (the lessons link to their twins either way)."""
    if language not in START_PAGES:
        raise ValueError(f"language: expected one of {', '.join(map(repr, START_PAGES))}, got {language!r}")
    c.Spawner.cmd = [python, str(HERE / "singleuser.py")]
    c.Spawner.default_url = START_PAGES[language]
    c.Spawner.args = list(KERNEL_CULLING)
    c.Spawner.environment.update({
        "LESSON_LIB_MNIST_DIR": str(COURSE / "data" / "mnist"),
        "LESSON_LIB_MNIST_CACHE": str(cache),
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
    })
