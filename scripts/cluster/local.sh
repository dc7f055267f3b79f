#!/usr/bin/env bash
# Runs the real Pulumi CLI against a local control plane on a local file backend, from this
# checkout, installing what is missing first (pinned toolchain, node modules). Each stack has its
# own control plane (staging and production1 never share objects, as their real clusters do not),
# started when it is not running, and each stack is bound to it: its kube-system uid is written
# into the sandbox's stack file (stacks/cluster.ts). The stacks live in a sandbox copy under
# .local/ (ignored by git), so neither `pulumi stack init` nor a release ever writes into the
# committed stack files. One backend serves both stacks: production1's promotion gate reads
# staging's outputs there.
#
# Usage: scripts/cluster/local.sh preview <stack>              policy-checked preview (the README's main command)
#        scripts/cluster/local.sh up <stack>                   policy-checked update, no saved plan
#        scripts/cluster/local.sh release <release.sh args>    scripts/delivery/release.sh in the sandbox (--stack required)
#        scripts/cluster/local.sh rollback <rollback.sh args>  scripts/delivery/rollback.sh in the sandbox (--stack required)
#        scripts/cluster/local.sh pulumi <stack> <args...>     any pulumi command in the sandbox, on that stack's cluster
#        scripts/cluster/local.sh down <stack>                 stop that stack's control plane
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="${SAPOCHE_LOCAL_DIR:-$ROOT/.local}"
# The terminal is kept for the release's typed confirmation only (fd 3): nothing set up below
# (toolchain, control plane, stack init) can read, and swallow, what the operator types.
exec 3<&0 </dev/null
cd "$ROOT"

usage() { sed -n '11,16p' "${BASH_SOURCE[0]}"; exit 2; }
cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
    preview|up|pulumi|down) stack="${1:-}"; [ -n "$stack" ] || usage ;;
    release|rollback)
        stack=""
        args=("$@")
        for i in "${!args[@]}"; do [ "${args[$i]}" = --stack ] && stack="${args[$((i + 1))]:-}"; done
        [ -n "$stack" ] || { echo "local.sh $cmd: --stack <stack> is required" >&2; exit 2; }
        ;;
    *) usage ;;
esac
case "$stack" in *[!a-z0-9-]*|'') echo "local.sh: not a stack name: $stack" >&2; exit 2 ;; esac

# A control plane per stack, on its own ports; SAPOCHE_CLUSTER_DIR (with SAPOCHE_*_PORT) picks one.
# SAPOCHE_LOCAL_CLUSTERS (their parent folder) and SAPOCHE_LOCAL_PORT_OFFSET move all of them at
# once, so a second set (the e2e suite's) never meets a developer's.
if [ -z "${SAPOCHE_CLUSTER_DIR:-}" ]; then
    case "$stack" in staging) offset=100 ;; production1) offset=200 ;; *) offset=300 ;; esac
    offset=$((offset + ${SAPOCHE_LOCAL_PORT_OFFSET:-0}))
    export SAPOCHE_CLUSTER_DIR="${SAPOCHE_LOCAL_CLUSTERS:-$HOME/.cache}/sapoche-cluster-$stack"
    export SAPOCHE_APISERVER_PORT=$((6443 + offset)) SAPOCHE_ETCD_PORT=$((2379 + offset))
    export SAPOCHE_KCM_PORT=$((10257 + offset)) SAPOCHE_SCHEDULER_PORT=$((10259 + offset))
fi
if [ "$cmd" = down ]; then exec bash "$ROOT/scripts/cluster/cluster.sh" down; fi

# shellcheck disable=SC1090
source "$(bash "$ROOT/scripts/toolchain/toolchain.sh" --print-env | tail -n 1)"
# shellcheck source=scripts/lib/engine.sh
source "$ROOT/scripts/lib/engine.sh"
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -d policy-pack/node_modules ] || npm ci --prefix policy-pack --no-audit --no-fund
bash "$ROOT/scripts/cluster/cluster.sh" status >/dev/null 2>&1 || bash "$ROOT/scripts/cluster/cluster.sh" up
export KUBECONFIG="$SAPOCHE_CLUSTER_DIR/kubeconfig"

# Fresh copy of the checkout's files; each stack's secrets salt and cluster binding survive in
# $LOCAL/salt/ and $LOCAL/cluster/.
work="$LOCAL/work"
mkdir -p "$work" "$LOCAL/state" "$LOCAL/salt" "$LOCAL/cluster"
git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$work"
ln -sfn "$ROOT/node_modules" "$work/node_modules"
ln -sfn "$ROOT/policy-pack/node_modules" "$work/policy-pack/node_modules"
for salt in "$LOCAL"/salt/*; do
    [ -f "$salt" ] && printf 'encryptionsalt: %s\n' "$(cat "$salt")" >>"$work/Pulumi.$(basename "$salt").yaml"
done
# The sandbox's stack files are bound to their local control planes, never the committed ones.
kubectl get namespace kube-system -o jsonpath='{.metadata.uid}' >"$LOCAL/cluster/$stack"
for binding in "$LOCAL"/cluster/*; do
    file="$work/Pulumi.$(basename "$binding").yaml"
    [ -f "$file" ] && sed -i "s/^\( *sapoche-stack:clusterUid: \).*\$/\1$(cat "$binding")/" "$file"
done

# Nothing of the stacks is live on a local control plane: a stack file whose adoption stands at an
# earlier phase (production1: import) starts at done here, as a new stack with nothing to adopt
# does (docs/operations/adoption.md, "Phase history"), with the pack config for that phase.
# The same edit as the e2e sandboxes' (lib/sandbox-stacks.ts), so the phases are listed once.
# Likewise each image tag is pinned to a local digest (kwok pulls nothing; production1's pack
# refuses tags), in this copy only.
(cd "$work" && node -r ts-node/register/transpile-only -e '
    const stacks = require("./lib/sandbox-stacks");
    if (stacks.pinStackFiles("."))
        console.error("local.sh: images pinned to local digests (sha256 of \"local:<tag>\") in this copy");
    if (stacks.startAtDone("."))
        console.error("local.sh: adoption.phase is done on this local control plane (nothing live to adopt)");
')

export PULUMI_BACKEND_URL="file://$LOCAL/state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-local-only}"
# Type checking is `npm run lint`'s job (required on every pull request); the engine only
# transpiles, which makes each preview about 8 s (40 %) faster.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
cd "$work"
# The engine runs the program compiled ahead of it (scripts/lib/compiled-program.sh).
SAPOCHE_COMPILED_PROGRAM="$(bash scripts/lib/compiled-program.sh)"; export SAPOCHE_COMPILED_PROGRAM

ensure_stack() {
    pulumi stack select "$1" --non-interactive 2>/dev/null || {
        pulumi stack init "$1" --non-interactive
        sed -n 's/^encryptionsalt: //p' "Pulumi.$1.yaml" >"$LOCAL/salt/$1"
    }
}

echo "local.sh: stack $stack on its own control plane ($SAPOCHE_CLUSTER_DIR, kube-system uid $(cat "$LOCAL/cluster/$stack")), backend $PULUMI_BACKEND_URL" >&2
# Not at the terminal: the CLI queries a terminal it writes to (colours), and would read the
# answer, or the operator's typed confirmation, from it.
if ! ensure_stack "$stack" >"$LOCAL/stack-$stack.log" 2>&1; then
    cat "$LOCAL/stack-$stack.log" >&2
    exit 1
fi
case "$cmd" in
    preview)
        PREVIEW_OUT="$LOCAL/preview-$stack.txt" SAPOCHE_PREVIEW_SUMMARY="${SAPOCHE_PREVIEW_SUMMARY:-1}" \
            bash scripts/delivery/preview.sh "$stack"
        ;;
    up)
        pulumi up --stack "$stack" --non-interactive --yes --parallel "$SAPOCHE_PULUMI_PARALLEL" --policy-pack "${SAPOCHE_POLICY_PACK:-policy-pack/analyzer}" \
            --policy-pack-config "policy-pack/config/$stack.json"
        ;;
    # The sandbox's own scripts, so their paths (stack files, pack config) are the sandbox's.
    release) SAPOCHE_LOCAL_SANDBOX=1 SAPOCHE_RELEASE_DIR="${SAPOCHE_RELEASE_DIR:-$LOCAL/releases}" \
        bash scripts/delivery/release.sh "${args[@]}" <&3 ;;
    rollback) SAPOCHE_LOCAL_SANDBOX=1 bash scripts/delivery/rollback.sh "${args[@]}" <&3 ;;
    pulumi) shift; pulumi "$@" ;;
esac
