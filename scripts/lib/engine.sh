# Sourced by every script that runs the engine on a stack (preview.sh, release.sh, local.sh) and
# read by lib/sandbox.ts: how many resource operations the engine runs at once.
#
# The CLI's own default is 4 x the machine's CPUs (8 on a 2-core runner, 16 on a 4-core one), so a
# release's pace would depend on whichever runner picked it up. 64 rolls every Deployment of the
# namespace at once. That is safe here because every rollout surges with maxUnavailable 0 (no
# ready pod goes before its replacement is ready, components/shared/workload.ts) and the
# ResourceQuota is sized for every workload at its maximum plus its surge (stacks/capacity.ts).
# Measured on the local control plane: production1 from empty in 53 s at 64, 166 s at 8.
# SAPOCHE_PULUMI_PARALLEL overrides it for one run (1 rolls one object at a time).
SAPOCHE_PULUMI_PARALLEL="${SAPOCHE_PULUMI_PARALLEL:-64}"
case "$SAPOCHE_PULUMI_PARALLEL" in
    '' | *[!0-9]* | 0)
        echo "SAPOCHE_PULUMI_PARALLEL=$SAPOCHE_PULUMI_PARALLEL: not allowed; a whole number of 1 or more (default 64, scripts/lib/engine.sh)" >&2
        exit 2
        ;;
esac
export SAPOCHE_PULUMI_PARALLEL
