#!/usr/bin/env bash
# Compiles the pack to bin/ (tsc, type-checked) unless bin/ is newer than every source file.
# Serialised with a lock: several previews may start the analyzer at once.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
stamp="bin/.compiled"
fresh() {
    [ -f "$stamp" ] && [ -z "$(find index.ts policies tsconfig.json tsconfig.build.json package.json \
        -newer "$stamp" -print -quit)" ]
}
fresh && exit 0
mkdir -p bin
exec 9>bin/.lock
flock 9
fresh && exit 0
rm -rf bin/policies bin/index.js
node node_modules/typescript/bin/tsc -p tsconfig.build.json
touch "$stamp"
