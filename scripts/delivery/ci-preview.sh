#!/usr/bin/env bash
# The pull-request preview of one stack ($STACK), as pull-request.yml runs it in the stack's
# preview environment; its output goes to $RUNNER_TEMP/preview for the comment job.
#   scripts/delivery/ci-preview.sh                       policy-checked preview, plan saved
#   scripts/delivery/ci-preview.sh --summaries <outcome> the preview's and the plan's summaries
# The kubeconfig comes in KUBECONFIG_DATA and lives only as long as this script.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TS_NODE=(node -r ts-node/register/transpile-only)
: "${STACK:?}" "${RUNNER_TEMP:?}"
out="$RUNNER_TEMP/preview"
mkdir -p "$out"

if [ "${1:-}" = --summaries ]; then
    printf '%s\n' "${2:-unknown}" >"$out/outcome.txt"
    if [ -f "$out/preview.txt" ]; then
        # The preview step's outcome makes a failed run read as failed; the summary is written
        # either way (the preview step already failed the job).
        "${TS_NODE[@]}" "$here/preview-summary.ts" "$out/preview.txt" --outcome "${2:-unknown}" >"$out/summary.txt" || true
    fi
    if [ -f "$RUNNER_TEMP/plan.json" ]; then
        # The release guard's verdict as release.sh will give it, judged against the state.
        state=()
        [ -f "$RUNNER_TEMP/state.json" ] && state=(--state "$RUNNER_TEMP/state.json")
        "${TS_NODE[@]}" "$here/saved-plan.ts" summary "$RUNNER_TEMP/plan.json" "${state[@]}" >"$out/plan-summary.txt"
    fi
    exit 0
fi

: "${AWS_REGION:?set the repository variable STATE_BUCKET_REGION (region of the state bucket)}"
KUBECONFIG="$(mktemp)"
export KUBECONFIG
trap 'rm -f "$KUBECONFIG"' EXIT
printf '%s' "${KUBECONFIG_DATA:?}" >"$KUBECONFIG"
extra=()
if [ "$STACK" = production1 ]; then
    # What the gate says today, against what staging has really run so far: images of this pull
    # request are expected here (staging runs them once it merges). Staging's outputs are read
    # with production1's passphrase: its plain outputs need none (secret ones stay hidden).
    # A report only: its failure leaves the report out of the comment, not the preview.
    if pulumi stack output --stack staging --json >"$RUNNER_TEMP/staging-outputs.json" &&
        npm run -s render -- production1 --out "$RUNNER_TEMP/gate-now" \
            --promotion-source "$RUNNER_TEMP/staging-outputs.json" >/dev/null; then
        cp "$RUNNER_TEMP/gate-now/promotion-gate.txt" "$out/promotion-gate-now.txt"
    else
        echo "::warning::could not evaluate production1's gate against staging's outputs"
    fi
    # The real preview (diff against the cluster, policy pack) with the gate off, from a copy of
    # the stack file outside the checkout; main's plan uses the committed file.
    "${TS_NODE[@]}" "$here/lib/without-promotion-gate.ts" production1 "$RUNNER_TEMP/Pulumi.production1.yaml"
    extra=(--config-file "$RUNNER_TEMP/Pulumi.production1.yaml")
fi
# Outside the uploaded directory: the state stays on the runner (its secrets are encrypted).
pulumi stack export --stack "$STACK" --file "$RUNNER_TEMP/state.json" --non-interactive ||
    echo "::warning::could not export $STACK's state: the plan summary judges updates without it"
PULUMI_EXPERIMENTAL=true PREVIEW_OUT="$out/preview.txt" \
    bash "$here/preview.sh" "$STACK" --save-plan "$RUNNER_TEMP/plan.json" "${extra[@]}"
