/**
 * The one place e2e tests wait. Every wait polls for a stated condition with a deadline and, when
 * the deadline passes, fails naming what it waited for and what it saw last. No fixed sleeps.
 *
 * Why a namespace must be *settled*, not only "rolled out": `pulumi up` returns once the provider's
 * await is satisfied, but the controllers may still be converging (old ReplicaSets scaling down,
 * pods terminating, status not yet observed for the latest generation; a rollback to an earlier
 * ReplicaSet satisfies the provider's await from a stale condition). A refresh that reads a
 * Deployment in that window sees "Minimum number of Pods to consider the application live was not
 * attained" and proposes an update: the flake of issue 16. A real operator waits for the rollout
 * before the next change; the tests do the same.
 */
import * as fs from "fs";
import * as path from "path";
import { kubectl } from "./run";

const POLL_MS = 500;

/** Blocks the (synchronous) test for `ms` between two polls. */
function pause(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Polls `probe` until it returns `true`, or throws after `timeoutMs` with `what` and the last
 * thing `probe` reported (a string return value means "not yet, because ...").
 */
export function waitFor(what: string, probe: () => true | string, timeoutMs = 180_000): void {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
        const r = probe();
        if (r === true) return;
        last = r;
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}: ${last}`);
        }
        pause(POLL_MS);
    }
}

function items(args: string[]): any[] | string {
    const r = kubectl([...args, "-o", "json"]);
    if (r.code !== 0) return `kubectl ${args.join(" ")} failed: ${r.stderr.trim()}`;
    return JSON.parse(r.stdout).items as any[];
}

/** Why a Deployment or StatefulSet is not settled yet, or `undefined` if it is. */
export function unsettledReason(w: any): string | undefined {
    const name = `${w.kind}/${w.metadata.name}`;
    const want = w.spec.replicas ?? 1;
    const s = w.status ?? {};
    if ((s.observedGeneration ?? 0) < w.metadata.generation) {
        return `${name}: generation ${w.metadata.generation} not observed yet`;
    }
    const counts: Record<string, number> = {
        replicas: s.replicas ?? 0,
        updatedReplicas: s.updatedReplicas ?? 0,
        readyReplicas: s.readyReplicas ?? 0,
        ...(w.kind === "Deployment" ? { availableReplicas: s.availableReplicas ?? 0 } : {}),
    };
    for (const [k, v] of Object.entries(counts)) {
        if (v !== want) return `${name}: ${k} ${v}, want ${want}`;
    }
    if (w.kind === "StatefulSet" && s.currentRevision !== s.updateRevision) {
        return `${name}: revision ${s.currentRevision} not yet ${s.updateRevision}`;
    }
    return undefined;
}

/**
 * Waits until every Deployment and StatefulSet of `namespace` runs exactly its desired replicas of
 * its latest template, all ready, with no pod still terminating: the state a refresh must find
 * unchanged.
 */
export function settledNamespace(namespace: string, timeoutMs = 180_000): void {
    waitFor(
        `namespace ${namespace} to settle`,
        () => {
            const workloads = items(["get", "deployments,statefulsets", "-n", namespace]);
            if (typeof workloads === "string") return workloads;
            for (const w of workloads) {
                const reason = unsettledReason(w);
                if (reason) return reason;
            }
            const pods = items(["get", "pods", "-n", namespace]);
            if (typeof pods === "string") return pods;
            const terminating = pods.filter((p) => p.metadata.deletionTimestamp);
            if (terminating.length > 0) {
                return `${terminating.length} pod(s) terminating, e.g. ${terminating[0].metadata.name}`;
            }
            return true;
        },
        timeoutMs,
    );
}

/** Waits until the file backend holds a lock for some stack (an update has started). */
export function stackLocked(stateDir: string, timeoutMs = 60_000): void {
    const locks = path.join(stateDir, ".pulumi", "locks");
    const any = (dir: string): boolean =>
        fs.existsSync(dir) &&
        fs
            .readdirSync(dir, { withFileTypes: true })
            .some((e) => e.isFile() || (e.isDirectory() && any(path.join(dir, e.name))));
    waitFor(`a lock under ${locks}`, () => any(locks) || "no lock file yet", timeoutMs);
}
