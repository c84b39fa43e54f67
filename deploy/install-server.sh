#!/usr/bin/env bash
# One server for a class (Debian 12 or Ubuntu 22.04 and later, with systemd), from the course's checkout:
#
#     sudo NN_COURSE_PASSWORD='the class password' bash deploy/install-server.sh
#
# Installs the course once in /opt/nn-course (its own Python environment: the course, JupyterHub, the idle
# culler and the systemd spawner; the proxy from npm), builds the shared read-only MNIST cache in
# /srv/nn-course/mnist-cache, writes the settings to /etc/nn-course.env and starts the hub as the systemd
# service nn-course-hub on port 8000. Run it again after `git pull` to update. INSTRUCTORS.md explains each step.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "install-server.sh: run it as root (sudo)" >&2; exit 1; }
[ "${#NN_COURSE_PASSWORD}" -ge 8 ] || { echo "install-server.sh: set NN_COURSE_PASSWORD (8 characters or more)" >&2; exit 1; }
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
COURSE=/opt/nn-course
STATE=/srv/nn-course

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv npm rsync

mkdir -p "$COURSE" "$STATE/hub"
rsync -a --delete --exclude .git --exclude .venv --exclude node_modules --exclude my-work --exclude build \
      --exclude env --exclude data/mnist/cache "$SOURCE/" "$COURSE/"
python3 -m venv "$COURSE/env"
"$COURSE/env/bin/pip" install --quiet --upgrade pip
"$COURSE/env/bin/pip" install --quiet -e "$COURSE[hub]" jupyterhub-systemdspawner
npm ci --prefix "$COURSE/deploy" --ignore-scripts --no-audit --no-fund --loglevel=error

# the shared data: built once, then read-only for every learner
chmod -R u+w "$STATE/mnist-cache" 2>/dev/null || true
"$COURSE/env/bin/python" -m lesson_lib.data "$STATE/mnist-cache"
chmod -R a+rX,a-w "$STATE/mnist-cache"
chmod -R a+rX "$COURSE"

if [ ! -f /etc/nn-course.env ]; then
    install -m 600 /dev/null /etc/nn-course.env
    {
        echo "NN_COURSE_PASSWORD=$NN_COURSE_PASSWORD"
        echo "NN_COURSE_STATE=$STATE/hub"
        echo "NN_COURSE_DATA_CACHE=$STATE/mnist-cache"
        if [ -n "${NN_COURSE_ADMINS:-}" ]; then
            echo "NN_COURSE_ADMINS=$NN_COURSE_ADMINS"
            echo "NN_COURSE_ADMIN_PASSWORD=${NN_COURSE_ADMIN_PASSWORD:?set NN_COURSE_ADMIN_PASSWORD for the admins}"
        fi
    } >> /etc/nn-course.env
fi
install -m 644 "$COURSE/deploy/nn-course-hub.service" /etc/systemd/system/nn-course-hub.service
systemctl daemon-reload
systemctl enable --now nn-course-hub
systemctl restart nn-course-hub
echo "The hub runs on port 8000 (systemctl status nn-course-hub). Put HTTPS in front of it (INSTRUCTORS.md)."
