#!/usr/bin/env bash
# zizmor (GitHub Actions security linter, PyPI), pinned, in a venv under ~/.cache so that the
# system Python stays untouched. Prints the path of the zizmor binary on its last line.
set -euo pipefail
ZIZMOR_VERSION="1.33.1"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/sapoche-zizmor-$ZIZMOR_VERSION"
if [ ! -x "$venv/bin/zizmor" ]; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "zizmor==$ZIZMOR_VERSION" >&2
fi
echo "$venv/bin/zizmor"
