# Sourced by scripts/delivery/release.sh and rollback.sh: `--local` runs the command in
# scripts/local.sh's sandbox (pinned toolchain, local file backend, the stack's own local control
# plane, never the committed stack files); otherwise a Pulumi backend must be configured, so that
# nothing falls back to an interactive Pulumi Cloud login halfway through a release.
# Usage: run_locally_or_require_backend <release|rollback> "$@"
run_locally_or_require_backend() {
    local cmd="$1" a rest=() local_run=0
    shift
    for a in "$@"; do
        if [ "$a" = --local ]; then local_run=1; else rest+=("$a"); fi
    done
    if [ "$local_run" = 1 ]; then
        exec bash "$ROOT/scripts/local.sh" "$cmd" "${rest[@]}"
    fi
    if [ -z "${PULUMI_BACKEND_URL:-}" ] &&
        ! { command -v pulumi >/dev/null 2>&1 && pulumi whoami --non-interactive >/dev/null 2>&1; }; then
        echo "$cmd: no Pulumi backend (PULUMI_BACKEND_URL is unset and pulumi is not logged in); nothing was run." >&2
        echo "For a $cmd against the local control plane: npm run $cmd -- --local $*" >&2
        exit 2
    fi
}
