#!/usr/bin/env bash
# End-to-end tests: the real Pulumi CLI, language host and Kubernetes provider, with the policy
# pack, against the local control plane. Installs what is missing (toolchain, node modules),
# starts the control plane, runs test/e2e, and stops the control plane again unless it was
# already running before (so a developer's cluster survives).
#
# Usage: scripts/e2e.sh [mocha args...]        (npm run test:e2e)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck disable=SC1090
source "$(bash "$ROOT/scripts/toolchain.sh" --print-env | tail -n 1)"
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -d policy-pack/node_modules ] || npm ci --prefix policy-pack --no-audit --no-fund

started=0
if ! bash "$ROOT/scripts/cluster.sh" status >/dev/null 2>&1; then
    bash "$ROOT/scripts/cluster.sh" up
    started=1
fi
stop() { [ "$started" = 1 ] && bash "$ROOT/scripts/cluster.sh" down || true; }
trap stop EXIT

export KUBECONFIG="${SAPOCHE_CLUSTER_DIR:-$HOME/.cache/sapoche-cluster}/kubeconfig"
# The local file backend only locks stacks when asked to (concurrent updates must be refused).
export PULUMI_SELF_MANAGED_STATE_LOCKING=1
npx mocha --config .mocharc.e2e.json "$@"
