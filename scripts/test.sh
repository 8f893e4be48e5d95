#!/usr/bin/env bash
# The test command: installs what the tests need, then runs the whole suite.
# Services (dockerd, MariaDB, Ceph radosgw) are started by the pytest session
# fixtures and stopped when the suite ends.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(docker.io iptables mariadb-server ceph-mon ceph-osd radosgw busybox-static openssh-server
              nginx-light systemd tmux openssl ca-certificates zsh fish man-db bash-completion)
APT_PACKAGES+=(podman uidmap slirp4netns fuse-overlayfs catatonit)  # the Podman tests, rootless too
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'   # the pinned versions CI tests

.venv/bin/ruff check wbtui tests benchmarks scripts
.venv/bin/lint-imports --no-cache   # the layers and import rules in pyproject.toml
.venv/bin/mypy                      # all of wbtui, the core packages strictly (pyproject.toml)
exec .venv/bin/python -m pytest "$@"
