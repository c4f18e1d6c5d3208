#!/usr/bin/env bash
# Installs the Debian packages shelf builds with (as root), or prints the apt line to run.
# Usage: scripts/bootstrap.sh [extra-package...]
set -euo pipefail
packages=(cmake make g++ ccache libeigen3-dev libxsimd-dev catch2 libbenchmark-dev
          nlohmann-json3-dev libcli11-dev libfast-float-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "bootstrap: missing packages; run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
