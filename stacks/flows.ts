/**
 * The flow list: every connection the namespace's pods take part in, in one place. The baseline
 * renders its NetworkPolicies from it (components/namespace-baseline.ts), the network test proves
 * with a real analyzer that these flows pass and nothing else does (test/network), and the
 * diagram draws it (scripts/review/diagram.ts). A connection missing here is denied once policies
 * apply (adoption phase `enforce`); docs/network.md says how to add one.
 */
import * as catalog from "./catalog";
import type { AdoptionPhase } from "./adoption";
import type { PlanEntry } from "./plan";
import type { NetworkSettings } from "./schema/network";
import { METADATA_ADDRESS, cidrContains, parseCidr } from "./schema/network";

export type { Flow, FlowPort, Peer } from "../components/shared/flow";
import type { Flow, FlowPort, Peer } from "../components/shared/flow";

const tcp = (...ports: (string | number)[]): FlowPort[] =>
    ports.map((port) => ({ protocol: "TCP", port }));

/** The pods a family's clients run in: php's nginx serves, only php-fpm runs the application. */
export function clientPods(plan: readonly PlanEntry[], families: readonly string[]): string[] {
    return plan.flatMap((p) => {
        if (!families.includes(p.family)) return [];
        switch (p.family) {
            case "php-backend":
                return [p.fpm.name];
            case "scheduler":
                return [p.settings.liveName];
            case "redis":
                return [catalog.redis.statefulSet, catalog.redis.proxy];
            default:
                return [p.name];
        }
    });
}

/**
 * Ranges with the pod network and the metadata address carved out where they overlap: pods are
 * reached as pods (by peer and port), never through a broad range.
 */
export function outsideBlocks(cidrs: readonly string[], podNetwork: readonly string[]) {
    return cidrs.map((cidr) => {
        const size = (c: string) => parseCidr(c)?.prefix ?? 32;
        const except = [...podNetwork, `${METADATA_ADDRESS}/32`].filter(
            (inner) => cidrContains(cidr, inner.split("/")[0]) && size(inner) > size(cidr),
        );
        return { cidr, except };
    });
}

/** Whether a Service port is a FastCGI port: php-fpm's, as the catalog names it. */
export function isFastcgiPort(service: string, portName: string): boolean {
    return (
        service === catalog.phpBackend.fpm.service.name &&
        catalog.phpBackend.fpm.service.ports.some((p) => p.name === portName && p.name === "fpm")
    );
}

/**
 * Every flow of the namespace in this phase. Before `done`, php-fpm's node port keeps the live
 * contract (any node-port source); in `done` FastCGI is reached only by nginx and by the named
 * `network.fastcgiClients` ranges (docs/network.md, "FastCGI").
 */
export function networkFlows(settings: {
    readonly adoption: { readonly phase: AdoptionPhase };
    readonly network: NetworkSettings;
    readonly plan: readonly PlanEntry[];
    readonly monitoring: { readonly prometheusNamespace: string };
}): Flow[] {
    const { network, plan } = settings;
    const closed = settings.adoption.phase === "done";
    const podNetwork = network.podNetwork;
    const outside: Peer = {
        kind: "addresses",
        name: "node-port sources",
        blocks: outsideBlocks(network.nodePortSources.cidrs, podNetwork),
        reason: network.nodePortSources.reason,
    };
    const flows: Flow[] = [];
    // Outside -> APISIX -> node ports: each NodePort Service's backends on its target ports.
    const nodePortBackends = new Map<string, Set<string>>();
    const fastcgi = new Map<string, Set<string>>();
    for (const s of catalog.nodePortServices) {
        for (const p of s.ports) {
            const into = closed && isFastcgiPort(s.name, p.name) ? fastcgi : nodePortBackends;
            const set = into.get(s.selects) ?? new Set<string>();
            set.add(String(p.targetPort ?? p.name));
            into.set(s.selects, set);
        }
    }
    const served = (m: Map<string, Set<string>>) =>
        [...new Set([...m.values()].flatMap((s) => [...s]))].sort();
    const gateway: Peer = { kind: "namespaces", namespaces: network.nodePortSources.namespaces };
    for (const [key, from] of [
        ["node-ports", outside],
        ["node-ports-gateway", gateway],
    ] as const) {
        flows.push({
            key,
            what: `${key === "node-ports" ? "node-port clients" : "the gateway's pods"} -> the node-port backends`,
            from,
            to: { kind: "pods", names: [...nodePortBackends.keys()].sort() },
            ports: tcp(...served(nodePortBackends)),
            renderedBy: "baseline",
        });
    }
    const fpm = catalog.phpBackend.fpm.name;
    const nginx = catalog.phpBackend.nginx.name;
    flows.push({
        key: "fastcgi",
        what: "nginx -> php-fpm (FastCGI)",
        from: { kind: "pods", names: [nginx] },
        to: { kind: "pods", names: [fpm] },
        ports: tcp("fpm"),
        renderedBy: "baseline",
    });
    if (closed && network.fastcgiClients.length > 0) {
        flows.push({
            key: "fastcgi-clients",
            what: "named, confirmed FastCGI clients outside the cluster -> php-fpm's node port",
            from: {
                kind: "addresses",
                name: "fastcgi clients",
                blocks: outsideBlocks(network.fastcgiClients, podNetwork),
                reason: "",
            },
            to: { kind: "pods", names: [fpm] },
            ports: tcp("fpm"),
            renderedBy: "baseline",
        });
    }
    const redisClients = clientPods(plan, ["queue-consumer", "worker", "php-backend", "scheduler"]);
    const nodes = catalog.redis.statefulSet;
    const proxy = catalog.redis.proxy;
    flows.push(
        {
            key: "redis-proxy-clients",
            what: "backend -> redis-sp (cache, sessions, job queues)",
            from: { kind: "pods", names: redisClients },
            to: { kind: "pods", names: [proxy] },
            ports: tcp("redis"),
            renderedBy: "baseline",
        },
        {
            key: "redis-proxy-backends",
            what: "redis-proxy -> Redis (the master) and Sentinel (26379, its health check asks for the master)",
            from: { kind: "pods", names: [proxy] },
            to: { kind: "pods", names: [nodes] },
            ports: tcp("redis", "sentinel"),
            renderedBy: "baseline",
        },
        {
            key: "redis-peers",
            what: "Redis replication and Sentinel gossip among the Redis pods",
            from: { kind: "pods", names: [nodes] },
            to: { kind: "pods", names: [nodes] },
            ports: tcp("redis", "sentinel"),
            renderedBy: "baseline",
        },
        {
            key: "prometheus-scrape",
            what: "Prometheus scrapes the Redis, Sentinel and HAProxy exporters",
            from: { kind: "namespaces", namespaces: [settings.monitoring.prometheusNamespace] },
            to: { kind: "pods", names: [nodes, proxy] },
            ports: tcp("metrics", "sentinel-export"),
            renderedBy: "monitoring",
        },
    );
    const everyPod = plan.flatMap((p) =>
        p.family === "php-backend" ? [p.fpm.name, p.nginx.name] : clientPods(plan, [p.family]),
    );
    flows.push({
        key: "dns",
        what: "every pod resolves Service and destination names",
        from: { kind: "pods", names: [...new Set(everyPod)] },
        to: { kind: "dns" },
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
        renderedBy: "baseline",
    });
    for (const [name, d] of Object.entries(network.egress).sort(([a], [b]) => a.localeCompare(b))) {
        const from = clientPods(plan, d.from);
        if (from.length === 0) continue;
        flows.push({
            key: `egress-${name}`,
            what: `${d.from.join(", ")} -> ${name}`,
            from: { kind: "pods", names: from },
            to: {
                kind: "addresses",
                name,
                blocks: outsideBlocks(d.cidrs, podNetwork),
                reason: d.reason,
            },
            ports: tcp(...d.ports),
            renderedBy: "baseline",
        });
    }
    return flows;
}
