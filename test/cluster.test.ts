import { strict as assert } from "assert";
import { UNRECORDED_CLUSTER, clusterMismatch } from "../stacks/cluster";
import { PROJECT, evaluateProgram, readStackConfig } from "../lib/program";

const PRODUCTION1 = "0b7e1c52-6f0e-4f39-9a53-1d2b3c4d5e6f";
const STAGING = "5c3a9d10-2b8e-4c71-8f60-aa11bb22cc33";

/** production1's stack file, bound to PRODUCTION1's cluster. */
function bound(uid: string = PRODUCTION1): Record<string, unknown> {
    return { ...readStackConfig("production1"), [`${PROJECT}:clusterUid`]: uid };
}

describe("a stack is bound to its cluster", () => {
    it("runs against the cluster whose kube-system uid the stack file names", async () => {
        const resources = await evaluateProgram("production1", bound(), {
            clusterUid: PRODUCTION1,
        });
        assert.ok(resources.some((r) => r.type === "kubernetes:apps/v1:Deployment"));
        // The identity is read, never registered as an object the stack owns.
        assert.ok(!resources.some((r) => (r.props as any)?.metadata?.name === "kube-system"));
    });

    it("refuses production1 against staging's cluster, naming both uids, before any object", async () => {
        let message = "";
        const run = evaluateProgram("production1", bound(), { clusterUid: STAGING }).catch((e) => {
            message = String(e?.message ?? e);
            throw e;
        });
        await assert.rejects(run);
        assert.match(message, new RegExp(`kube-system uid is ${PRODUCTION1}`));
        assert.match(
            message,
            new RegExp(`reaches the cluster whose kube-system uid is ${STAGING}`),
        );
        assert.match(message, /Pulumi\.production1\.yaml: sapoche-stack:clusterUid/);
        assert.match(message, /Nothing was registered/);
    });

    it("an unrecorded stack runs against no cluster and prints the uid to record", () => {
        const problem = clusterMismatch(
            { stackFile: "Pulumi.staging.yaml", clusterUid: UNRECORDED_CLUSTER },
            STAGING,
        );
        assert.match(problem ?? "", /"unrecorded": this stack is bound to no cluster yet/);
        assert.match(problem ?? "", new RegExp(`current cluster's kube-system uid is ${STAGING}`));
    });

    it("a cluster that answers no uid is refused, not taken for the stack's", () => {
        assert.match(
            clusterMismatch({ stackFile: "Pulumi.staging.yaml", clusterUid: STAGING }, undefined) ??
                "",
            /kube-system uid is unknown/,
        );
        assert.equal(
            clusterMismatch({ stackFile: "Pulumi.staging.yaml", clusterUid: STAGING }, STAGING),
            undefined,
        );
    });

    it("the schema accepts only a lowercase UUID or unrecorded, naming the key and the command", async () => {
        for (const bad of ["prod-cluster", PRODUCTION1.toUpperCase(), "", `${PRODUCTION1} `]) {
            let message = "";
            await assert.rejects(
                evaluateProgram("production1", bound(bad)).catch((e) => {
                    message = String(e?.message ?? e);
                    throw e;
                }),
            );
            assert.match(
                message,
                /sapoche-stack:clusterUid: got .*; expected the uid of the stack's cluster/,
            );
            assert.match(message, /kubectl get namespace kube-system/);
        }
    });
});
