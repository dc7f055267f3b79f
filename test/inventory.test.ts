import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackResources, ROOT } from "../lib/program";
import { RegisteredResource } from "../lib/mocks";
import { readSeed } from "./support/seed";
import { addedKinds, addedObjects, changedValues, removedObjects } from "../stacks/changes";

type Obj = { metadata: { name: string }; spec: Record<string, any> };

const kindOf = (type: string) => type.split(":")[2];

describe("production1 against today's live namespace", () => {
    const seed = readSeed();
    let objects: RegisteredResource[];
    const find = (kind: string, name: string) =>
        objects.find((r) => kindOf(r.type) === kind && (r.props as Obj).metadata.name === name);
    const spec = (kind: string, name: string) => {
        const r = find(kind, name);
        assert.ok(r, `${kind}/${name} should be registered`);
        return (r.props as Obj).spec;
    };
    /** The live value, or production1's value when the change is declared in stacks/changes. */
    const expected = (object: string, field: string, live: number) =>
        changedValues.find((c) => c.object === object && c.field === field)?.production1 ?? live;

    before(async () => {
        objects = (await stackResources("production1")).filter(
            (r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:"),
        );
    });

    it("reads 39 Deployments, 5 autoscalers and 7 Services from the seed", () => {
        assert.equal(seed.deployments.length, 39);
        assert.equal(seed.hpas.length, 5);
        assert.equal(seed.services.length, 7);
    });

    it("keeps every live Deployment under its live name, or declares its removal", () => {
        const missing = seed.deployments
            .filter((d) => !find("Deployment", d.name))
            .map((d) => `Deployment/${d.name}`);
        assert.deepEqual(
            missing,
            removedObjects.map((r) => r.object),
        );
    });

    it("runs every fixed-size Deployment at the seed's replicas unless a change is declared", () => {
        const autoscaled = new Set(seed.hpas.map((h) => h.target));
        for (const d of seed.deployments) {
            if (autoscaled.has(d.name) || !find("Deployment", d.name)) continue;
            const object = `Deployment/${d.name}`;
            assert.equal(
                spec("Deployment", d.name).replicas,
                expected(object, "replicas", d.replicas),
                object,
            );
        }
    });

    it("keeps every KEDA autoscaler's bounds as a ScaledObject named after its Deployment", () => {
        for (const h of seed.hpas.filter((x) => x.keda)) {
            assert.equal(
                `keda-hpa-${h.target}`,
                h.name,
                "KEDA names its HPA keda-hpa-<ScaledObject>",
            );
            const so = spec("ScaledObject", h.target);
            const object = `ScaledObject/${h.target}`;
            assert.equal(so.scaleTargetRef.name, h.target);
            assert.equal(so.minReplicaCount, expected(object, "minReplicaCount", h.min), object);
            assert.equal(so.maxReplicaCount, h.max, object);
            assert.equal(so.triggers[0].metadata.value, "20", "queue threshold");
        }
    });

    it("keeps the PHP HPA's maximum and declares its floor and CPU target changes", () => {
        const h = seed.hpas.find((x) => x.name === "sp-bnkd-php")!;
        const hpa = spec("HorizontalPodAutoscaler", h.name);
        const object = `HorizontalPodAutoscaler/${h.name}`;
        assert.equal(hpa.scaleTargetRef.name, h.target);
        assert.equal(hpa.minReplicas, expected(object, "minReplicas", h.min));
        assert.equal(hpa.maxReplicas, h.max);
        const cpu = hpa.metrics.find((m: any) => m.resource.name === "cpu");
        assert.equal(
            cpu.resource.target.averageUtilization,
            expected(object, "cpu averageUtilization", h.cpu!),
        );
        const memory = hpa.metrics.find((m: any) => m.resource.name === "memory");
        assert.equal(memory.resource.target.averageValue, "160Mi");
    });

    it("never sets spec.replicas on a Deployment the seed shows autoscaled", () => {
        for (const h of seed.hpas) {
            assert.equal(spec("Deployment", h.target).replicas, undefined, h.target);
        }
    });

    it("keeps every live Service with its type, ports and node ports", () => {
        for (const s of seed.services) {
            const svc = spec("Service", s.name);
            assert.equal(svc.type, s.type, s.name);
            assert.deepEqual(
                svc.ports.map((p: any) => p.port),
                s.ports,
                s.name,
            );
            assert.deepEqual(
                svc.ports.map((p: any) => p.nodePort).filter((p: unknown) => p !== undefined),
                s.nodePorts,
                s.name,
            );
        }
    });

    it("creates nothing that is neither live, nor a declared addition", () => {
        const live = new Set([
            "Namespace/sapoche",
            ...seed.deployments.map((d) => `Deployment/${d.name}`),
            ...seed.services.map((s) => `Service/${s.name}`),
            ...seed.hpas.filter((h) => !h.keda).map((h) => `HorizontalPodAutoscaler/${h.name}`),
            // KEDA's HPAs are created by KEDA from these ScaledObjects.
            ...seed.hpas.filter((h) => h.keda).map((h) => `ScaledObject/${h.target}`),
        ]);
        const declared = new Set(addedObjects.map((a) => a.object));
        const newKinds = new Set(addedKinds.map((a) => a.kind));
        const unannounced = objects
            .map((r) => `${kindOf(r.type)}/${(r.props as Obj).metadata.name}`)
            .filter((o) => !live.has(o) && !declared.has(o) && !newKinds.has(o.split("/")[0]));
        assert.deepEqual(unannounced, []);
    });

    it("lists every declared change in docs/decisions.md", () => {
        const readme = fs.readFileSync(path.join(ROOT, "docs", "decisions.md"), "utf8");
        const objectsToMention = [
            ...changedValues.map((c) => c.object),
            ...removedObjects.map((r) => r.object),
            ...addedObjects.map((a) => a.object),
            ...addedKinds.map((a) => a.kind),
        ];
        assert.deepEqual(
            objectsToMention.filter((o) => !readme.includes(o)),
            [],
        );
    });
});
