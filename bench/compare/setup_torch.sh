#!/usr/bin/env bash
# GluonTS's DeepAR, the forecaster's peer: a virtual environment at build/peers-torch over
# Debian's Python with its CPU build of torch (python3-torch, numpy, pandas), holding the releases
# pinned in bench/compare/requirements-torch.txt, installed without dependencies so that pip
# never fetches the index's CUDA torch.
#
#   bash bench/compare/setup_torch.sh   then build/peers-torch/bin/python bench/compare/deepar_m4_gluonts.py
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=$root/build/peers-torch

if ! /usr/bin/python3 -c 'import torch, numpy, pandas, scipy' 2>/dev/null; then
  if [ "$(id -u)" != 0 ]; then echo "not root: run apt-get install python3-torch python3-pandas python3-scipy python3-venv as root" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch python3-pandas python3-scipy python3-venv >/dev/null
fi
rm -rf "$venv"
/usr/bin/python3 -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check -q --no-deps --retries 2 --timeout 30 \
  -r "$root/bench/compare/requirements-torch.txt"
"$venv/bin/python" -c 'import importlib.metadata as m, torch; print("torch", torch.__version__, "gluonts", m.version("gluonts"), "lightning", m.version("lightning"))'
