#!/usr/bin/env bash
# Emergency rollback: redeploys an earlier revision of this repository (its code, stack files and
# policy pack) to one stack, through exactly the gates and approval of a normal release: the
# revision's own release.sh runs from a clean copy of that revision, so the policy pack,
# the promotion gate (production1 accepts any image in staging's history), the saved plan and its
# summary, and the typed confirmation (or --approved) all apply.
#
# Usage: scripts/delivery/rollback.sh --stack <stack> --to <revision> [release.sh options, e.g. --approved]
#
# Refuses (exit 2, nothing run) a revision that is not a commit, or is not an ancestor of HEAD
# (and of `main` when that branch exists): only what has been on the main line can be redeployed,
# never an unreviewed branch. Otherwise exits with release.sh's code: 0 applied, 1 the preview
# failed (policy, promotion refusal, config, cluster), 3 stale plan, 4 no confirmation.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/delivery/lib/backend.sh
source "$ROOT/scripts/delivery/lib/backend.sh"
run_locally_or_require_backend rollback "$@"

stack="" to="" pass=()
while [ $# -gt 0 ]; do
    case "$1" in
        --stack) stack="${2:-}"; pass+=(--stack "$stack"); shift ;;
        --to) to="${2:-}"; shift ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) pass+=("$1") ;;
    esac
    shift
done
[ -n "$stack" ] && [ -n "$to" ] || { sed -n '8p' "${BASH_SOURCE[0]}" >&2; exit 2; }

cd "$ROOT"
rev="$(git rev-parse --verify --quiet "$to^{commit}")" ||
    { echo "rollback: $to is not a commit of this repository; nothing was applied" >&2; exit 2; }
for line in HEAD main origin/main; do
    git rev-parse --verify --quiet "$line^{commit}" >/dev/null || continue
    if ! git merge-base --is-ancestor "$rev" "$line"; then
        echo "rollback: $to ($rev) is not an ancestor of $line: only a revision that has been on the main line can be redeployed; nothing was applied" >&2
        exit 2
    fi
done
[ -f "$ROOT/Pulumi.$stack.yaml" ] ||
    { echo "rollback: no stack file Pulumi.$stack.yaml; nothing was applied" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
src="$work/src"
mkdir "$src"
# git archive, not a checkout: a plain tree with no .git, so nothing in it can read as "-dirty"
# and the repository's worktrees and index stay untouched.
git archive "$rev" | tar -x -C "$src"
[ -f "$src/Pulumi.$stack.yaml" ] ||
    { echo "rollback: $rev has no Pulumi.$stack.yaml; nothing was applied" >&2; exit 2; }

# The stack file of that revision, with this checkout's secrets-provider keys (encryptionsalt,
# secretsprovider, encryptedkey) and cluster binding: they belong to the stack's state and
# cluster, not to a revision, and an older file may predate them.
node - "$ROOT/Pulumi.$stack.yaml" "$src/Pulumi.$stack.yaml" <<'EOF'
const fs = require("fs");
const yaml = require(require.resolve("js-yaml", { paths: [process.cwd()] }));
const [current, old] = process.argv.slice(2);
const now = yaml.load(fs.readFileSync(current, "utf8")) ?? {};
const keys = ["encryptionsalt", "secretsprovider", "encryptedkey"].filter((k) => k in now);
// The stack's cluster is the stack's too (stacks/cluster.ts), where that revision knows the key.
const cluster = "sapoche-stack:clusterUid";
const doc = yaml.load(fs.readFileSync(old, "utf8")) ?? {};
const bind = doc.config && cluster in doc.config && now.config && cluster in now.config;
if (keys.length > 0 || bind) {
    for (const k of keys) doc[k] = now[k];
    if (bind) doc.config[cluster] = now.config[cluster];
    fs.writeFileSync(old, yaml.dump(doc, { lineWidth: -1, noRefs: true }));
}
EOF
# A local sandbox (scripts/cluster/local.sh) runs every revision with its images pinned to local
# digests, as its own copy is (production1's pack refuses tags); a real rollback takes the
# revision's digests as they were reviewed.
if [ "${SAPOCHE_LOCAL_SANDBOX:-}" = 1 ]; then
    node -r ts-node/register/transpile-only -e 'require(process.argv[1]).pinStackFiles(process.argv[2])' \
        "$ROOT/lib/sandbox-stacks" "$src"
fi

# Dependencies: this checkout's, when the revision locked the same ones (the usual case for a
# rollback of days); otherwise exactly that revision's lock files.
for dir in . policy-pack; do
    if git diff --quiet "$rev" HEAD -- "$dir/package-lock.json" && [ -d "$ROOT/$dir/node_modules" ]; then
        ln -sfn "$ROOT/$dir/node_modules" "$src/$dir/node_modules"
    else
        echo "rollback: $dir/package-lock.json differs at $rev: installing its dependencies"
        npm ci --ignore-scripts --prefix "$src/$dir" --no-audit --no-fund >"$work/npm-$(basename "$dir").log" 2>&1 ||
            { cat "$work/npm-$(basename "$dir").log" >&2; echo "rollback: npm ci failed; nothing was applied" >&2; exit 1; }
    fi
done

echo "rollback: releasing $stack at $rev ($(git log -1 --format='%h %s' "$rev"))"
# Recorded in the stack's sourceRevision output: what production1 now runs is that revision.
export SAPOCHE_SOURCE_REVISION="$rev"
# Declared, so release.sh's history check lets it go back (lib/history.ts).
export SAPOCHE_ROLLBACK="$rev"
set +e
# The revision's own release.sh: scripts/delivery/ since the delivery tools moved there, scripts/
# before.
release=scripts/delivery/release.sh
[ -f "$src/$release" ] || release=scripts/release.sh
(cd "$src" && bash "$release" "${pass[@]}")
code=$?
set -e
[ "$code" = 0 ] || echo "rollback: release of $rev exited $code (see above)" >&2
exit "$code"
