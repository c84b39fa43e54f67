"""CI: the README's lab command, run as written, starts JupyterLab, which answers on its port and
lists the notebooks; then it is stopped by its process id. Standard library only.

    python3 .ci/check_lab.py
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ci-check-token"


def main() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the README's command, plus options that keep it headless on a known port and token
    command = [sys.executable, "tasks.py", "lab", "--no-browser", f"--port={port}", f"--IdentityProvider.token={TOKEN}"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={TOKEN}", timeout=2) as reply:
                    names = sorted(item["name"] for item in json.load(reply)["content"])
                break
            except OSError:
                if server.poll() is not None:
                    print("CI: `python3 tasks.py lab` exited:\n" + server.stdout.read()[-3000:], file=sys.stderr)
                    return 1
                if time.monotonic() > deadline:
                    print("CI: JupyterLab did not answer within 120 s", file=sys.stderr)
                    return 1
                time.sleep(0.5)
        expected = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
        missing = sorted(set(expected) - set(names))
        if missing:
            print(f"CI: JupyterLab lists {names}, missing {missing}", file=sys.stderr)
            return 1
        print(f"CI: `python3 tasks.py lab` answered on port {port} and lists {len(expected)} notebooks")
        return check_a_save_stays_in_the_working_copy(port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        print(f"CI: stopped JupyterLab (pid {server.pid})")


def check_a_save_stays_in_the_working_copy(port: int) -> int:
    """Save a notebook through JupyterLab's contents API, as its Save button does: it must land in
    my-work/ (the learner's copy), leave notebooks/ and lessons/ as git has them, and save without
    an error (Jupytext's pairing, meant for `tasks.py edit`, must not apply there)."""
    name = "ci-check-scratch.ipynb"
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "a learner's note"}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    url = f"http://127.0.0.1:{port}/api/contents/{name}?token={TOKEN}"
    body = json.dumps({"type": "notebook", "format": "json", "content": notebook}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method="PUT"), timeout=30) as reply:
            saved = json.load(reply)
    except OSError as error:
        print(f"CI: saving a notebook in the lab failed: {error}", file=sys.stderr)
        return 1
    try:
        where = ROOT / "my-work" / name
        if not where.exists() or saved["path"] != name:
            print(f"CI: the saved notebook is not in my-work/ ({saved['path']})", file=sys.stderr)
            return 1
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "notebooks", "lessons"], cwd=ROOT,
                               capture_output=True, text=True).stdout
        if dirty.strip():
            print(f"CI: saving in the lab changed the course:\n{dirty}", file=sys.stderr)
            return 1
        print("CI: a notebook saved in the lab went to my-work/; notebooks/ and lessons/ are unchanged")
        return 0
    finally:
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30).close()


if __name__ == "__main__":
    sys.exit(main())
