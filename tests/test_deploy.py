"""deploy/: the files that run a class's JupyterHub (INSTRUCTORS.md).

What runs here is run: the one-server configuration is loaded by JupyterHub's own config loader for both
spawners, deploy/singleuser.py makes a learner's working copy, and (slow) a real hub serves one learner
who runs notebook 06 and the training panel (benchmarks/bench_classroom.py, the load test, at one learner).
What cannot run here (systemd as PID 1, Kubernetes, Docker) is checked for consistency with what does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def load_hub_config(monkeypatch, tmp_path, **settings):
    for name in [n for n in os.environ if n.startswith("NN_COURSE_")]:
        monkeypatch.delenv(name)
    defaults = {"PASSWORD": "a class password", "STATE": str(tmp_path / "hub"), "DATA_CACHE": str(tmp_path / "cache")}
    for name, value in {**defaults, **settings}.items():
        if value is not None:
            monkeypatch.setenv(f"NN_COURSE_{name}", value)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY)).load_config()


def test_the_one_server_config_starts_learners_through_singleuser_with_the_shared_data(monkeypatch, tmp_path):
    config = load_hub_config(monkeypatch, tmp_path)
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert config.SharedPasswordAuthenticator.user_password == "a class password"
    assert config.Authenticator.allow_all is True
    assert config.JupyterHub.spawner_class == "systemdspawner.SystemdSpawner"  # the default: limits enforced
    assert config.SystemdSpawner.dynamic_users is True
    assert config.JupyterHub.cleanup_servers is False  # a hub restart leaves the learners' units running
    assert str(tmp_path / "cache") in config.SystemdSpawner.readonly_paths
    assert config.Spawner.cmd == [sys.executable, str(DEPLOY / "singleuser.py")]
    assert "--MappingKernelManager.cull_idle_timeout=1800" in config.Spawner.args  # a closed notebook's kernel stops
    environment = config.Spawner.environment.get_value({})
    assert environment["LESSON_LIB_MNIST_CACHE"] == str(tmp_path / "cache")
    assert environment["LESSON_LIB_MNIST_DIR"] == str(ROOT / "data" / "mnist")
    assert environment["OPENBLAS_NUM_THREADS"] == "1"
    assert config.Spawner.mem_limit == "1G" and config.Spawner.cpu_limit == 1.0
    culler = [service for service in config.JupyterHub.services if service["name"] == "idle-culler"]
    assert culler and "--timeout=3600" in culler[0]["command"]
    assert config.ConfigurableHTTPProxy.command == [str(DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy")]
    assert (tmp_path / "hub").is_dir() and config.JupyterHub.db_url.startswith(f"sqlite:///{tmp_path / 'hub'}")


def test_the_local_spawner_and_loopback_settings(monkeypatch, tmp_path):
    config = load_hub_config(monkeypatch, tmp_path, SPAWNER="local", IP="127.0.0.1", PORT="9000",
                             HOMES=str(tmp_path / "homes"), MEM_LIMIT="2G", IDLE_TIMEOUT="600", API_TOKEN="t" * 32)
    assert config.JupyterHub.spawner_class == "simple"
    assert "cleanup_servers" not in config.JupyterHub  # the hub stops its child servers when it stops
    assert config.SimpleLocalProcessSpawner.home_dir_template == str(tmp_path / "homes" / "{username}")
    assert (config.JupyterHub.ip, config.JupyterHub.port, config.JupyterHub.hub_port) == ("127.0.0.1", 9000, 9002)
    assert config.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:9001"
    assert config.Spawner.mem_limit == "2G"
    assert "--timeout=600" in config.JupyterHub.services[0]["command"]
    admin = [role for role in config.JupyterHub.load_roles if role["name"] == "course-admin"]
    assert admin and "admin:servers" in admin[0]["scopes"]


def test_the_config_refuses_to_start_without_a_class_password(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="set NN_COURSE_PASSWORD"):
        load_hub_config(monkeypatch, tmp_path, PASSWORD=None)
    with pytest.raises(SystemExit, match="set NN_COURSE_ADMIN_PASSWORD"):
        load_hub_config(monkeypatch, tmp_path, ADMINS="teacher")


def test_the_config_refuses_passwords_jupyterhub_would_refuse_and_names_the_setting(monkeypatch, tmp_path):
    # JupyterHub's shared-password authenticator wants 8+ characters for the class and 32+ for the admins,
    # different from the class's; INSTRUCTORS.md's example admin password had 11
    with pytest.raises(SystemExit, match="NN_COURSE_PASSWORD: expected 8 characters or more, got 5"):
        load_hub_config(monkeypatch, tmp_path, PASSWORD="short")
    with pytest.raises(SystemExit, match="NN_COURSE_ADMIN_PASSWORD: expected 32 characters or more.*got 11 characters"):
        load_hub_config(monkeypatch, tmp_path, ADMINS="teacher", ADMIN_PASSWORD="another one")
    with pytest.raises(SystemExit, match="got the class password"):
        load_hub_config(monkeypatch, tmp_path, PASSWORD="c" * 40, ADMINS="teacher", ADMIN_PASSWORD="c" * 40)
    config = load_hub_config(monkeypatch, tmp_path, ADMINS="teacher, ta", ADMIN_PASSWORD="a" * 32)
    assert config.Authenticator.admin_users == {"teacher", "ta"}
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

    authenticator = SharedPasswordAuthenticator(config=config)  # JupyterHub's own checks accept what ours let through
    assert authenticator.admin_password == "a" * 32


def test_learner_names_are_short_plain_and_never_a_system_folder(monkeypatch, tmp_path):
    """With the systemd spawner a learner's home is /var/lib/NAME: a learner who signed in as "apt" would
    have been handed /var/lib/apt."""
    from jupyterhub.auth import Authenticator

    config = load_hub_config(monkeypatch, tmp_path)
    authenticator = Authenticator(config=config)
    assert [authenticator.validate_username(name) for name in ("anna", "learner01", "jo-li", "a" * 20)] == [True] * 4
    assert not any(authenticator.validate_username(name) for name in ("anna smith", "../x", "a" * 21, "-x", "ana.b"))
    blocked = config.Authenticator.blocked_users
    for entry in Path("/var/lib").iterdir():
        assert (entry.name in blocked) != (entry.is_symlink() and os.readlink(entry).startswith("private/")), entry
    assert "blocked_users" not in load_hub_config(monkeypatch, tmp_path, SPAWNER="local").Authenticator
    # an admin's name follows the same rule: JupyterHub itself refused to start with "dr_smith" among its admins
    with pytest.raises(SystemExit, match="NN_COURSE_ADMINS: expected names of lowercase letters.*got dr_smith, j.smith"):
        load_hub_config(monkeypatch, tmp_path, ADMINS="teacher, dr_smith, j.smith", ADMIN_PASSWORD="a" * 32)
    if Path("/var/lib/dpkg").is_dir():
        with pytest.raises(SystemExit, match="got dpkg"):
            load_hub_config(monkeypatch, tmp_path, ADMINS="dpkg", ADMIN_PASSWORD="a" * 32)


def test_a_class_in_chinese_opens_the_chinese_lesson_00_and_a_language_the_course_lacks_is_refused(monkeypatch, tmp_path):
    assert load_hub_config(monkeypatch, tmp_path).Spawner.default_url == "/lab/tree/00_start_here.ipynb"
    config = load_hub_config(monkeypatch, tmp_path, LANGUAGE="zh")
    assert config.Spawner.default_url == "/lab/tree/zh/00_start_here.ipynb"
    # the page is there in the copy singleuser.py makes of notebooks/
    assert (ROOT / "notebooks" / config.Spawner.default_url.removeprefix("/lab/tree/")).is_file()
    with pytest.raises(SystemExit, match=r"NN_COURSE_LANGUAGE: expected 'en' \(English\) or 'zh' .*, got 'fr'"):
        load_hub_config(monkeypatch, tmp_path, LANGUAGE="fr")


def test_every_way_of_running_a_class_installs_a_chinese_font():
    """Without a Chinese font the Chinese edition's figures stay English: the server script, the learners' image
    and Binder (apt.txt, which repo2docker installs with apt) each install Debian's fonts-noto-cjk."""
    script = (DEPLOY / "install-server.sh").read_text()
    assert re.search(r"apt-get install -y -qq [^\n]*fonts-noto-cjk", script)
    assert re.search(r"apt-get install -y --no-install-recommends fonts-noto-cjk",
                     (DEPLOY / "kubernetes" / "Dockerfile").read_text())
    assert (ROOT / "apt.txt").read_text().split() == ["fonts-noto-cjk"]


def test_the_tljh_snippet_sets_the_same_learner_server_with_tljhs_python():
    from traitlets.config import Config

    # the snippet, with this checkout standing in for /opt/nn-course
    source = (DEPLOY / "tljh" / "nn-course.py").read_text()
    assert 'COURSE = Path("/opt/nn-course")' in source
    namespace = {"c": Config(), "__name__": "nn_course_snippet"}
    exec(compile(source.replace('Path("/opt/nn-course")', f"Path({str(ROOT)!r})"), "nn-course.py", "exec"), namespace)
    config = namespace["c"]
    assert config.Spawner.cmd == ["/opt/tljh/user/bin/python", str(DEPLOY / "singleuser.py")]
    environment = config.Spawner.environment.get_value({})
    assert environment["LESSON_LIB_MNIST_CACHE"] == str(ROOT / "mnist-cache")
    assert environment["PATH"].startswith("/opt/tljh/user/bin" + os.pathsep)
    assert config.Spawner.default_url == "/lab/tree/00_start_here.ipynb"
    chinese = {"c": Config(), "__name__": "nn_course_snippet"}
    exec(compile(source.replace('Path("/opt/nn-course")', f"Path({str(ROOT)!r})").replace('LANGUAGE = "en"', 'LANGUAGE = "zh"'),
                 "nn-course.py", "exec"), chinese)
    assert chinese["c"].Spawner.default_url == "/lab/tree/zh/00_start_here.ipynb"


def test_singleuser_copies_the_notebooks_once_and_keeps_the_learners_own(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path))
    command = [sys.executable, str(DEPLOY / "singleuser.py"), "--version"]  # jupyterhub-singleuser --version
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    work = tmp_path / "nn-course"
    assert (work / "06_gradient_descent.ipynb").read_bytes() == (ROOT / "notebooks" / "06_gradient_descent.ipynb").read_bytes()
    assert (work / "solutions" / "06_gradient_descent.ipynb").exists()
    assert set(json.loads((work / ".course-origin.json").read_text())) >= {"06_gradient_descent.ipynb"}
    (work / "06_gradient_descent.ipynb").write_text("the learner's own work")
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert (work / "06_gradient_descent.ipynb").read_text() == "the learner's own work"


def test_the_kubernetes_files_match_the_one_server_setup():
    values = yaml.safe_load((DEPLOY / "kubernetes" / "values.yaml").read_text())
    single = values["singleuser"]
    sys.path.insert(0, str(DEPLOY))
    from learner_server import KERNEL_CULLING

    assert single["cmd"] == ["python", "/opt/nn-course/deploy/singleuser.py", *KERNEL_CULLING]
    assert single["defaultUrl"] == "/lab/tree/00_start_here.ipynb"
    assert single["memory"]["limit"] == "1G"  # the one-server default (NN_COURSE_MEM_LIMIT), from the load test
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] == 3600
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    dockerfile = (DEPLOY / "kubernetes" / "Dockerfile").read_text()
    assert "COPY . /opt/nn-course" in dockerfile and "python -m lesson_lib.build_mnist_cache /opt/nn-course/mnist-cache" in dockerfile
    assert "LESSON_LIB_MNIST_CACHE=/opt/nn-course/mnist-cache" in dockerfile
    chart = re.search(r"chart (\d+\.\d+\.\d+) runs JupyterHub (\d+\.\d+\.\d+)", dockerfile)
    assert chart and f'"jupyterhub=={chart[2]}"' in dockerfile
    assert f"chart jupyterhub {chart[1]}" in (DEPLOY / "kubernetes" / "values.yaml").read_text()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "**/node_modules", "my-work", "data/mnist/cache"} <= set(ignored)


def test_the_server_install_script_is_valid_bash_and_starts_this_config():
    result = subprocess.run(["bash", "-n", str(DEPLOY / "install-server.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    unit = (DEPLOY / "nn-course-hub.service").read_text()
    assert "ExecStart=/opt/nn-course/env/bin/jupyterhub -f /opt/nn-course/deploy/jupyterhub_config.py" in unit
    script = (DEPLOY / "install-server.sh").read_text()
    assert "nn-course-hub.service" in script and re.search(r"python\"? -m lesson_lib\.build_mnist_cache", script)


@pytest.mark.skipif(Path("/etc/nn-course.env").exists(), reason="this machine has a class hub's settings")
@pytest.mark.parametrize("settings, message", [
    ({}, "NN_COURSE_PASSWORD: expected the class password, 8 characters or more, got 0"),
    ({"NN_COURSE_PASSWORD": "seven77"}, "got 7"),
    ({"NN_COURSE_PASSWORD": "a class password", "NN_COURSE_ADMINS": "teacher", "NN_COURSE_ADMIN_PASSWORD": "another one"},
     "NN_COURSE_ADMIN_PASSWORD: expected 32 characters or more"),
    ({"NN_COURSE_PASSWORD": 'say "hi" now'}, "expected no double quote, backslash or line break"),
    ({"NN_COURSE_PASSWORD": "a class password", "NN_COURSE_ADMINS": "teacher,dr_smith", "NN_COURSE_ADMIN_PASSWORD": "b" * 32},
     "NN_COURSE_ADMINS: expected names of lowercase letters, digits and '-', a letter first, at most 20 characters, got 'dr_smith'"),
    ({"NN_COURSE_PASSWORD": "a class password", "NN_COURSE_LANGUAGE": "fr"},
     "NN_COURSE_LANGUAGE: expected 'en' (English) or 'zh' (the Chinese edition), got 'fr'"),
], ids=["no password", "short", "short admin password", "a quote", "an admin name JupyterHub refuses", "a language"])
def test_the_install_script_refuses_bad_settings_before_installing_anything(settings, message, tmp_path):
    """Run with bad settings (by anyone: the settings are checked before the script asks for root), the script
    stops at once and says which setting and what it expected. It used to stop on an unset password with bash's
    'unbound variable', and take an admin password JupyterHub refuses."""
    (tmp_path / "id").write_text("#!/bin/sh\necho 1000\n")  # never root here, whoever runs the tests
    (tmp_path / "id").chmod(0o755)
    environment = {"PATH": f"{tmp_path}:{os.environ['PATH']}", **settings}
    result = subprocess.run(["bash", str(DEPLOY / "install-server.sh")], env=environment, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "apt-get" not in result.stdout + result.stderr


@pytest.mark.slow
def test_a_real_hub_serves_a_learner_who_runs_notebook_06_and_the_panel(tmp_path):
    """The load test at one learner: deploy/jupyterhub_config.py on 127.0.0.1, a learner's server started by
    the hub, notebook 06 run in its kernel, the explorer's slider moved, the panel trained; nothing left running."""
    if shutil.which("npm") is None:
        pytest.skip("npm is needed for the hub's proxy (Debian/Ubuntu: apt-get install npm)")
    sys.path.insert(0, str(ROOT))
    import tasks

    tasks.npm_assets(DEPLOY)
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_classroom.py"), "--learners", "1",
                             "--json", str(tmp_path / "result.json")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [measured] = json.loads((tmp_path / "result.json").read_text())
    assert measured["errors"] == [] and measured["leftover processes"] == []
    for step in ("server start", "notebook 06", "round trip", "first curve", "panel run"):
        assert 0 < measured[step][0] < 600, (step, measured[step])


def test_no_text_cell_of_the_solutions_names_a_solution_marker():
    """nbgrader (0.9) takes any line containing "BEGIN SOLUTION" for the start of an answer region, in text cells
    too: a sentence naming the markers made `nbgrader generate_assignment` fail with "no end solution statement
    found" (INSTRUCTORS.md, "nbgrader")."""
    for path in sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, (path.name, text[:120])


@pytest.mark.slow
def test_nbgrader_makes_each_learners_sheet_from_the_solutions(tmp_path):
    """deploy/nbgrader/nbgrader_config.py with nbgrader 0.9.6 (installed into a throwaway environment, never the
    course's: its JupyterLab extensions would change the learners' JupyterLab): every answer region becomes
    nbgrader's stub, every cell tagged "solution" is gone, and no marker is left."""
    python = tmp_path / "env" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "env")], check=True)
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "nbgrader==0.9.6"], capture_output=True,
                             text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-2000:]
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(DEPLOY / "nbgrader" / "nbgrader_config.py", course)
    solutions = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
    for path in solutions:
        (course / "source" / f"lesson{path.name[:2]}").mkdir(parents=True)
        shutil.copy(path, course / "source" / f"lesson{path.name[:2]}" / path.name)
    env = dict(os.environ, PATH=f"{python.parent}{os.pathsep}{os.environ['PATH']}")
    for path in solutions:
        result = subprocess.run([str(python.parent / "nbgrader"), "generate_assignment", f"lesson{path.name[:2]}"],
                                cwd=course, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and "ERROR" not in result.stderr, result.stderr[-2000:]
        released = json.loads((course / "release" / f"lesson{path.name[:2]}" / path.name).read_text())
        original = json.loads(path.read_text())
        regions = sum("".join(cell["source"]).count("# BEGIN SOLUTION") for cell in original["cells"])
        stubs = sum("".join(cell["source"]).count("raise NotImplementedError()") for cell in released["cells"])
        assert stubs == regions, (path.name, stubs, regions)
        assert not any("solution" in cell["metadata"].get("tags", []) for cell in released["cells"]), path.name
        assert not any("SOLUTION" in "".join(cell["source"]) for cell in released["cells"]), path.name
        kept = [cell for cell in original["cells"] if "solution" not in cell["metadata"].get("tags", [])]
        assert len(released["cells"]) == len(kept), path.name
