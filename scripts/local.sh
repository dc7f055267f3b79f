#!/usr/bin/env bash
# Runs the real Pulumi CLI against the local control plane on a local file backend, from this
# checkout, installing what is missing first (pinned toolchain, node modules) and starting the
# control plane if it is not running. The stacks live in a sandbox copy under .local/ (ignored by
# git), so `pulumi stack init` never writes into the committed stack files.
#
# Usage: scripts/local.sh preview <stack>     policy-checked preview (the README's main command)
#        scripts/local.sh up <stack>          policy-checked update
#        scripts/local.sh pulumi <args...>    any pulumi command in the sandbox
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="${SAPOCHE_LOCAL_DIR:-$ROOT/.local}"
cd "$ROOT"

# shellcheck disable=SC1090
source "$(bash "$ROOT/scripts/toolchain.sh" --print-env | tail -n 1)"
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -d policy-pack/node_modules ] || npm ci --prefix policy-pack --no-audit --no-fund
bash "$ROOT/scripts/cluster.sh" status >/dev/null 2>&1 || bash "$ROOT/scripts/cluster.sh" up
export KUBECONFIG="${SAPOCHE_CLUSTER_DIR:-$HOME/.cache/sapoche-cluster}/kubeconfig"

# Fresh copy of the checkout's files; each stack's secrets salt survives in $LOCAL/salt/.
work="$LOCAL/work"
mkdir -p "$work" "$LOCAL/state" "$LOCAL/salt"
git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$work"
ln -sfn "$ROOT/node_modules" "$work/node_modules"
ln -sfn "$ROOT/policy-pack/node_modules" "$work/policy-pack/node_modules"
for salt in "$LOCAL"/salt/*; do
    [ -f "$salt" ] && printf 'encryptionsalt: %s\n' "$(cat "$salt")" >>"$work/Pulumi.$(basename "$salt").yaml"
done

export PULUMI_BACKEND_URL="file://$LOCAL/state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-local-only}"
# Type checking is `npm run lint`'s job (required on every pull request); the engine only
# transpiles, which makes each preview about 8 s (40 %) faster.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
cd "$work"

ensure_stack() {
    pulumi stack select "$1" --non-interactive 2>/dev/null || {
        pulumi stack init "$1" --non-interactive
        sed -n 's/^encryptionsalt: //p' "Pulumi.$1.yaml" >"$LOCAL/salt/$1"
    }
}

case "${1:-}" in
    preview)
        ensure_stack "$2"
        PREVIEW_OUT="$LOCAL/preview-$2.txt" SAPOCHE_PREVIEW_SUMMARY="${SAPOCHE_PREVIEW_SUMMARY:-1}" \
            bash scripts/preview.sh "$2"
        ;;
    up)
        ensure_stack "$2"
        pulumi up --stack "$2" --non-interactive --yes --policy-pack "${SAPOCHE_POLICY_PACK:-policy-pack/analyzer}" \
            --policy-pack-config "policy-pack/config/$2.json"
        ;;
    pulumi) shift; pulumi "$@" ;;
    *) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
