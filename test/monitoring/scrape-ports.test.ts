/**
 * Every scrape target exists: for each PodMonitor, every pod template it selects declares a
 * container port named as each of its endpoints; the ServiceMonitor's port is a port of the
 * Service it selects, whose target port the selected pods declare; and the scrape NetworkPolicy
 * admits every scraped pod on every scraped port. A monitor whose port no pod declares scrapes
 * nothing, silently: its alerts never fire. Checked on what the program registers for each stack.
 */
import { strict as assert } from "assert";
import { labelSelectorMatches } from "../../scripts/review/lib/workloads";
import type { RegisteredResource } from "../../lib/mocks";
import { StackName } from "../../lib/program";
import { adoptedResources } from "../support/phases";

type Any = Record<string, any>;

/** A Kubernetes object as the program hands it to the provider. */
interface Obj {
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string };
    /** Absent on kinds without one (ConfigMap): read defensively. */
    readonly spec: Any;
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"];
const podLabels = (w: Obj): Record<string, string> => w.spec?.template?.metadata?.labels ?? {};
const containerPorts = (w: Obj): { name?: string; containerPort: number }[] =>
    (w.spec?.template?.spec?.containers ?? []).flatMap((c: Any) => c.ports ?? []);
const where = (o: Obj) => `${o.kind}/${o.metadata.name}`;

/**
 * What is wrong with the scrape targets of `objects` (empty when every monitor scrapes ports
 * that exist and the scrape NetworkPolicy admits them). `policy` names that NetworkPolicy;
 * without it, or when it is absent (the adoption update creates none), only the ports are checked.
 */
export function scrapeProblems(objects: readonly Obj[], policy?: string): string[] {
    const found: string[] = [];
    const ofKind = (...kinds: string[]) => objects.filter((o) => kinds.includes(o.kind));
    const inNamespace = (o: Obj, ns?: string) => o.metadata.namespace === ns;
    const workloads = ofKind(...WORKLOAD_KINDS);
    const scrapePolicy = ofKind("NetworkPolicy").find((p) => p.metadata.name === policy);

    for (const monitor of ofKind("PodMonitor")) {
        // Without a namespaceSelector a PodMonitor selects pods of its own namespace.
        const selected = workloads.filter(
            (w) =>
                inNamespace(w, monitor.metadata.namespace) &&
                labelSelectorMatches(monitor.spec.selector, podLabels(w)),
        );
        if (selected.length === 0) found.push(`${where(monitor)} selects no pod`);
        const ports = (monitor.spec.podMetricsEndpoints ?? []).map((e: Any) => e.port as string);
        if (ports.length === 0) found.push(`${where(monitor)} has no endpoint`);
        for (const w of selected) {
            for (const port of ports) {
                const declared = containerPorts(w).find((p) => p.name === port);
                if (!declared) {
                    found.push(
                        `${where(monitor)} scrapes port "${port}", which no container of ${where(w)} declares`,
                    );
                    continue;
                }
                if (!scrapePolicy) continue;
                const admitted =
                    labelSelectorMatches(scrapePolicy.spec.podSelector, podLabels(w)) &&
                    (scrapePolicy.spec.ingress ?? []).some((rule: Any) =>
                        (rule.ports ?? []).some(
                            (p: Any) => p.port === port || p.port === declared.containerPort,
                        ),
                    );
                if (!admitted) {
                    found.push(
                        `NetworkPolicy/${policy} does not admit Prometheus to ${where(w)} on "${port}" (${where(monitor)})`,
                    );
                }
            }
        }
    }

    for (const monitor of ofKind("ServiceMonitor")) {
        const services = ofKind("Service").filter(
            (s) =>
                inNamespace(s, monitor.metadata.namespace) &&
                labelSelectorMatches(monitor.spec.selector, (s.metadata as Any).labels ?? {}),
        );
        if (services.length === 0) found.push(`${where(monitor)} selects no Service`);
        for (const svc of services) {
            const pods = workloads.filter(
                (w) =>
                    inNamespace(w, svc.metadata.namespace) &&
                    labelSelectorMatches({ matchLabels: svc.spec.selector }, podLabels(w)),
            );
            for (const e of monitor.spec.endpoints ?? []) {
                const port = (svc.spec.ports ?? []).find((p: Any) => p.name === e.port);
                if (!port) {
                    found.push(
                        `${where(monitor)} scrapes port "${e.port}", which ${where(svc)} lacks`,
                    );
                    continue;
                }
                const target = port.targetPort ?? port.port;
                for (const w of pods) {
                    const resolves =
                        typeof target === "number"
                            ? containerPorts(w).some((p) => p.containerPort === target)
                            : containerPorts(w).some((p) => p.name === target);
                    if (!resolves) {
                        found.push(
                            `${where(svc)} port "${e.port}" targets "${target}", which no container of ${where(w)} declares (${where(monitor)})`,
                        );
                    }
                }
            }
        }
    }
    return found;
}

const SCRAPE_POLICY = "allow-prometheus-scrape";
const objectsOf = (rs: readonly RegisteredResource[]): Obj[] =>
    rs
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .map((r) => r.props as unknown as Obj)
        .filter((o) => typeof o.kind === "string");
/** A deep copy, to break one object without touching the shared evaluation. */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

for (const stack of ["production1", "staging"] as StackName[]) {
    describe(`scrape targets of ${stack}`, function () {
        this.timeout(60_000);
        let objects: Obj[];
        before(async () => {
            objects = objectsOf(await adoptedResources(stack));
        });
        const named = (os: readonly Obj[], kind: string, name: string) => {
            const o = os.find((x) => x.kind === kind && x.metadata.name === name);
            assert.ok(o, `${kind}/${name}`);
            return o;
        };

        it("declares every port each PodMonitor scrapes on every pod it selects, and the scrape policy admits them", () => {
            assert.deepEqual(scrapeProblems(objects, SCRAPE_POLICY), []);
            // What the check above covered: every PodMonitor and the ServiceMonitor are there.
            assert.deepEqual(
                objects
                    .filter((o) => ["PodMonitor", "ServiceMonitor"].includes(o.kind))
                    .map(where)
                    .sort(),
                [
                    "PodMonitor/monitoring-redis",
                    "PodMonitor/monitoring-redis-proxy",
                    "ServiceMonitor/monitoring-orthanc",
                ],
            );
        });

        it("reports a pod that lost a scraped port (the check is not vacuous)", () => {
            const broken = copy(objects);
            const redis = named(broken, "StatefulSet", "redis");
            const sentinelExporter = redis.spec.template.spec.containers.find(
                (c: Any) => c.name === "sentinel-exporter",
            );
            delete sentinelExporter.ports;
            assert.deepEqual(scrapeProblems(broken, SCRAPE_POLICY).sort(), [
                'PodMonitor/monitoring-redis scrapes port "sentinel-export", which no container of StatefulSet/redis declares',
            ]);
        });

        it("reports a monitor that selects no pod, and a port the scrape policy does not admit", () => {
            const broken = copy(objects);
            named(broken, "PodMonitor", "monitoring-redis-proxy").spec.selector = {
                matchExpressions: [
                    { key: "app.kubernetes.io/name", operator: "In", values: ["redis-proxi"] },
                ],
            };
            const policy = named(broken, "NetworkPolicy", SCRAPE_POLICY);
            policy.spec.ingress[0].ports = policy.spec.ingress[0].ports.filter(
                (p: Any) => p.port !== "sentinel-export",
            );
            assert.deepEqual(scrapeProblems(broken, SCRAPE_POLICY).sort(), [
                'NetworkPolicy/allow-prometheus-scrape does not admit Prometheus to StatefulSet/redis on "sentinel-export" (PodMonitor/monitoring-redis)',
                "PodMonitor/monitoring-redis-proxy selects no pod",
            ]);
        });

        it("reports a ServiceMonitor whose Service port targets a port the pods do not declare", () => {
            const broken = copy(objects);
            const orthanc = named(broken, "Deployment", "orthanc-read-api");
            for (const c of orthanc.spec.template.spec.containers) delete c.ports;
            assert.deepEqual(scrapeProblems(broken, SCRAPE_POLICY), [
                'Service/orthanc-read-api-service port "http" targets "http", which no container of Deployment/orthanc-read-api declares (ServiceMonitor/monitoring-orthanc)',
            ]);
        });
    });
}
