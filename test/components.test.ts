import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readStackConfig, StackName } from "../lib/program";
import { adoptedResources } from "./support/phases";
import { RegisteredResource } from "../lib/mocks";
import { millicores, mebibytes } from "../components/shared/quantity";
import { contentName } from "../components/shared/config-map";

type Any = Record<string, any>;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";

const kindOf = (r: RegisteredResource) => r.type.split(":")[2];
const nameOf = (r: RegisteredResource) => (r.props as Any).metadata?.name as string;
const componentOf = (r: RegisteredResource) =>
    (r.props as Any).metadata?.labels?.["app.kubernetes.io/component"] as string;
const workloadsOf = (rs: RegisteredResource[]) =>
    rs.filter((r) => r.type === DEPLOYMENT || r.type === STATEFULSET);
/** Deployment names an HPA or ScaledObject scales. */
const autoscaledOf = (rs: RegisteredResource[]) =>
    new Map(
        rs
            .filter((r) => ["HorizontalPodAutoscaler", "ScaledObject"].includes(kindOf(r)))
            .map((r) => {
                const s = (r.props as Any).spec;
                return [
                    s.scaleTargetRef.name as string,
                    (s.maxReplicas ?? s.maxReplicaCount) as number,
                ];
            }),
    );

for (const stack of ["production1", "staging"] as StackName[]) {
    describe(`components of ${stack}`, () => {
        let rs: RegisteredResource[];
        before(async () => {
            rs = await adoptedResources(stack);
        });

        it("never sets spec.replicas on an autoscaled Deployment", () => {
            const autoscaled = autoscaledOf(rs);
            assert.equal(autoscaled.size, 5);
            for (const d of rs.filter((r) => r.type === DEPLOYMENT && autoscaled.has(nameOf(r)))) {
                assert.equal((d.props as Any).spec.replicas, undefined, nameOf(d));
            }
        });

        it("gives every container the secure, sized defaults", () => {
            for (const w of workloadsOf(rs)) {
                const pod = (w.props as Any).spec.template.spec;
                const where = `${kindOf(w)}/${nameOf(w)}`;
                assert.equal(pod.securityContext.runAsNonRoot, true, where);
                assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault", where);
                assert.equal(pod.automountServiceAccountToken, false, where);
                assert.ok(pod.serviceAccountName, where);
                assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC, where);
                assert.ok(!(pod.volumes ?? []).some((v: Any) => v.hostPath), where);
                for (const c of pod.containers) {
                    const at = `${where} container ${c.name}`;
                    assert.deepEqual(
                        c.securityContext,
                        {
                            allowPrivilegeEscalation: false,
                            privileged: false,
                            readOnlyRootFilesystem: true,
                            runAsNonRoot: true,
                            capabilities: { drop: ["ALL"] },
                        },
                        at,
                    );
                    for (const k of ["cpu", "memory"]) {
                        assert.ok(c.resources.requests[k], `${at} requests.${k}`);
                        assert.ok(c.resources.limits[k], `${at} limits.${k}`);
                    }
                    assert.ok(c.livenessProbe, `${at} livenessProbe`);
                    if (c.ports) assert.ok(c.readinessProbe, `${at} readinessProbe`);
                    assert.match(c.image, /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, at);
                    assert.doesNotMatch(c.image, /:latest$/, at);
                    // A read-only root FS needs somewhere to write: every container has /tmp.
                    assert.ok(
                        c.volumeMounts.some((m: Any) => m.mountPath === "/tmp"),
                        `${at} /tmp`,
                    );
                }
            }
        });

        it("labels workloads, pods and Services with app.kubernetes.io/*", () => {
            for (const r of rs.filter((x) =>
                ["Deployment", "StatefulSet", "Service", "PodDisruptionBudget"].includes(kindOf(x)),
            )) {
                const labels = (r.props as Any).metadata.labels;
                for (const k of ["name", "instance", "component", "part-of", "managed-by"]) {
                    assert.ok(
                        labels[`app.kubernetes.io/${k}`],
                        `${kindOf(r)}/${nameOf(r)} app.kubernetes.io/${k}`,
                    );
                }
                assert.equal(labels["app.kubernetes.io/part-of"], "sapoche");
                assert.equal(labels["app.kubernetes.io/managed-by"], "pulumi");
            }
            for (const w of workloadsOf(rs)) {
                const spec = (w.props as Any).spec;
                const podLabels = spec.template.metadata.labels;
                for (const [k, v] of Object.entries(spec.selector.matchLabels)) {
                    assert.equal(podLabels[k], v, `${nameOf(w)} selector ${k}`);
                }
            }
        });

        it("lets the program win over out-of-band edits of every workload (drift is restored)", () => {
            for (const w of workloadsOf(rs)) {
                const annotations = (w.props as Any).metadata.annotations;
                assert.equal(annotations["pulumi.com/patchForce"], "true", nameOf(w));
            }
        });

        it("puts every namespaced object in the sapoche namespace", () => {
            for (const r of rs.filter(
                (x) => x.type.startsWith("kubernetes:") && kindOf(x) !== "Namespace",
            )) {
                assert.equal(
                    (r.props as Any).metadata.namespace,
                    "sapoche",
                    `${kindOf(r)}/${nameOf(r)}`,
                );
            }
        });

        it("protects the namespace and the Redis volumes, and nothing is replaced on a resize", () => {
            const protectedObjects = rs
                .filter((r) => r.protect)
                .map((r) => `${kindOf(r)}/${nameOf(r)}`);
            assert.deepEqual(protectedObjects, [
                "Namespace/sapoche",
                "PersistentVolumeClaim/data-redis-0",
                "PersistentVolumeClaim/data-redis-1",
                "PersistentVolumeClaim/data-redis-2",
            ]);
            const sts = rs.find((r) => r.type === STATEFULSET)!;
            assert.deepEqual(sts.ignoreChanges, ["spec.volumeClaimTemplates"]);
            for (const svc of rs.filter(
                (r) => kindOf(r) === "Service" && nameOf(r) !== "redis-headless",
            )) {
                assert.deepEqual(
                    svc.ignoreChanges,
                    ["spec.clusterIP", "spec.clusterIPs"],
                    nameOf(svc),
                );
            }
            assert.deepEqual((sts.props as Any).spec.persistentVolumeClaimRetentionPolicy, {
                whenDeleted: "Retain",
                whenScaled: "Retain",
            });
        });

        it("runs the scheduler as a singleton named for the environment", () => {
            const name =
                stack === "production1"
                    ? "sapoche-be--scheduler--prod"
                    : "sapoche-be--scheduler--staging";
            const s = rs.find((r) => r.type === DEPLOYMENT && nameOf(r) === name);
            assert.ok(s, name);
            assert.equal((s.props as Any).spec.replicas, 1);
            assert.deepEqual((s.props as Any).spec.strategy, { type: "Recreate" });
            assert.ok(!autoscaledOf(rs).has(name));
        });

        it("keeps redis-sp on the master-following proxy and Redis in 3-node Sentinel mode", () => {
            const svc = rs.find((r) => kindOf(r) === "Service" && nameOf(r) === "redis-sp")!;
            assert.deepEqual((svc.props as Any).spec.selector, {
                "app.kubernetes.io/name": "redis-proxy",
            });
            assert.deepEqual(
                (svc.props as Any).spec.ports.map((p: Any) => p.port),
                [6379],
            );
            const sts = (rs.find((r) => r.type === STATEFULSET)!.props as Any).spec;
            assert.equal(sts.replicas, 3);
            const sentinel = sts.template.spec.containers.find((c: Any) => c.name === "sentinel");
            assert.deepEqual(
                sentinel.env.find((e: Any) => e.name === "SENTINEL_QUORUM"),
                { name: "SENTINEL_QUORUM", value: "2" },
            );
            const haproxy = (
                rs.find((r) => kindOf(r) === "ConfigMap" && nameOf(r).startsWith("redis-proxy-"))!
                    .props as Any
            ).data["haproxy.cfg"];
            assert.equal((haproxy.match(/^ {2}server redis-\d /gm) ?? []).length, 3);
        });

        it("names every ConfigMap after its content, so a change rolls what mounts it instead of replacing it", () => {
            const configMaps = rs.filter((r) => kindOf(r) === "ConfigMap");
            assert.ok(configMaps.length >= 3);
            for (const cm of configMaps) {
                const base = nameOf(cm).replace(/-[0-9a-f]{10}$/, "");
                assert.equal(nameOf(cm), contentName(base, (cm.props as Any).data), nameOf(cm));
            }
            // Every ConfigMap a pod mounts is one of those (the mount follows the new name).
            const names = new Set(configMaps.map(nameOf));
            const mounted = rs
                .flatMap((r) => (r.props as Any).spec?.template?.spec?.volumes ?? [])
                .flatMap((v: Any) => (v.configMap ? [v.configMap.name] : []));
            assert.ok(mounted.length >= 3);
            for (const m of mounted) assert.ok(names.has(m), `${m} is mounted but not rendered`);
        });

        it("runs a redis_exporter beside Redis and beside Sentinel in every Redis pod", () => {
            const config = readStackConfig(stack) as Any;
            const pod = (rs.find((r) => r.type === STATEFULSET)!.props as Any).spec.template.spec;
            assert.deepEqual(
                pod.containers.map((c: Any) => c.name),
                ["redis", "sentinel", "redis-exporter", "sentinel-exporter"],
            );
            const exporters = [
                ["redis-exporter", 6379, "metrics", 9121],
                ["sentinel-exporter", 26379, "sentinel-export", 9355],
            ] as const;
            for (const [name, target, portName, port] of exporters) {
                const c = pod.containers.find((x: Any) => x.name === name);
                assert.equal(c.image, config["sapoche-stack:images"].redisExporter, name);
                assert.equal(c.command, undefined, `${name} runs the image's entrypoint`);
                assert.deepEqual(c.args, [
                    `--redis.addr=redis://localhost:${target}`,
                    `--web.listen-address=:${port}`,
                    "--redis-only-metrics",
                ]);
                assert.deepEqual(c.ports, [{ name: portName, containerPort: port }]);
                // The password only from the Secret Redis uses, never a literal or an argument.
                assert.deepEqual(c.env, [
                    {
                        name: "REDIS_PASSWORD",
                        valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } },
                    },
                ]);
                assert.ok(!c.args.some((a: string) => /password/i.test(a)), name);
                const size = config["sapoche-stack:redis"].exporterResources;
                assert.deepEqual(
                    [c.resources.requests.cpu, c.resources.requests.memory],
                    [size.cpu, size.memory],
                );
                assert.deepEqual(
                    [c.resources.limits.cpu, c.resources.limits.memory],
                    [size.cpuLimit, size.memoryLimit],
                );
                for (const probe of [c.readinessProbe, c.livenessProbe]) {
                    assert.deepEqual(probe.httpGet, { port: portName, path: "/health" });
                }
            }
        });

        it("changes only the pod template of the Redis StatefulSet: nothing that would replace it", () => {
            const spec = (rs.find((r) => r.type === STATEFULSET)!.props as Any).spec;
            // Immutable fields: a change to any of them replaces the StatefulSet (and with
            // `whenDeleted: Retain` orphans nothing, but restarts every node at once).
            assert.deepEqual(spec.selector, { matchLabels: { "app.kubernetes.io/name": "redis" } });
            assert.equal(spec.serviceName, "redis-headless");
            assert.equal(spec.podManagementPolicy, "OrderedReady");
            assert.deepEqual(spec.updateStrategy, { type: "RollingUpdate" });
            assert.deepEqual(
                spec.volumeClaimTemplates.map((t: Any) => [t.metadata.name, t.spec.accessModes]),
                [["data", ["ReadWriteOnce"]]],
            );
            // Only the redis container mounts the data volume.
            for (const c of spec.template.spec.containers) {
                const data = c.volumeMounts.some((m: Any) => m.name === "data");
                assert.equal(data, c.name === "redis", c.name);
            }
        });

        it("serves HAProxy's Prometheus endpoint on the proxy's port named metrics", () => {
            const cfg = (
                rs.find((r) => kindOf(r) === "ConfigMap" && nameOf(r).startsWith("redis-proxy-"))!
                    .props as Any
            ).data["haproxy.cfg"] as string;
            assert.match(
                cfg,
                /^frontend metrics\n {2}mode http\n {2}bind :8405\n(?: {2}.*\n)*? {2}http-request use-service prometheus-exporter if \{ path \/metrics \}$/m,
            );
            const proxy = rs.find((r) => r.type === DEPLOYMENT && nameOf(r) === "redis-proxy")!;
            const [haproxy] = (proxy.props as Any).spec.template.spec.containers;
            assert.deepEqual(haproxy.ports, [
                { name: "redis", containerPort: 6379 },
                { name: "metrics", containerPort: 8405 },
            ]);
        });

        it("declares no metrics port on any consumer or worker: the application serves no metrics, so nothing is scraped there", () => {
            const processes = rs.filter(
                (r) =>
                    r.type === DEPLOYMENT && ["queue-consumer", "worker"].includes(componentOf(r)),
            );
            assert.equal(processes.length, 31);
            for (const d of processes) {
                for (const c of (d.props as Any).spec.template.spec.containers) {
                    const names = (c.ports ?? []).map((p: Any) => p.name);
                    assert.ok(!names.includes("metrics"), `${nameOf(d)} declares ${names}`);
                }
            }
        });

        it("keeps secret values out of the program: the Redis password is a Secret reference", () => {
            assert.equal(rs.filter((r) => kindOf(r) === "Secret").length, 0);
            const redis = (rs.find((r) => r.type === STATEFULSET)!.props as Any).spec.template.spec
                .containers[0];
            assert.deepEqual(redis.env.find((e: Any) => e.name === "REDIS_PASSWORD").valueFrom, {
                secretKeyRef: { name: "redis-auth", key: "password" },
            });
        });

        it("sizes the ResourceQuota from the peak of max replicas, surge included, times requests", () => {
            const autoscaled = autoscaledOf(rs);
            let pods = 0;
            let cpu = 0;
            let memory = 0;
            for (const w of workloadsOf(rs)) {
                const spec = (w.props as Any).spec;
                const max = autoscaled.get(nameOf(w)) ?? spec.replicas;
                const surge = spec.strategy?.type === "RollingUpdate" ? Math.ceil(max * 0.25) : 0;
                const n = max + surge;
                pods += n;
                for (const c of spec.template.spec.containers) {
                    cpu += n * millicores(c.resources.requests.cpu);
                    memory += n * mebibytes(c.resources.requests.memory);
                }
            }
            const hard = (rs.find((r) => kindOf(r) === "ResourceQuota")!.props as Any).spec.hard;
            assert.equal(Number(hard.pods), pods);
            assert.equal(millicores(hard["requests.cpu"]), cpu);
            assert.equal(mebibytes(hard["requests.memory"]), memory);
        });

        it("gives every workload that can run more than one pod a PDB allowing one disruption", () => {
            const autoscaled = autoscaledOf(rs);
            const pdbs = new Map(
                rs
                    .filter((r) => kindOf(r) === "PodDisruptionBudget")
                    .map((r) => [
                        (r.props as Any).spec.selector.matchLabels["app.kubernetes.io/name"],
                        (r.props as Any).spec,
                    ]),
            );
            for (const w of workloadsOf(rs)) {
                const max = autoscaled.get(nameOf(w)) ?? (w.props as Any).spec.replicas;
                if (max > 1) assert.deepEqual(pdbs.get(nameOf(w))?.maxUnavailable, 1, nameOf(w));
                else assert.ok(!pdbs.has(nameOf(w)), `${nameOf(w)} runs at most one pod: no PDB`);
            }
        });
    });
}

describe("logical names", () => {
    const fixture = path.join(__dirname, "fixtures", "production1-logical-names.txt");

    it("stay exactly as recorded, with the aliases that keep renamed ones from being replaced", async () => {
        const names = (await adoptedResources("production1"))
            .map(
                (r) =>
                    `${r.type}::${r.parent ? `${r.parent}/` : ""}${r.name}` +
                    (r.aliases.length ? ` <- ${r.aliases.join(", ")}` : ""),
            )
            .sort();
        if (process.env.UPDATE_LOGICAL_NAMES === "1")
            fs.writeFileSync(fixture, names.join("\n") + "\n");
        const recorded = fs.readFileSync(fixture, "utf8").trim().split("\n");
        assert.deepEqual(
            names,
            recorded,
            "A logical name changed: add an `aliases` entry for the old name before updating " +
                "test/fixtures/production1-logical-names.txt (UPDATE_LOGICAL_NAMES=1 npm test).",
        );
    });
});
