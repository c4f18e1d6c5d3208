#!/usr/bin/env bash
# The peers that bench/compare/*.py measure shelf against: a virtual environment at build/peers
# holding the releases pinned in bench/compare/requirements.txt. Where the package index cannot
# be reached, build/peers is made over Debian's /usr/bin/python3 and its packages instead
# (older releases, no LightGBM, USearch, myFM, scikit-surprise, rrcf or river), with the marker
# build/peers/DEBIAN_FALLBACK that peers.py reads to label every result "Debian fallback".
#
#   bash bench/compare/setup.sh        then run the compare scripts with build/peers/bin/python
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=$root/build/peers
marker=$venv/DEBIAN_FALLBACK

apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "not root: run apt-get install $* as root" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
if [ -e "$marker" ]; then rm -rf "$venv"; fi  # an earlier fallback: try the index again
python3 -m venv "$venv"
echo "installing bench/compare/requirements.txt into build/peers (hnswlib compiles: minutes)"
if ! log=$("$venv/bin/python" -m pip install --disable-pip-version-check -q --retries 2 --timeout 20 \
             -r "$root/bench/compare/requirements.txt" 2>&1); then
  printf 'pip failed:\n%s\n' "$log"
  echo "Falling back to Debian's packages for /usr/bin/python3; results are labelled \"Debian fallback\"."
  # libopenblas0-pthread: else numpy, scipy and faiss get Debian's reference BLAS (libblas3)
  apt_install python3-venv python3-xgboost python3-sklearn python3-faiss python3-hnswlib python3-numpy \
    python3-scipy python3-pandas python3-matplotlib python3-threadpoolctl libopenblas0-pthread
  rm -rf "$venv"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  printf '%s\n' "$log" >"$marker"
fi

# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, where this machine's environment sets them, pin OpenBLAS
# to one kernel and cache size and can slow a current numpy: benchmarks run without them.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$root/bench/compare/peers.py"
echo
echo "Run benchmarks as: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/<script>.py ..."
echo "(this shell has OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset});"
echo "the 'kernels' part above (threadpoolctl) says which OpenBLAS kernel each library actually runs:"
echo "each OpenBLAS copy picks its own (see bench/compare/peers.py)."
