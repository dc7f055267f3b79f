#!/usr/bin/env bash
# The gate every preview goes through, locally and in CI: `pulumi preview` of one stack with the
# policy pack and that stack's policy config. Fails on a mandatory policy violation (pulumi exits
# non-zero) and on a preview that could not reach the cluster (the provider only warns then).
#
# Usage: scripts/delivery/preview.sh <stack> [extra pulumi preview args...]
# The pack is given as its executable launcher (policy-pack/analyzer: precompiled, works with the
# CLI + Node host pair built here); SAPOCHE_POLICY_PACK=policy-pack gives the directory instead.
# Writes the full preview to ${PREVIEW_OUT:-preview-<stack>.txt} as well as to the terminal; with
# SAPOCHE_PREVIEW_SUMMARY=1 (what `npm run preview:local` uses) the terminal gets a summary instead.
set -euo pipefail
stack="${1:?usage: scripts/delivery/preview.sh <stack> [pulumi preview args...]}"
shift
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${PREVIEW_OUT:-preview-$stack.txt}"
# Type checking is `npm run lint`'s job (required on every pull request); the engine only
# transpiles, which makes each preview about 8 s (40 %) faster.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
# The engine runs the program compiled ahead of it (scripts/lib/compiled-program.sh).
SAPOCHE_COMPILED_PROGRAM="$(bash "$ROOT/scripts/lib/compiled-program.sh")"; export SAPOCHE_COMPILED_PROGRAM
# shellcheck source=scripts/lib/engine.sh
source "$ROOT/scripts/lib/engine.sh"

# The pack checks the adoption phase its config names: refuse one generated for another phase.
if [ -f "$ROOT/Pulumi.$stack.yaml" ] && [ -f "$ROOT/policy-pack/config/$stack.json" ]; then
    node -r ts-node/register/transpile-only "$ROOT/scripts/delivery/adoption-phase.ts" "$ROOT/Pulumi.$stack.yaml" "$ROOT/policy-pack/config/$stack.json"
fi

preview() {
    pulumi preview --stack "$stack" --non-interactive --diff --parallel "$SAPOCHE_PULUMI_PARALLEL" \
        --policy-pack "$ROOT/${SAPOCHE_POLICY_PACK:-policy-pack/analyzer}" \
        --policy-pack-config "$ROOT/policy-pack/config/$stack.json" "$@"
}
set +e
if [ "${SAPOCHE_PREVIEW_SUMMARY:-0}" = 1 ]; then
    # A person at a terminal reads a summary; the full --diff (thousands of lines) stays in $out.
    preview "$@" >"$out" 2>&1
    rc=$?
    # Never a clean-looking summary of a failed run: the summary gets the exit code to show, and
    # an output it cannot read as complete fails the gate even when the engine exited 0.
    if ! node -r ts-node/register/transpile-only "$ROOT/scripts/delivery/preview-summary.ts" "$out" --exit-code "$rc" && [ "$rc" = 0 ]; then
        rc=1
    fi
else
    preview "$@" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
fi
set -e
if grep -qiE 'cluster (is )?unreachable|unable to (load|reach) .*cluster|failed to read kubeconfig' "$out"; then
    echo "preview.sh: the preview of $stack could not reach the cluster; failing" >&2
    exit 1
fi
exit "$rc"
