/**
 * The data flow of docs/live-namespace.txt as edges between the pods of a phase, derived from
 * that phase's Services and the catalog (so the live Services while adopted, the program's after
 * the reshape), and the checks the network tests make with the analyzer's answer.
 */
import { parseCidr } from "../../../stacks/schema/network";
import * as catalog from "../../../stacks/catalog";
import { isFastcgiPort } from "../../../stacks/flows";
import type { Flow } from "../../../stacks/flows";
import { METRICS_PORTS } from "../../../components/shared/metrics";
import type { K8sObject } from "../../../scripts/review/lib/objects";
import { ADDRESSES, Allowed, Endpoint, PEERS, Phase, reaches } from "./analyzer";

/** One edge of the data flow: who connects, to which pod and port. */
export interface Edge {
    readonly what: string;
    /** `any`: node-port backends accept every source (node addresses, the gateway, clinics). */
    readonly src: Endpoint | "any";
    readonly dst: { readonly pod: string };
    readonly protocol: "TCP";
    /** NaN when the pod does not serve on the Service's target port (see resolvePort). */
    readonly port: number;
}

interface PodTemplate {
    metadata?: { labels?: Record<string, string> };
    spec?: { containers?: { ports?: { name?: string; containerPort: number }[] }[] };
}

const template = (w: K8sObject) =>
    ((w.spec as { template?: PodTemplate }).template ?? {}) as PodTemplate;
export const podName = (phase: Phase, w: K8sObject) => `${phase.namespace}/${w.metadata.name}`;

/**
 * The port a target port resolves to on a workload's pods; NaN when they do not serve on it: a
 * name no container declares, or a number that pods declaring their ports do not declare (the
 * live pods declare none, so a number on them cannot be checked).
 */
export function resolvePort(w: K8sObject, target: string | number): number {
    const ports = (template(w).spec?.containers ?? []).flatMap((c) => c.ports ?? []);
    if (typeof target === "number") {
        return ports.length === 0 || ports.some((p) => p.containerPort === target) ? target : NaN;
    }
    return ports.find((p) => p.name === target)?.containerPort ?? NaN;
}

export function workload(phase: Phase, name: string): K8sObject | undefined {
    return phase.workloads.find((w) => w.metadata.name === name);
}

interface ServiceSpec {
    type?: string;
    selector?: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: string | number }[];
}

/** The workloads a Service sends traffic to, with each port's target on them. */
function backends(phase: Phase, service: K8sObject, portName?: string) {
    const spec = service.spec as ServiceSpec;
    const selector = spec.selector ?? {};
    const pods = phase.workloads.filter((w) => {
        const labels = template(w).metadata?.labels ?? {};
        return Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    const ports = spec.ports.filter((p) => portName === undefined || p.name === portName);
    return pods.flatMap((w) =>
        ports.map((p) => ({
            w,
            servicePort: p.port,
            port: resolvePort(w, p.targetPort ?? p.port),
        })),
    );
}

function service(phase: Phase, name: string): K8sObject {
    const s = phase.services.find((x) => x.metadata.name === name);
    if (!s) throw new Error(`phase ${phase.name} has no Service ${name}`);
    return s;
}

/**
 * Every edge of the inventory's data flow, as this phase's Services and pods route it.
 * `legacyService`: the Service in front of the live redis-master while its data moves into the
 * cluster (docs/operations/redis.md): the nodes, Sentinels and the proxy connect to it.
 */
export function dataFlow(
    phase: Phase,
    environment: string,
    legacyService?: string,
    fastcgiClosed = false,
): Edge[] {
    const edges: Edge[] = [];
    const via = (what: string, src: Endpoint | "any", svc: string, portName?: string) => {
        const found = backends(phase, service(phase, svc), portName);
        if (found.length === 0) throw new Error(`${what}: Service ${svc} selects no pod`);
        for (const b of found) {
            edges.push({
                what: `${what}: ${svc}:${b.servicePort} -> ${b.w.metadata.name}`,
                src,
                dst: { pod: podName(phase, b.w) },
                protocol: "TCP",
                port: b.port,
            });
        }
    };
    // Outside -> APISIX -> node ports: the frontends, nginx, PHP (80, and 9000 until the final
    // phase closes FastCGI) and Orthanc.
    for (const s of phase.services.filter((x) => (x.spec as ServiceSpec).type === "NodePort")) {
        for (const p of (s.spec as ServiceSpec).ports) {
            if (fastcgiClosed && isFastcgiPort(s.metadata.name, p.name ?? "")) continue;
            via("node-port clients", "any", s.metadata.name, p.name);
        }
    }
    const nginx = workload(phase, catalog.phpBackend.nginx.name);
    if (!nginx) throw new Error(`phase ${phase.name} has no ${catalog.phpBackend.nginx.name}`);
    via(
        "nginx -> php-fpm",
        { pod: podName(phase, nginx) },
        catalog.phpBackend.fpm.service.name,
        "fpm",
    );
    // The backend families use Redis through redis-sp (the cache, sessions, queues of jobs).
    const redisClients = [
        ...catalog.consumers.map((c) => c.name),
        ...catalog.workers.map((w) => w.name),
        catalog.phpBackend.fpm.name,
        catalog.schedulerName(environment),
    ];
    for (const name of redisClients) {
        const w = workload(phase, name);
        if (!w) throw new Error(`phase ${phase.name} has no workload ${name}`);
        via("backend -> redis-sp", { pod: podName(phase, w) }, catalog.redis.service, "redis");
    }
    // The Sentinel tier: the proxy routes to the master, nodes replicate, Sentinels gossip.
    const nodes = workload(phase, catalog.redis.statefulSet);
    const proxy = workload(phase, catalog.redis.proxy);
    if (nodes && proxy) {
        for (const port of ["redis", "sentinel"]) {
            for (const [what, src] of [
                ["redis-proxy -> Redis", proxy],
                ["Sentinel peers", nodes],
            ] as const) {
                edges.push({
                    what: `${what} (${port})`,
                    src: { pod: podName(phase, src) },
                    dst: { pod: podName(phase, nodes) },
                    protocol: "TCP",
                    port: resolvePort(nodes, port),
                });
            }
        }
    }
    if (legacyService) {
        for (const src of [nodes, proxy]) {
            if (!src) throw new Error(`phase ${phase.name} has no Redis tier to move data into`);
            via("Redis tier -> legacy redis-master", { pod: podName(phase, src) }, legacyService);
        }
    }
    return edges;
}

/**
 * Prometheus scraping the exporters, on the named ports the PodMonitors scrape
 * (components/shared/metrics.ts): redis_exporter beside Redis (`metrics`) and beside Sentinel
 * (`sentinel-export`), and HAProxy (`metrics`). A port no container declares is reported as such by `cutEdges`.
 */
export function scrapeEdges(phase: Phase): Edge[] {
    const prometheus = { pod: `${PEERS.prometheus.namespace}/${PEERS.prometheus.name}` };
    const targets: [string, string[]][] = [
        [catalog.redis.statefulSet, [METRICS_PORTS.metrics, METRICS_PORTS.sentinelMetrics]],
        [catalog.redis.proxy, [METRICS_PORTS.metrics]],
    ];
    return targets.flatMap(([name, ports]) => {
        const w = workload(phase, name);
        if (!w) throw new Error(`phase ${phase.name} has no workload ${name} to scrape`);
        return ports.map((port) => ({
            what: `Prometheus scrapes ${name} (${port})`,
            src: prometheus,
            dst: { pod: podName(phase, w) },
            protocol: "TCP" as const,
            port: resolvePort(w, port),
        }));
    });
}

/** Concrete sources standing for `any`: an outside client and the gateway's pod. */
export const ANY_SOURCES: Endpoint[] = [
    { ip: ADDRESSES.client },
    { pod: `${PEERS.gateway.namespace}/${PEERS.gateway.name}` },
];

export const show = (e: Endpoint) => ("pod" in e ? e.pod : e.ip);

/** Edges the analyzer does not allow, as readable lines (empty when every edge passes). */
export function cutEdges(allowed: readonly Allowed[], edges: readonly Edge[]): string[] {
    const cut: string[] = [];
    for (const e of edges) {
        for (const src of e.src === "any" ? ANY_SOURCES : [e.src]) {
            if (Number.isNaN(e.port)) {
                cut.push(`${e.what} from ${show(src)}: target port declared by no container`);
            } else if (!reaches(allowed, src, e.dst, e.protocol, e.port)) {
                cut.push(`${e.what} from ${show(src)} (${e.protocol}/${e.port})`);
            }
        }
    }
    return cut;
}

/**
 * Allowed connections into the namespace's pods that no edge explains: an outside address or a
 * pod of any namespace reaching a pod on a port the data flow does not use.
 */
export function unexpectedIngress(
    allowed: readonly Allowed[],
    edges: readonly Edge[],
    namespace: string,
): string[] {
    const found: string[] = [];
    for (const a of allowed.filter((x) => x.dst.startsWith(`${namespace}/`))) {
        const explained = edges.filter(
            (e) =>
                e.dst.pod === a.dst && (e.src === "any" || ("pod" in e.src && e.src.pod === a.src)),
        );
        const extra: string[] = [];
        if (a.conn === "all") extra.push("all connections");
        else {
            for (const c of a.conn) {
                const ranges = c.ports === "all" ? [[0, 65535] as [number, number]] : c.ports;
                for (const [lo, hi] of ranges) {
                    for (let p = lo; p <= hi; p++) {
                        if (!explained.some((e) => e.protocol === c.protocol && e.port === p)) {
                            extra.push(`${c.protocol}/${p}`);
                            break;
                        }
                    }
                }
            }
        }
        if (extra.length > 0) found.push(`${a.src} -> ${a.dst}: ${extra.join(", ")}`);
    }
    // One line per workload pair (the analyzer reports each pod pair).
    return [...new Set(found)].sort();
}

/** An address inside a CIDR to probe it with: the middle of the range, never the metadata one. */
export function probeAddress(cidr: string): string {
    const c = parseCidr(cidr);
    if (!c) throw new Error(`not a CIDR: ${cidr}`);
    const n = c.base + Math.floor(2 ** (32 - c.prefix) / 2) + (c.prefix < 31 ? 7 : 0);
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/**
 * Egress of every workload of the phase, against the flow list: DNS (UDP and TCP 53) for all;
 * each destination outside the namespace on its ports for the workloads its flow names, and
 * for no other; never a port no destination names, the metadata address or another namespace's
 * pod. Returns the violations.
 */
export function egressViolations(
    allowed: readonly Allowed[],
    phase: Phase,
    flows: readonly Flow[],
): string[] {
    const found: string[] = [];
    const dns = { pod: `${PEERS.dns.namespace}/${PEERS.dns.name}` };
    const stranger = { pod: `${PEERS.stranger.namespace}/${PEERS.stranger.name}` };
    const external = flows.filter((f) => f.to.kind === "addresses");
    const configuredPorts = [
        ...new Set(external.flatMap((f) => f.ports.map((p) => Number(p.port)))),
    ];
    // A port no destination names: SSH, the classic way out.
    const unconfigured = 22;
    if (configuredPorts.includes(unconfigured)) throw new Error("pick another unconfigured port");
    for (const w of phase.workloads) {
        const src = { pod: podName(phase, w) };
        const must = (ok: boolean, what: string) => {
            if (!ok) found.push(`${src.pod}: ${what}`);
        };
        must(reaches(allowed, src, dns, "UDP", 53), "cannot resolve names (kube-dns UDP/53)");
        must(reaches(allowed, src, dns, "TCP", 53), "cannot resolve names (kube-dns TCP/53)");
        const mine = external.filter(
            (f) => f.from.kind === "pods" && f.from.names.includes(w.metadata.name),
        );
        const myPorts = new Set(mine.flatMap((f) => f.ports.map((p) => Number(p.port))));
        for (const f of external) {
            if (f.to.kind !== "addresses") continue;
            const client = mine.includes(f);
            for (const b of f.to.blocks) {
                const ip = { ip: probeAddress(b.cidr) };
                for (const p of f.ports) {
                    const port = Number(p.port);
                    const ok = reaches(allowed, src, ip, "TCP", port);
                    if (client) must(ok, `cannot reach ${f.to.name} ${ip.ip}:${port}`);
                    else if (!myPorts.has(port)) {
                        must(!ok, `reaches ${f.to.name} ${ip.ip}:${port}, not one of its clients`);
                    }
                }
                must(
                    !reaches(allowed, src, ip, "TCP", unconfigured),
                    `reaches ${ip.ip}:${unconfigured}, a port no destination names`,
                );
            }
        }
        for (const port of [80, 443, ...configuredPorts]) {
            must(
                !reaches(allowed, src, { ip: ADDRESSES.metadata }, "TCP", port),
                `reaches the metadata address on ${port}`,
            );
        }
        must(!reaches(allowed, src, stranger, "TCP", 8080), "reaches a pod of another namespace");
    }
    return found;
}
