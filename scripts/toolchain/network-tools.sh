#!/usr/bin/env bash
# Installs np-guard's network-config-analyzer (`nca`), the NetworkPolicy analyzer the reachability
# tests run for real (design.md, "Behaviour, not only shape"; npm run test:network), from PyPI,
# pinned, into its own virtualenv so that no system Python package is touched.
#
# Idempotent: a venv that already runs the pinned version is left alone. Prints, as its last line,
# the path of the `nca` executable (the tests read it from SAPOCHE_NCA or from this path).
#
# Usage: scripts/toolchain/network-tools.sh            install if needed, print the nca path
#        scripts/toolchain/network-tools.sh --print    print the nca path only (no install)
# Environment: SAPOCHE_NETWORK_HOME (default ~/.cache/sapoche-network), PYTHON (default python3).
set -euo pipefail

# Pinned: the tests parse its connectivity report (csv), whose shape may change between versions.
NCA_VERSION="2.1.0"

home="${SAPOCHE_NETWORK_HOME:-$HOME/.cache/sapoche-network}"
venv="$home/venv-nca-$NCA_VERSION"
nca="$venv/bin/nca"

die() {
    printf 'network-tools: %s\n' "$*" >&2
    exit 1
}

if [ "${1:-}" = "--print" ]; then
    echo "$nca"
    exit 0
fi

installed_version() {
    "$venv/bin/python" -c \
        'import importlib.metadata as m; print(m.version("network-config-analyzer"))' 2>/dev/null
}

if [ -x "$nca" ] && [ "$(installed_version)" = "$NCA_VERSION" ]; then
    echo "network-tools: network-config-analyzer $NCA_VERSION present" >&2
    echo "$nca"
    exit 0
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || die "no $python: install Python 3.9+ (apt-get install python3 python3-venv)"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
    die "$python is older than 3.9; network-config-analyzer $NCA_VERSION needs 3.9+"

echo "network-tools: installing network-config-analyzer $NCA_VERSION into $venv" >&2
# A half-built venv from an interrupted run is rebuilt from scratch.
rm -rf "$venv"
mkdir -p "$home"
"$python" -m venv "$venv" ||
    die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "network-config-analyzer==$NCA_VERSION" >&2 ||
    die "pip install network-config-analyzer==$NCA_VERSION failed (is PyPI reachable?)"
[ "$(installed_version)" = "$NCA_VERSION" ] ||
    die "installed, but the venv does not report network-config-analyzer $NCA_VERSION"
"$nca" --version >/dev/null 2>&1 || die "$nca does not run"
echo "network-tools: installed network-config-analyzer $NCA_VERSION" >&2
echo "$nca"
