/**
 * Adoption: objects shaped like today's live namespace, created first with kubectl, are imported
 * into a stack (`sapoche-stack:adopt: true`) and then reshaped in place, with no deletion and no
 * recreation: every object keeps its uid.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { getJson, kubectl, must, Sandbox } from "./support/sandbox";
import { liveNamespace } from "./support/live-namespace";

const NS = "sapoche-adopt";
/** README, "Adopting the live namespace", step 2. */
const RECREATE = JSON.stringify([
    { op: "remove", path: "/spec/strategy/rollingUpdate" },
    { op: "replace", path: "/spec/strategy/type", value: "Recreate" },
]);

function uids(): Record<string, string> {
    const kinds = "deployments,services,horizontalpodautoscalers,scaledobjects";
    const items = getJson(["get", kinds, "-n", NS]).items as any[];
    const ns = getJson(["get", "namespace", NS]);
    return Object.fromEntries([
        [`Namespace/${NS}`, ns.metadata.uid],
        ...items.map((i) => [`${i.kind}/${i.metadata.name}`, i.metadata.uid]),
    ]);
}

/** Every live object still exists with the same uid: nothing was deleted or recreated. */
function assertSameUids(live: Record<string, string>): void {
    const now = uids();
    const changed = Object.entries(live).filter(([object, uid]) => now[object] !== uid);
    assert.deepEqual(changed, [], "live objects that were recreated or deleted");
}

describe("adoption of a live-shaped namespace", function () {
    this.timeout(30 * 60 * 1000);
    const sb = new Sandbox("adopt");
    // The stack's policy configs, for the namespace this test uses.
    const configFor = (base: string) => {
        const dir = path.join(sb.work, "policy-pack", "config");
        const pack = JSON.parse(fs.readFileSync(path.join(dir, `${base}.json`), "utf8"));
        const name = `${NS}-${base}`;
        const file = path.join(dir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify({ ...pack, "enforce-namespace": { namespace: NS } }));
        return name;
    };
    let live: Record<string, string>;

    before(() => {
        const manifests = path.join(sb.dir, "live.yaml");
        fs.writeFileSync(
            manifests,
            liveNamespace(NS)
                .map((o) => yaml.dump(o))
                .join("---\n"),
        );
        must(kubectl(["apply", "--server-side", "--field-manager=kubectl-live", "-f", manifests]));
        live = uids();
        // production1's numbers in a namespace of its own, with no promotion source.
        sb.initStack("adopt", "production1");
        sb.editConfig("adopt", (c) => {
            c["sapoche-stack:namespace"] = NS;
            c["sapoche-stack:promotion"] = { fromStack: "", bypassReason: "" };
            c["sapoche-stack:adopt"] = true;
        });
    });

    it("imports every live object (53) without touching it", () => {
        assert.equal(Object.keys(live).length, 1 + 39 + 7 + 1 + 4);
        // During the import update redis-sp still selects the unmanaged redis-master: the
        // adoption policy config reports that as advisory (README, "Adopting the live namespace").
        const r = must(sb.up("adopt", configFor("adoption")));
        assert.match(r.output, /imported/);
        assert.doesNotMatch(r.output, /deleted|replaced/);
        assertSameUids(live);
        assert.equal(getJson(["get", "deployment", "consumer-dicom", "-n", NS]).spec.replicas, 1);
    });

    it("then reshapes them in place: same uids, the program's spec", () => {
        // Runbook step: server-side apply cannot drop the rollingUpdate block another manager
        // owns, and Recreate forbids it, so the scheduler's strategy is switched by hand first.
        must(
            kubectl([
                "patch",
                "deployment",
                "sapoche-be--scheduler--prod",
                "-n",
                NS,
                "--type=json",
                "-p",
                RECREATE,
            ]),
        );
        sb.editConfig("adopt", (c) => (c["sapoche-stack:adopt"] = false));
        const r = must(sb.up("adopt", configFor("production1")));
        assert.doesNotMatch(r.output, /deleted|replaced/);
        // redis-master is not managed (the Sentinel StatefulSet replaces it): it is left running.
        assertSameUids(live);
        const dicom = getJson(["get", "deployment", "consumer-dicom", "-n", NS]);
        assert.equal(dicom.spec.replicas, 2);
        assert.equal(dicom.spec.template.spec.containers.length, 1);
        assert.equal(
            dicom.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem,
            true,
        );
        const hpa = getJson(["get", "hpa", "sp-bnkd-php", "-n", NS]);
        assert.equal(
            hpa.spec.metrics.find((m: any) => m.resource.name === "cpu").resource.target
                .averageUtilization,
            70,
        );
        assert.equal(
            getJson(["get", "service", "redis-sp", "-n", NS]).spec.selector[
                "app.kubernetes.io/name"
            ],
            "redis-proxy",
        );
        must(sb.pulumi(["preview", "--stack", "adopt", "--expect-no-changes"]));
    });

    after(() => {
        sb.pulumi(["state", "unprotect", "--stack", "adopt", "--all", "--yes"]);
        sb.pulumi(["destroy", "--stack", "adopt", "--yes"]);
        kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"]);
    });
});
