/**
 * A stack runs against one cluster only. With the shell's KUBECONFIG pointing at another cluster,
 * production1's objects would be planned there as creates over, or replacements of, that cluster's
 * objects. The identity is the uid of the `kube-system` Namespace: the API server assigns it when
 * the cluster is created, and no other cluster shares it (a name or a server URL can be reused).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "./settings";

export const UNRECORDED_CLUSTER = "unrecorded";

/**
 * Reads the uid of the provider's cluster and refuses, before any object is registered, to go on
 * against a cluster other than the stack's. Only a read is sent: nothing in any cluster changes.
 */
export async function bindToCluster(
    settings: Pick<Settings, "stackFile" | "clusterUid">,
    provider: k8s.Provider,
): Promise<void> {
    const identity = k8s.core.v1.Namespace.get("cluster-identity", "kube-system", { provider });
    const uid = await known(identity.metadata.uid);
    const problem = clusterMismatch(settings, uid);
    if (problem) throw new pulumi.RunError(problem);
}

/** The refusal for a cluster whose kube-system uid is `uid`, or undefined when it is the stack's. */
export function clusterMismatch(
    settings: Pick<Settings, "stackFile" | "clusterUid">,
    uid: string | undefined,
): string | undefined {
    if (uid !== undefined && uid === settings.clusterUid) return undefined;
    const key = `${settings.stackFile}: sapoche-stack:clusterUid`;
    const read =
        "kubectl --context <the stack's context> get namespace kube-system -o jsonpath='{.metadata.uid}'";
    if (settings.clusterUid === UNRECORDED_CLUSTER) {
        return (
            `${key} is "${UNRECORDED_CLUSTER}": this stack is bound to no cluster yet, so it runs ` +
            `against none. The current cluster's kube-system uid is ${uid ?? "unknown"}. If this ` +
            `is the stack's own cluster, record it (${read}) in a reviewed change. Nothing was registered.`
        );
    }
    return (
        `refusing to run: this stack belongs to the cluster whose kube-system uid is ` +
        `${settings.clusterUid} (${key}), but the current kubeconfig/context reaches the cluster ` +
        `whose kube-system uid is ${uid ?? "unknown"}. Point KUBECONFIG or kubernetes:context at the ` +
        `stack's own cluster (${read}). Nothing was registered.`
    );
}

/** The value of an output once known; a preview cannot go on without it, so unknown is refused. */
function known<T>(output: pulumi.Output<T>): Promise<T | undefined> {
    return new Promise((resolve) => {
        let settled = false;
        output.apply((v) => {
            settled = true;
            resolve(v);
            return v;
        });
        // An output that is never known (no cluster answered) never calls apply: the read itself
        // then fails the run; this resolves the wait so the engine can report that failure.
        void (output as unknown as { isKnown?: Promise<boolean> }).isKnown?.then((isKnown) => {
            if (!isKnown && !settled) resolve(undefined);
        });
    });
}
