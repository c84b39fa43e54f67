"""Start one learner's server on a class's JupyterHub: the hub runs this instead of jupyterhub-singleuser.

1. Copy the course's notebooks (the course's notebooks/ folder, installed once for every learner) into
   ~/nn-course, the learner's own copy: only the notebooks the learner does not have yet, never over one
   they have (the same working copy `python3 tasks.py lab` makes on a laptop). A lesson that changed in
   the course since it was copied is listed in the server's log.
2. Run jupyterhub-singleuser in ~/nn-course, with the arguments the hub gave.

Works with every spawner of deploy/: a local process, systemd (HOME is /var/lib/NAME for a dynamic user)
and Kubernetes (the image's HOME).
"""

import os
import sys
from pathlib import Path

COURSE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(COURSE))
from tasks import prepare_working_copy  # noqa: E402  (the course's own working-copy rule)

work = Path(os.environ.get("HOME") or Path.cwd()) / "nn-course"
changed = prepare_working_copy(COURSE / "notebooks", work)
if changed:
    print(f"nn-course: changed in the course since {work} was made: {', '.join(map(str, changed))}", flush=True)
os.chdir(work)
os.execv(sys.executable, [sys.executable, "-m", "jupyterhub.singleuser", *sys.argv[1:]])
