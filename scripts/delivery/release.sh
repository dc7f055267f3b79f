#!/usr/bin/env bash
# Ships one stack through the gates, applying exactly what was reviewed:
#   1. policy-checked preview that saves an update plan (preview.sh --save-plan);
#   2. every gate decides, before anyone approves: the release guard, the creates check, and a
#      summary a person reads in 30 seconds (lib/release-summary.ts);
#   3. explicit confirmation: type the stack name (CI passes --approved after its own approval;
#      the flag counts only with CI=true and no terminal);
#   4. `pulumi up --plan`: only that plan is applied.
# Applying a saved plan first re-plans against the current code, config and cluster and compares
# what each resource's update would be (saved-plan.ts compare); if code or config changed, or a
# cluster edit changed what the update does, it refuses and changes nothing. (An out-of-band edit
# to a resource the plan already updates does not change that: the update restores the program's
# values, as reviewed.) The engine then refuses any step outside the plan as well.
#
# Usage: scripts/delivery/release.sh --stack <stack> [--approved]                 preview, confirm, apply
#        scripts/delivery/release.sh --local --stack <stack> [...]                the same in scripts/local.sh's sandbox
#        scripts/delivery/release.sh --stack <stack> --plan-only --plan-file <f>  save plan + summary only
#        scripts/delivery/release.sh --stack <stack> --apply-plan <f> [--approved]
#        --allow-data-risk "<why>"  also save or apply a plan with steps the release guard refuses
#                                   (lib/release-guard.ts: anything but a create, a no-op
#                                   or a safe update of an object stacks/critical.ts marks); without
#                                   it such a plan is refused (exit 5), in the plan job and at apply.
# Exit codes: 0 applied (or plan saved), 1 preview failed, 2 usage, 3 stale plan, 4 no confirmation,
# 5 release guard, 6 revision not on the deployed line (lib/history.ts), 7 the plan creates
# objects that already exist in the cluster (it would adopt them silently; live objects are adopted
# through the adoption phases, as imports).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/delivery/lib/backend.sh
source "$ROOT/scripts/delivery/lib/backend.sh"
# shellcheck source=scripts/lib/engine.sh
source "$ROOT/scripts/lib/engine.sh"
run_locally_or_require_backend release "$@"
# `up --plan` is still an experimental flag in CLI 3.274 (hidden, and the engine only checks the
# plan's constraints with experimental mode on).
export PULUMI_EXPERIMENTAL=true
# Type checking is `npm run lint`'s job (required on every pull request); the engine only
# transpiles, which makes each preview about 8 s (40 %) faster.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
# The engine runs the program compiled ahead of it (scripts/lib/compiled-program.sh).
SAPOCHE_COMPILED_PROGRAM="$(bash "$ROOT/scripts/lib/compiled-program.sh")"; export SAPOCHE_COMPILED_PROGRAM

stack="" approved=0 plan_only=0 plan_file="" apply_plan="" allow_data_risk=""
while [ $# -gt 0 ]; do
    case "$1" in
        --stack) stack="$2"; shift ;;
        --approved) approved=1 ;;
        --plan-only) plan_only=1 ;;
        --plan-file) plan_file="$2"; shift ;;
        --apply-plan) apply_plan="$2"; shift ;;
        --allow-data-risk) allow_data_risk="$2"; shift ;;
        *) sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 2 ;;
    esac
    shift
done
[ -n "$stack" ] || { echo "release.sh: --stack is required" >&2; exit 2; }
# The delivery tools are TypeScript, transpiled on the fly (about 0.5 s per start on this machine).
TS_NODE=(node -r ts-node/register/transpile-only)
# Until the confirmation, nothing reads the terminal: every command below takes its stdin from
# /dev/null, so none can swallow the typed stack name.
# Only forward along the main line, unless this is a declared rollback (exit 6).
"${TS_NODE[@]}" "$ROOT/scripts/delivery/lib/history.ts" "$stack" </dev/null || { echo "release.sh: nothing was applied" >&2; exit 6; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# What a reviewer and the next command need outlives this run: the plan, the full preview, the
# summary and each gate's output (.local/ is ignored by git).
keep="${SAPOCHE_RELEASE_DIR:-$ROOT/.local/releases}/$stack-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$keep"

# Plans are made against the live cluster (--refresh), so an edit made in the cluster since the
# plan was saved also makes it stale.
save_plan() { # save_plan FILE
    PREVIEW_OUT="$keep/preview.txt" bash "$ROOT/scripts/delivery/preview.sh" "$stack" --refresh --save-plan "$1" </dev/null
}

confirm() {
    # --approved stands for an approval given in CI (an environment's required reviewers); a
    # person at a terminal types the stack name whatever flag they pass.
    if [ "$approved" = 1 ] && [ "${CI:-}" = true ] && [ ! -t 0 ]; then
        echo "release.sh: applying with --approved (approval given in CI, outside this command)"
        return
    fi
    if [ "$approved" = 1 ]; then
        echo "release.sh: --approved is honoured only in CI (CI=true, no terminal); confirm by typing instead" >&2
    fi
    if [ ! -t 0 ]; then
        echo "release.sh: no confirmation: stdin is not a terminal and --approved was not given; nothing was applied" >&2
        exit 4
    fi
    read -r -p "Type the stack name ($stack) to apply this plan: " answer
    if [ "$answer" != "$stack" ]; then
        echo "release.sh: confirmation did not match; nothing was applied" >&2
        exit 4
    fi
}

if [ -n "$apply_plan" ]; then
    plan="$apply_plan"
    [ -f "$plan" ] || { echo "release.sh: no saved plan at $plan" >&2; exit 2; }
    if ! save_plan "$work/current.json" >/dev/null; then
        cat "$keep/preview.txt" >&2
        echo "release.sh: re-planning $stack failed (preview above); nothing was applied" >&2
        exit 1
    fi
    if ! "${TS_NODE[@]}" "$ROOT/scripts/delivery/saved-plan.ts" compare "$plan" "$work/current.json" >"$work/differs.txt" </dev/null; then
        echo "release.sh: the saved plan $plan no longer matches what an update would do now:" >&2
        echo "code, config or the cluster changed since it was saved. Nothing was applied." >&2
        cat "$work/differs.txt" >&2
        echo "Run the release again and review the new plan." >&2
        exit 3
    fi
else
    plan="${plan_file:-$keep/plan.json}"
    save_plan "$plan" || { echo "release.sh: the preview of $stack failed; nothing was applied" >&2; exit 1; }
fi

# The state the guard judges in-place updates against, and the summary diffs updates against
# (secrets stay encrypted in it).
if ! pulumi stack export --stack "$stack" --file "$keep/state.json" --non-interactive \
    </dev/null >"$work/export.log" 2>&1; then
    cat "$work/export.log" >&2
    echo "release.sh: could not read $stack's state for the release guard; nothing was applied" >&2
    exit 1
fi
# Every gate decides before anyone approves (these run before --plan-only exits, so the plan job
# refuses too), and again at apply on the re-plan; the summary shows what each decided.
data_risk=0
"${TS_NODE[@]}" "$ROOT/scripts/delivery/saved-plan.ts" guard "$plan" --state "$keep/state.json" >"$keep/data-risk.txt" </dev/null || data_risk=$?
creates=0
"${TS_NODE[@]}" "$ROOT/scripts/delivery/lib/creates-over-live.ts" "$plan" 2>"$keep/creates.txt" </dev/null || creates=$?
"${TS_NODE[@]}" "$ROOT/scripts/delivery/lib/release-summary.ts" --stack "$stack" --plan "$plan" \
    --state "$keep/state.json" --preview "$keep/preview.txt" \
    --gate "data-risk guard=$data_risk:$keep/data-risk.txt" \
    --gate "creates over live=$creates:$keep/creates.txt" \
    --apply "npm run release --${SAPOCHE_LOCAL_SANDBOX:+ --local} --stack $stack --apply-plan $plan" \
    </dev/null | tee "$plan.summary.txt"
if [ "$creates" != 0 ]; then
    why="the plan creates objects that already exist in the cluster"
    [ "$creates" = 6 ] || why="the plan's creates could not be checked against the cluster"
    echo "release.sh: refused: $why (above). Nothing was applied." >&2
    exit 7
fi
if [ "$data_risk" != 0 ]; then
    if [ -z "$allow_data_risk" ]; then
        echo "release.sh: refused by the release guard (above); nothing was applied. If that is intended, release again with --allow-data-risk \"<why>\"." >&2
        exit 5
    fi
    echo "release.sh: steps that risk data or availability, accepted because: $allow_data_risk" | tee -a "$plan.summary.txt"
fi
[ "$plan_only" = 1 ] && { echo "release.sh: plan saved to $plan"; exit 0; }
confirm
# --refresh as when the plan was saved; the engine also refuses any step outside the plan.
pulumi up --stack "$stack" --plan "$plan" --refresh --yes --non-interactive --parallel "$SAPOCHE_PULUMI_PARALLEL" \
    --policy-pack "$ROOT/${SAPOCHE_POLICY_PACK:-policy-pack/analyzer}" --policy-pack-config "$ROOT/policy-pack/config/$stack.json"
