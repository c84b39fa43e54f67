"""JupyterHub for a class on one server: `jupyterhub -f deploy/jupyterhub_config.py` (INSTRUCTORS.md).

The course is installed once, in one Python environment that every learner's server uses (the one that runs
this hub); MNIST's pixels are stored once, in a read-only cache that every learner's kernel memory-maps
(lesson_lib.data), so the operating system keeps one copy in memory for the whole class. Each learner gets
a copy of the notebooks in ~/nn-course on their first login (deploy/singleuser.py).

Settings, from environment variables (the defaults suit a server; the load test,
benchmarks/bench_classroom.py, runs this same file on 127.0.0.1 with the local-process spawner):

NN_COURSE_PASSWORD      the class's shared password (8 characters or more); every learner signs in with
                        any user name and this password. Required.
NN_COURSE_ADMINS        comma-separated user names of the instructors (hub admins); they sign in with
NN_COURSE_ADMIN_PASSWORD  (required when NN_COURSE_ADMINS is set; JupyterHub's rules: 32 characters or more,
                        and not the class password).
NN_COURSE_STATE         the hub's own files: database, cookie secret, pid file (default /srv/nn-course/hub).
NN_COURSE_DATA_CACHE    the shared MNIST cache, built once with `python -m lesson_lib.build_mnist_cache DIR` and left
                        read-only for learners (default /srv/nn-course/mnist-cache).
NN_COURSE_SPAWNER       "systemd" (default): each learner's server in a systemd unit with a dynamic user
                        and an enforced memory and CPU limit (jupyterhub-systemdspawner); "local": a plain
                        process of the hub's user, for trying the hub or load-testing it; limits are not
                        enforced then.
NN_COURSE_HOMES         learners' home folders with the local spawner (default NN_COURSE_STATE/../homes).
NN_COURSE_LANGUAGE      "en" (default), or "zh": each learner's server opens the Chinese edition's lesson 00.
NN_COURSE_MEM_LIMIT     memory limit per learner (default 1G; INSTRUCTORS.md says where it comes from).
NN_COURSE_CPU_LIMIT     CPU cores per learner (default 1).
NN_COURSE_IDLE_TIMEOUT  seconds after which an idle learner's server is stopped (default 3600).
NN_COURSE_IP, NN_COURSE_PORT  where the hub listens (default all addresses, port 8000; put HTTPS in front).
                        With NN_COURSE_IP=127.0.0.1 the proxy's API and the hub's own port are the next two.
NN_COURSE_API_TOKEN     optional: a token for scripts (the load test) with the rights to create users,
                        start their servers and reach them.
"""

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"  # `npm ci --prefix deploy`
USER_NAME = r"[a-z][a-z0-9-]{0,19}"  # a learner's or an admin's name (see username_pattern below)
VAR_LIB = Path("/var/lib")

c = get_config()  # noqa: F821  (JupyterHub's config loader defines get_config)


def system_folders() -> set:
    """The names in /var/lib that are not a learner's home (with the systemd spawner a learner's home is
    /var/lib/NAME, a link into /var/lib/private): apt, dpkg, systemd, ... No learner or admin may be called so,
    or systemd would hand that folder to them."""
    if setting("SPAWNER", "systemd") == "local" or not VAR_LIB.is_dir():
        return set()
    return {entry.name for entry in VAR_LIB.iterdir()
            if not (entry.is_symlink() and os.readlink(entry).startswith("private/"))}


def setting(name, default=None):
    value = os.environ.get(f"NN_COURSE_{name}", default)
    if value is None:
        raise SystemExit(f"deploy/jupyterhub_config.py: set NN_COURSE_{name} (see the file's docstring)")
    return value


state = Path(setting("STATE", "/srv/nn-course/hub"))
state.mkdir(mode=0o700, parents=True, exist_ok=True)  # the database and cookie secret: the hub's eyes only
cache = Path(setting("DATA_CACHE", "/srv/nn-course/mnist-cache"))

# -- where the hub listens; its own files ---------------------------------------------------------------
c.JupyterHub.ip = setting("IP", "")
c.JupyterHub.port = int(setting("PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:8001"
if c.JupyterHub.ip == "127.0.0.1":  # a hub for this machine only (the load test): the next two ports
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{c.JupyterHub.port + 1}"
    c.JupyterHub.hub_port = c.JupyterHub.port + 2
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# -- who signs in: one password for the class ----------------------------------------------------------
# (JupyterHub refuses a class password under 8 characters and an admin password under 32 or equal to the class
# password only when the hub starts, naming its own settings; these checks say it first, naming ours)
password = setting("PASSWORD")
if len(password) < 8:
    raise SystemExit(f"NN_COURSE_PASSWORD: expected 8 characters or more, got {len(password)}")
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
admins = {name.strip() for name in setting("ADMINS", "").split(",") if name.strip()}
if admins:
    # an admin's name follows the learners' rule (below): JupyterHub refuses to start with one that does not
    bad = sorted(name for name in admins if not re.fullmatch(USER_NAME, name) or name in system_folders())
    if bad:
        raise SystemExit(f"NN_COURSE_ADMINS: expected names of lowercase letters, digits and '-', a letter first, at "
                         f"most 20 characters, none a folder of /var/lib; got {', '.join(bad)}")
    admin_password = setting("ADMIN_PASSWORD")
    if len(admin_password) < 32 or admin_password == password:
        raise SystemExit("NN_COURSE_ADMIN_PASSWORD: expected 32 characters or more, not the class password; got "
                         + ("the class password" if admin_password == password else f"{len(admin_password)} characters"))
    c.Authenticator.admin_users = admins
    c.SharedPasswordAuthenticator.admin_password = admin_password
c.Authenticator.allow_all = True
# a learner's name becomes a folder name and part of a systemd unit's name: lowercase letters (JupyterHub
# lowercases what is typed), digits and '-', a letter first, at most 20 characters
c.Authenticator.username_pattern = f"^{USER_NAME}$"

# -- each learner's server: the course's environment, the shared data, the notebooks copied on first start
sys.path.insert(0, str(HERE))
from learner_server import START_PAGES, configure_learner_server  # noqa: E402  (shared with deploy/tljh/nn-course.py)

language = setting("LANGUAGE", "en")
if language not in START_PAGES:  # said here naming the setting; configure_learner_server would name its argument
    raise SystemExit(f"NN_COURSE_LANGUAGE: expected 'en' (English) or 'zh' (the Chinese edition), got {language!r}")
configure_learner_server(c, python=sys.executable, cache=cache, language=language)
c.Spawner.mem_limit = setting("MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(setting("CPU_LIMIT", "1"))
c.Spawner.http_timeout = 120  # 20 servers starting at once on 2 cores took 76 s each (median; 81 s p95) here
c.Spawner.start_timeout = 180

if setting("SPAWNER", "systemd") == "local":
    c.JupyterHub.spawner_class = "simple"  # a process of the hub's user; MEM_LIMIT is only advisory here
    homes = Path(setting("HOMES", str(state.parent / "homes")))
    c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
    if os.geteuid() == 0:
        c.Spawner.args = [*c.Spawner.args, "--allow-root"]
else:
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.dynamic_users = True  # no system account per learner; home in /var/lib/NAME
    c.SystemdSpawner.readonly_paths = [str(COURSE), str(cache)]
    c.SystemdSpawner.isolate_tmp = True
    c.SystemdSpawner.isolate_devices = True
    # each server is a systemd unit of its own: restarting the hub (a settings change) leaves them running, and
    # the hub finds them again (the local spawner's servers are the hub's child processes: it stops them)
    c.JupyterHub.cleanup_servers = False
    c.Authenticator.blocked_users = system_folders()

# -- idle servers are stopped, so that a class's memory goes back when learners leave ---------------------
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={int(setting('IDLE_TIMEOUT', '3600'))}",
                "--cull-every=300"],
}]
token = os.environ.get("NN_COURSE_API_TOKEN")
if token:
    c.JupyterHub.services.append({"name": "course-admin", "api_token": token})
    c.JupyterHub.load_roles.append({
        "name": "course-admin",
        "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "read:hub", "proxy"],
        "services": ["course-admin"],
    })
