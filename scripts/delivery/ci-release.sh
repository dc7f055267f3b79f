#!/usr/bin/env bash
# A workflow's release or rollback of one stack: the kubeconfig from KUBECONFIG_DATA (a file that
# lives only as long as this script), the reason from ALLOW_DATA_RISK when a run was dispatched
# with one, then release.sh (or, with --rollback <rev>, rollback.sh), from this folder.
#   scripts/delivery/ci-release.sh <stack> [release.sh options]
#   scripts/delivery/ci-release.sh <stack> --rollback <revision> [release.sh options]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stack="${1:?stack}"
shift
: "${AWS_REGION:?set the repository variable STATE_BUCKET_REGION (region of the state bucket)}"
# One path for every job of a run: the provider records the KUBECONFIG path among its inputs,
# so a path that differs between the plan job and the apply job makes the saved plan stale
# (exit 3) although nothing changed. RUNNER_TEMP is the same folder in every job of a runner;
# elsewhere the checkout's .local/ (ignored by git). Only this user can read it.
KUBECONFIG="${RUNNER_TEMP:-$here/../../.local}/kubeconfig-$stack"
export KUBECONFIG
mkdir -p "$(dirname "$KUBECONFIG")"
trap 'rm -f "$KUBECONFIG"' EXIT
(umask 077 && printf '%s' "${KUBECONFIG_DATA:?}" >"$KUBECONFIG")
risk=()
[ -n "${ALLOW_DATA_RISK:-}" ] && risk=(--allow-data-risk "$ALLOW_DATA_RISK")
if [ "${1:-}" = --rollback ]; then
    to="${2:?revision}"
    shift 2
    bash "$here/rollback.sh" --stack "$stack" --to "$to" "${risk[@]}" "$@"
    exit 0
fi
bash "$here/release.sh" --stack "$stack" "${risk[@]}" "$@"
