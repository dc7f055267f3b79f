#!/usr/bin/env bash
# Runs a command with the real toolchain on PATH and the local control plane up: installs what
# is missing (pinned toolchain, node modules), starts the control plane, runs the command, and
# stops the control plane again unless it was already running (a developer's cluster survives).
#
# Usage: scripts/cluster/with-cluster.sh <command...>
#   npm run test:e2e    = scripts/cluster/with-cluster.sh mocha --config .mocharc.e2e.json
#   npm run bench:e2e   = scripts/cluster/with-cluster.sh node scripts/bench/bench-e2e.ts
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# shellcheck disable=SC1090
source "$(bash "$ROOT/scripts/toolchain/toolchain.sh" --print-env | tail -n 1)"
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -d policy-pack/node_modules ] || npm ci --prefix policy-pack --no-audit --no-fund

started=0
if ! bash "$ROOT/scripts/cluster/cluster.sh" status >/dev/null 2>&1; then
    bash "$ROOT/scripts/cluster/cluster.sh" up
    started=1
fi
stop() { if [ "$started" = 1 ]; then bash "$ROOT/scripts/cluster/cluster.sh" down; fi; }
trap stop EXIT
# A signal ends the script through `exit`, so the EXIT trap stops the plane it started.
trap 'exit 130' INT
trap 'exit 143' TERM

export KUBECONFIG="${SAPOCHE_CLUSTER_DIR:-$HOME/.cache/sapoche-cluster}/kubeconfig"
# Type checking is `npm run lint`'s job (required on every pull request); the engine only
# transpiles, which makes each preview about 8 s (40 %) faster.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
"$@"
