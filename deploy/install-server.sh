#!/usr/bin/env bash
# One server for a class (Debian 12 or Ubuntu 24.04, or 22.04 with Node.js 18+; systemd), from the course's checkout:
#
#     sudo NN_COURSE_PASSWORD='the class password' bash deploy/install-server.sh
#
# Installs the course once in /opt/nn-course (its own Python environment: the course, JupyterHub, the idle
# culler and the systemd spawner; the proxy from npm), builds the shared read-only MNIST cache in
# /srv/nn-course/mnist-cache, writes the settings to /etc/nn-course.env and starts the hub as the systemd
# service nn-course-hub on port 8000. Run it again after `git pull` to update. INSTRUCTORS.md explains each step.
set -euo pipefail

ENV_FILE=/etc/nn-course.env
fail() { echo "install-server.sh: $*" >&2; exit 1; }
# the settings first, before anything is installed: on the first install the class password is required, and
# JupyterHub's rules for it and for the admins' password are checked here (a later run keeps $ENV_FILE: edit
# that file and `systemctl restart nn-course-hub` to change a password)
if [ ! -f "$ENV_FILE" ]; then
    LANGUAGE="${NN_COURSE_LANGUAGE:-en}"
    [[ "$LANGUAGE" =~ ^(en|zh)$ ]] || fail "NN_COURSE_LANGUAGE: expected 'en' (English) or 'zh' (the Chinese edition), got '$LANGUAGE'"
    PASSWORD="${NN_COURSE_PASSWORD:-}"
    [ "${#PASSWORD}" -ge 8 ] || fail "NN_COURSE_PASSWORD: expected the class password, 8 characters or more, got ${#PASSWORD}"
    if [ -n "${NN_COURSE_ADMINS:-}" ]; then
        for name in ${NN_COURSE_ADMINS//,/ }; do
            [[ "$name" =~ ^[a-z][a-z0-9-]{0,19}$ ]] \
                || fail "NN_COURSE_ADMINS: expected names of lowercase letters, digits and '-', a letter first, at most 20 characters, got '$name'"
        done
        ADMIN_PASSWORD="${NN_COURSE_ADMIN_PASSWORD:-}"
        [ "${#ADMIN_PASSWORD}" -ge 32 ] && [ "$ADMIN_PASSWORD" != "$PASSWORD" ] \
            || fail "NN_COURSE_ADMIN_PASSWORD: expected 32 characters or more (JupyterHub's rule for admins), not the class password"
    fi
    for value in "$PASSWORD" "${NN_COURSE_ADMINS:-}" "${NN_COURSE_ADMIN_PASSWORD:-}"; do
        case "$value" in *'"'*|*'\'*|*$'\n'*) fail "the settings: expected no double quote, backslash or line break (they go into $ENV_FILE), got one";; esac
    done
elif [ -n "${NN_COURSE_PASSWORD:-}" ]; then
    echo "install-server.sh: $ENV_FILE exists and is kept: NN_COURSE_PASSWORD is ignored (edit that file to change it)" >&2
fi
[ "$(id -u)" = 0 ] || fail "run it as root (sudo)"
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
COURSE=/opt/nn-course
STATE=/srv/nn-course

apt-get update -qq
# fonts-noto-cjk: the Chinese edition's figures are drawn in Chinese only where a Chinese font is installed
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv rsync fonts-noto-cjk
# npm from the system's packages, unless Node.js is installed already (NodeSource's nodejs brings its own npm
# and conflicts with the system's)
command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm
# the proxy (configurable-http-proxy 4.6.3 and its packages) needs Node.js 18 or later: Debian 12 and Ubuntu 24.04
# have it; Ubuntu 22.04's is 12
NODE_MAJOR="$(node --version | sed 's/^v\([0-9]*\).*/\1/')"
[ "$NODE_MAJOR" -ge 18 ] || fail "the proxy needs Node.js 18 or later, this system's is $(node --version): install a newer one (for example from NodeSource) and run this again"

mkdir -p "$COURSE"
install -d -m 700 "$STATE/hub"
rsync -a --delete --exclude .git --exclude .venv --exclude node_modules --exclude my-work --exclude build \
      --exclude env --exclude data/mnist/cache "$SOURCE/" "$COURSE/"
python3 -m venv "$COURSE/env"
"$COURSE/env/bin/pip" install --quiet --upgrade pip
"$COURSE/env/bin/pip" install --quiet -e "$COURSE[hub]" jupyterhub-systemdspawner
npm ci --prefix "$COURSE/deploy" --ignore-scripts --no-audit --no-fund --loglevel=error

# the shared data: built once, then read-only for every learner
chmod -R u+w "$STATE/mnist-cache" 2>/dev/null || true
"$COURSE/env/bin/python" -m lesson_lib.build_mnist_cache "$STATE/mnist-cache"
chmod -R a+rX,a-w "$STATE/mnist-cache"
chmod -R a+rX "$COURSE"

if [ ! -f "$ENV_FILE" ]; then
    install -m 600 /dev/null "$ENV_FILE"
    {
        echo "NN_COURSE_PASSWORD=\"$PASSWORD\""
        echo "NN_COURSE_STATE=$STATE/hub"
        echo "NN_COURSE_DATA_CACHE=$STATE/mnist-cache"
        echo "NN_COURSE_LANGUAGE=${LANGUAGE}"
        if [ -n "${NN_COURSE_ADMINS:-}" ]; then
            echo "NN_COURSE_ADMINS=\"$NN_COURSE_ADMINS\""
            echo "NN_COURSE_ADMIN_PASSWORD=\"$ADMIN_PASSWORD\""
        fi
    } >> "$ENV_FILE"
fi
install -m 644 "$COURSE/deploy/nn-course-hub.service" /etc/systemd/system/nn-course-hub.service
systemctl daemon-reload
systemctl enable --now nn-course-hub
systemctl restart nn-course-hub
# the hub answers within a minute, or the install says so and where to look
for _ in $(seq 60); do
    if "$COURSE/env/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/hub/health', timeout=2)" 2>/dev/null; then
        echo "The hub runs on port 8000 (systemctl status nn-course-hub). Put HTTPS in front of it (INSTRUCTORS.md)."
        exit 0
    fi
    sleep 1
done
fail "the hub did not answer on port 8000 within a minute: see journalctl -u nn-course-hub"
