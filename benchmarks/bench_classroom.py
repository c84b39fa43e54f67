"""A class on one JupyterHub, measured: N learners at once, each running notebook 06 and the training panel.

    python3 tasks.py bench classroom                 # 1, 5, 10 and 20 learners
    python3 tasks.py bench classroom --learners 3    # one size

For each class size this starts a real JupyterHub from deploy/jupyterhub_config.py (the file an instructor
uses), bound to 127.0.0.1, with the local-process spawner and a shared read-only MNIST cache, and stops it
afterwards. N simulated learners then act at once, each in a thread, through the hub's and the servers'
HTTP and websocket APIs only, as JupyterLab would:

1. the hub starts the learner's server (the time until it is ready: "server start");
2. the learner opens their own copy of notebook 06 (~/nn-course, made by deploy/singleuser.py) and runs its
   code cells in order in a kernel of that server ("notebook 06");
3. moves the learning-rate slider of 06's explorer five times, each time timing the wait until the
   explorer's new figure arrives ("widget round trip");
4. creates notebook 07's training panel, presses Train with its default settings and times the wait
   until the first curve arrives ("first curve") and until the run ends ("panel run").

While they work, every process of every learner (server and kernel, found by their JUPYTERHUB_USER) is
sampled once a second from Linux's /proc: anonymous memory (what each learner pays for alone), PSS (shared
pages split between the processes that map them) and RSS; the CPU seconds they used are read at the end,
as is the whole machine's memory in use (MemTotal - MemAvailable) at its peak, above what it was before the
hub started. Everything goes to 127.0.0.1; every step has a time limit; the hub is stopped with SIGTERM (it
stops the servers, kernels, proxy and culler), and anything of its process group still alive after 30 s is
killed. Exits 1 if a learner's step failed. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
NOTEBOOK = "06_gradient_descent.ipynb"
STEP_TIMEOUT = 900  # seconds: the longest any one step may take at 20 learners on 2 cores
PANEL_CELL = """\
from lesson_lib.ui.training_panel import TrainingPanel
panel = TrainingPanel()
panel"""
SLIDER_MOVES = 5


# -------------------------------------------------------------------------------- the hub


class Hub:
    """A JupyterHub started from deploy/jupyterhub_config.py on 127.0.0.1; a context manager that stops it."""

    def __init__(self, folder: Path, cache: Path):
        self.folder, self.port = folder, free_ports()
        self.token = secrets.token_hex(32)
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ,
                        NN_COURSE_PASSWORD=secrets.token_hex(8), NN_COURSE_STATE=str(folder / "hub"),
                        NN_COURSE_HOMES=str(folder / "homes"), NN_COURSE_SPAWNER="local",
                        NN_COURSE_IP="127.0.0.1", NN_COURSE_PORT=str(self.port), NN_COURSE_API_TOKEN=self.token,
                        NN_COURSE_DATA_CACHE=str(cache))
        self.log = folder / "hub.log"
        self.process = None

    def __enter__(self):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
                                            cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.process.returncode}; its log:\n{self.tail()}")
            try:
                if self.api("GET", "/").status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the hub did not answer within 90 s; its log:\n{self.tail()}")

    def __exit__(self, *exc):
        self.stop()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}/hub/api{path}", timeout=60,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)

    def stop(self):
        """SIGTERM to the hub itself (it stops every server, kernel, the proxy and the culler), then
        anything left in its process group is killed."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group the hub led: proxy, culler, servers, kernels
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None


def free_ports() -> int:
    """A port P with P + 1 and P + 2 also free (the proxy on P, its API on P + 1, the hub on P + 2)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        sockets = [socket.socket() for _ in range(3)]
        try:
            for offset, sock in enumerate(sockets):
                sock.bind(("127.0.0.1", port + offset))
            return port
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no three consecutive free ports on 127.0.0.1")


# -------------------------------------------------------------------------------- a kernel, over its websocket


class Kernel:
    """A kernel of a learner's server, driven through the server's websocket as JupyterLab drives it."""

    def __init__(self, url: str, token: str):
        self.socket = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=STEP_TIMEOUT)
        self.session = uuid.uuid4().hex
        self.widgets = {}  # comm id -> the widget's state when it was opened

    def send(self, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": msg_type, "username": "learner", "session": self.session,
                  "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self.socket.send(json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                                     "channel": "shell", "buffers": []}))
        return msg_id

    def receive(self) -> dict:
        frame = self.socket.recv()
        if isinstance(frame, bytes):  # a message with binary buffers (a widget's image): offsets, then JSON first
            count = struct.unpack("!I", frame[:4])[0]
            offsets = struct.unpack(f"!{count}I", frame[4:4 + 4 * count])
            frame = frame[offsets[0]:offsets[1] if count > 1 else len(frame)]
        message = json.loads(frame)
        if message["msg_type"] == "comm_open" and message["content"].get("target_name") == "jupyter.widget":
            self.widgets[message["content"]["comm_id"]] = message["content"]["data"]["state"]
        return message

    def execute(self, code: str) -> str:
        """Run ``code``; returns what it printed; raises RuntimeError with the traceback's last line on error."""
        msg_id = self.send("execute_request", {"code": code, "silent": False, "store_history": True,
                                               "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        printed, replied, idle = [], False, False
        while not (replied and idle):  # the reply (shell) may come before the output (iopub): wait for both
            message = self.receive()
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                content = message["content"]
                raise RuntimeError(f"{content['ename']}: {content['evalue']} in:\n{code[:300]}")
            elif message["msg_type"] == "execute_reply":
                replied = True
            elif message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                idle = True
        return "".join(printed)

    def find(self, model: str, description: str | None = None, among=None) -> str:
        for comm_id in among if among is not None else self.widgets:
            state = self.widgets[comm_id]
            if state.get("_model_name") == model and (description is None or state.get("description") == description):
                return comm_id
        raise LookupError(f"no {model} {description or ''} among the kernel's widgets")

    def widget_message(self, comm_id: str, data: dict):
        self.send("comm_msg", {"comm_id": comm_id, "data": data})

    def wait_for_image(self, image_id: str) -> float:
        """Seconds until the Image widget ``image_id`` gets a new picture."""
        start = time.perf_counter()
        while True:
            message = self.receive()
            if message["msg_type"] != "comm_msg" or message["content"]["comm_id"] != image_id:
                continue
            data = message["content"]["data"]
            if data.get("method") == "update" and ["value"] in data.get("buffer_paths", []):
                return time.perf_counter() - start

    def close(self):
        self.socket.close()


# -------------------------------------------------------------------------------- a learner


@dataclass
class Learner:
    name: str
    times: dict = field(default_factory=dict)
    round_trips: list = field(default_factory=list)
    error: str | None = None


def learner_session(hub: Hub, learner: Learner) -> None:
    name = learner.name
    start = time.perf_counter()
    response = hub.api("POST", f"/users/{name}/server")
    if response.status_code not in (201, 202):
        raise RuntimeError(f"starting {name}'s server: HTTP {response.status_code} {response.text[:200]}")
    deadline = time.monotonic() + STEP_TIMEOUT
    while True:
        user = hub.api("GET", f"/users/{name}").json()
        if user.get("servers", {}).get("", {}).get("ready"):
            break
        if not user.get("pending") and "" not in user.get("servers", {}):
            raise RuntimeError(f"{name}'s server failed to start (the hub's log says why)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name}'s server not ready after {STEP_TIMEOUT} s")
        time.sleep(0.5)
    learner.times["server start"] = time.perf_counter() - start
    token = hub.api("POST", f"/users/{name}/tokens", json={"note": "load test", "expires_in": 3600}).json()["token"]
    server = f"{hub.url}/user/{name}/api"
    headers = {"Authorization": f"token {token}"}
    notebook = requests.get(f"{server}/contents/{NOTEBOOK}", headers=headers, timeout=60)
    notebook.raise_for_status()  # the learner's own copy, made by deploy/singleuser.py
    cells = [cell["source"] for cell in notebook.json()["content"]["cells"] if cell["cell_type"] == "code"]
    session = requests.post(f"{server}/sessions", headers=headers, timeout=120,
                            json={"path": NOTEBOOK, "type": "notebook", "name": NOTEBOOK, "kernel": {"name": "python3"}})
    session.raise_for_status()
    kernel_id = session.json()["kernel"]["id"]
    kernel = Kernel(f"ws://127.0.0.1:{hub.port}/user/{name}/api/kernels/{kernel_id}/channels", token)
    try:
        start = time.perf_counter()
        explorer = None
        for source in cells:
            before = set(kernel.widgets)
            kernel.execute(source)
            if "DescentExplorer()" in source:
                explorer = [comm_id for comm_id in kernel.widgets if comm_id not in before]
        learner.times["notebook 06"] = time.perf_counter() - start
        if explorer is None:
            raise RuntimeError(f"{NOTEBOOK} has no cell that shows DescentExplorer()")

        slider = kernel.find("FloatLogSliderModel", "learning rate", explorer)
        image = kernel.find("ImageModel", among=explorer)
        for move in range(SLIDER_MOVES):
            kernel.widget_message(slider, {"method": "update", "state": {"value": 0.5 if move % 2 == 0 else 2.0},
                                           "buffer_paths": []})
            learner.round_trips.append(kernel.wait_for_image(image))

        before = set(kernel.widgets)
        kernel.execute(PANEL_CELL)
        panel = [comm_id for comm_id in kernel.widgets if comm_id not in before]
        train = kernel.find("ButtonModel", "Train", panel)
        panel_image = kernel.find("ImageModel", among=panel)
        start = time.perf_counter()
        kernel.widget_message(train, {"method": "custom", "content": {"event": "click"}})
        learner.times["first curve"] = kernel.wait_for_image(panel_image)
        finished = kernel.execute("print(panel.wait(600), panel.history is not None and not panel.history.diverged)")
        if finished.split() != ["True", "True"]:
            raise RuntimeError(f"the panel's run did not end well: {finished!r}")
        learner.times["panel run"] = time.perf_counter() - start
    finally:
        kernel.close()


def run_learner(hub: Hub, learner: Learner) -> None:
    try:
        learner_session(hub, learner)
    except Exception as error:  # reported in the table and by the exit status
        learner.error = f"{type(error).__name__}: {error}"


# -------------------------------------------------------------------------------- memory and CPU, from /proc


def smaps_mb(pid: int) -> dict:
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if parts[0] in ("Rss:", "Pss:", "Anonymous:"):
                values[parts[0][:-1]] = int(parts[1]) / 1024
    return values


def machine_used_mb() -> float:
    memory = psutil.virtual_memory()
    return (memory.total - memory.available) / 2**20


class Sampler(threading.Thread):
    """Once a second: each learner's processes' memory (their sum, per learner), the hub's own processes'
    (the hub, the proxy and the culler: the hub's process and its descendants that serve no learner), and
    the machine's."""

    def __init__(self, names, hub_pid: int):
        super().__init__(daemon=True)
        self.names, self.hub_pid = set(names), hub_pid
        self.peak = {name: {"Rss": 0.0, "Pss": 0.0, "Anonymous": 0.0} for name in names}
        self.hub_peak = {"Rss": 0.0, "Pss": 0.0, "Anonymous": 0.0}
        self.cpu = {}  # pid -> (learner, CPU seconds so far)
        self.machine_peak = 0.0
        self.stopping = threading.Event()

    def sample(self):
        totals = {name: {"Rss": 0.0, "Pss": 0.0, "Anonymous": 0.0} for name in self.names}
        for process in psutil.process_iter():
            try:
                name = process.environ().get("JUPYTERHUB_USER")
                if name not in self.names:
                    continue
                for key, value in smaps_mb(process.pid).items():
                    totals[name][key] += value
                times = process.cpu_times()
                self.cpu[process.pid] = (name, times.user + times.system)
            except (psutil.Error, OSError):
                continue  # a process that ended meanwhile
        for name, total in totals.items():
            for key, value in total.items():
                self.peak[name][key] = max(self.peak[name][key], value)
        hub_total = {"Rss": 0.0, "Pss": 0.0, "Anonymous": 0.0}
        try:
            hub = psutil.Process(self.hub_pid)
            for process in [hub, *hub.children(recursive=True)]:
                if safe_environ(process).get("JUPYTERHUB_USER") is None:
                    for key, value in smaps_mb(process.pid).items():
                        hub_total[key] += value
        except (psutil.Error, OSError):
            pass
        for key, value in hub_total.items():
            self.hub_peak[key] = max(self.hub_peak[key], value)
        self.machine_peak = max(self.machine_peak, machine_used_mb())

    def run(self):
        while not self.stopping.wait(1.0):
            self.sample()

    def cpu_seconds(self, name: str) -> float:
        return sum(seconds for learner, seconds in self.cpu.values() if learner == name)


# -------------------------------------------------------------------------------- one class size


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_class(n: int, folder: Path, cache: Path) -> dict:
    folder.mkdir(parents=True)
    baseline = machine_used_mb()
    learners = [Learner(f"learner{i:02d}") for i in range(1, n + 1)]
    started = time.perf_counter()
    with Hub(folder, cache) as hub:
        response = hub.api("POST", "/users", json={"usernames": [learner.name for learner in learners]})
        response.raise_for_status()
        sampler = Sampler([learner.name for learner in learners], hub.process.pid)
        sampler.start()
        threads = [threading.Thread(target=run_learner, args=(hub, learner)) for learner in learners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(3 * STEP_TIMEOUT)
        sampler.stopping.set()
        sampler.join()
        sampler.sample()
        wall = time.perf_counter() - started
        hub_log = hub.tail(15)
    leftovers = [p for p in psutil.process_iter() if safe_environ(p).get("JUPYTERHUB_USER") in sampler.names]
    for process in leftovers:  # reported as a failure, and stopped: nothing the test started outlives it
        process.kill()
    leftovers = [process.pid for process in leftovers]
    errors = [f"{learner.name}: {learner.error}" for learner in learners if learner.error]
    if errors:
        print(f"the hub's log ends:\n{hub_log}", file=sys.stderr)
    done = [learner for learner in learners if not learner.error]
    result = {"learners": n, "errors": errors, "leftover processes": leftovers, "wall s": wall,
              "machine peak MB": sampler.machine_peak - baseline}
    for key in ("server start", "notebook 06", "first curve", "panel run"):
        values = [learner.times[key] for learner in done if key in learner.times]
        result[key] = (statistics.median(values), percentile(values, 0.95)) if values else (float("nan"),) * 2
    trips = [trip for learner in done for trip in learner.round_trips]
    result["round trip"] = (statistics.median(trips), percentile(trips, 0.95)) if trips else (float("nan"),) * 2
    for key in ("Anonymous", "Pss", "Rss"):
        values = [sampler.peak[learner.name][key] for learner in learners]
        result[f"{key} MB"] = (statistics.median(values), max(values))
    result["cpu s"] = statistics.median(sampler.cpu_seconds(learner.name) for learner in learners)
    result["hub processes MB"] = (sampler.hub_peak["Anonymous"], sampler.hub_peak["Rss"])
    return result


def safe_environ(process) -> dict:
    try:
        return process.environ()
    except (psutil.Error, OSError):
        return {}


def table(results) -> str:
    def pair(values, digits=1):
        return f"{values[0]:.{digits}f} / {values[1]:.{digits}f}"

    lines = ["| learners | server start s | notebook 06 s | widget round trip s | first curve s | panel run s "
             "| private (anonymous) MB per learner | PSS MB per learner | RSS MB per learner | CPU s per learner "
             "| hub, proxy, culler MB (private / RSS) | machine memory used MB | wall s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['learners']} | {pair(r['server start'])} | {pair(r['notebook 06'])} "
                     f"| {pair(r['round trip'], 2)} | {pair(r['first curve'], 2)} | {pair(r['panel run'])} "
                     f"| {pair(r['Anonymous MB'], 0)} | {pair(r['Pss MB'], 0)} | {pair(r['Rss MB'], 0)} "
                     f"| {r['cpu s']:.1f} | {pair(r['hub processes MB'], 0)} | {r['machine peak MB']:.0f} "
                     f"| {r['wall s']:.0f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[1, 5, 10, 20],
                        help="class sizes to measure, one hub each (default: 1 5 10 20)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    if not (ROOT / "deploy" / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        print("bench classroom: the proxy is missing; run it through `python3 tasks.py bench classroom`, "
              "which installs it with npm (deploy/package.json)", file=sys.stderr)
        return 2
    results, failed = [], False
    with tempfile.TemporaryDirectory(prefix="nn-course-class-") as scratch:
        cache = Path(scratch) / "mnist-cache"  # built once, shared read-only by every learner of every size
        subprocess.run([sys.executable, "-m", "lesson_lib.build_mnist_cache", str(cache)], check=True, stdout=subprocess.DEVNULL)
        for path in cache.iterdir():
            path.chmod(0o444)
        print(f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB; median / p95 "
              "(memory: median / largest learner), one hub per class size", flush=True)
        for n in args.learners:
            result = run_class(n, Path(scratch) / f"class-{n}", cache)
            results.append(result)
            print(table([result]).splitlines()[-1], flush=True)
            for error in result["errors"]:
                print(f"  FAILED {error}", flush=True)
            if result["leftover processes"]:
                print(f"  FAILED: processes of learners still running after the hub stopped: "
                      f"{result['leftover processes']}", flush=True)
            failed |= bool(result["errors"] or result["leftover processes"])
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
