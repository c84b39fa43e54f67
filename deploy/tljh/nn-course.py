"""The course on The Littlest JupyterHub: copy this file to /opt/tljh/config/jupyterhub_config.d/ and run
`sudo tljh-config reload` (INSTRUCTORS.md has every step). TLJH keeps its own authenticator, memory limit
(`tljh-config set limits.memory 1G`) and idle culler (`tljh-config set services.cull.timeout 3600`); this adds
what the course needs. The course is at /opt/nn-course, installed into TLJH's user environment
(`sudo /opt/tljh/user/bin/pip install -e /opt/nn-course`), its MNIST cache built once at
/opt/nn-course/mnist-cache (`sudo /opt/tljh/user/bin/python -m lesson_lib.build_mnist_cache /opt/nn-course/mnist-cache`).
"""

import sys
from pathlib import Path

COURSE = Path("/opt/nn-course")
LANGUAGE = "en"  # "zh": each learner's server opens the Chinese edition's lesson 00 (notebooks/zh/)
sys.path.insert(0, str(COURSE / "deploy"))
from learner_server import configure_learner_server  # noqa: E402

configure_learner_server(c, python="/opt/tljh/user/bin/python", cache=COURSE / "mnist-cache", language=LANGUAGE)  # noqa: F821
