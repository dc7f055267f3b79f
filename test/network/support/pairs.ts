/**
 * The flow list (stacks/flows.ts) as edges the analyzer can check, and the allowed pairs that
 * neither the flow list nor the inventory's data flow explains: the network test's report.
 */
import type { Flow } from "../../../stacks/flows";
import { Allowed, Endpoint, PEERS, Phase, rangesHold } from "./analyzer";
import { ANY_SOURCES, Edge, podName, probeAddress, resolvePort, show, workload } from "./flow";

/** The analyzer's endpoint of a flow's end: the namespace's pods, the peer pods, or addresses. */
function endpoints(phase: Phase, flow: Flow, end: "from" | "to"): Endpoint[] {
    const p = flow[end];
    switch (p.kind) {
        case "pods":
            return p.names
                .filter((n) => workload(phase, n))
                .map((n) => ({ pod: `${phase.namespace}/${n}` }));
        case "namespaces":
            return Object.values(PEERS)
                .filter((peer) => p.namespaces.includes(peer.namespace))
                .map((peer) => ({ pod: `${peer.namespace}/${peer.name}` }));
        case "dns":
            return [{ pod: `${PEERS.dns.namespace}/${PEERS.dns.name}` }];
        case "addresses":
            return p.blocks.map((b) => ({ ip: probeAddress(b.cidr) }));
    }
}

/**
 * The flow list's connections as edges between this phase's pods, peers and probe addresses:
 * a named port resolves on each destination workload (NaN where none declares it).
 */
export function flowEdges(phase: Phase, flows: readonly Flow[]): Edge[] {
    return flows.flatMap((f) => {
        const edges = endpoints(phase, f, "from").flatMap((src) =>
            endpoints(phase, f, "to").flatMap((dst) =>
                "ip" in dst
                    ? []
                    : f.ports.map((p) => {
                          const w = phase.workloads.find((x) => podName(phase, x) === dst.pod);
                          const port =
                              typeof p.port === "number"
                                  ? p.port
                                  : w
                                    ? resolvePort(w, p.port)
                                    : NaN;
                          return {
                              what: `${f.key}: ${show(src)} -> ${dst.pod} (${p.port})`,
                              src,
                              dst,
                              protocol: p.protocol as "TCP",
                              port,
                              name: p.port,
                          };
                      }),
            ),
        );
        // A named port selects the pods that declare it (Kubernetes' semantics): a name none
        // of the flow's destinations declares stays, to be reported; others are skipped.
        return edges
            .filter(
                (e) =>
                    !Number.isNaN(e.port) ||
                    !edges.some((x) => x.name === e.name && !Number.isNaN(x.port)),
            )
            .map(({ name: _name, ...e }): Edge => e);
    });
}

/**
 * Allowed workload pairs no edge explains, in both directions: into the namespace's pods (from
 * an address or any pod) and out of them to other namespaces' pods. `in-cluster` pairs have a
 * pod at both ends. Sources of an `any` edge are the node-port sources: addresses and the gateway.
 */
export function extraPairs(
    allowed: readonly Allowed[],
    edges: readonly Edge[],
    namespace: string,
): { inCluster: string[]; outside: string[] } {
    // An `any` edge stands for every node-port source: the analyzer splits the allowed
    // addresses into several ranges around the pod network, each one is such a source.
    const explains = (a: Allowed, e: Edge, protocol: string, port: number) =>
        e.dst.pod === a.dst &&
        e.protocol === protocol &&
        e.port === port &&
        (e.src === "any"
            ? !a.src.includes("/") || ANY_SOURCES.some((x) => "pod" in x && x.pod === a.src)
            : "pod" in e.src
              ? e.src.pod === a.src
              : rangesHold(a.src, e.src.ip));
    const concrete = edges;
    const lines: string[] = [];
    const mine = (t: string) => t.startsWith(`${namespace}/`);
    for (const a of allowed.filter((x) => mine(x.dst) || (mine(x.src) && x.dst.includes("/")))) {
        const extra: string[] = [];
        const conns = a.conn === "all" ? [{ protocol: "TCP", ports: "all" as const }] : a.conn;
        for (const c of conns) {
            const ranges = c.ports === "all" ? [[0, 65535] as [number, number]] : c.ports;
            for (const [lo, hi] of ranges) {
                for (let p = lo; p <= hi; p++) {
                    if (!concrete.some((e) => explains(a, e, c.protocol, p))) {
                        extra.push(`${c.protocol}/${p}`);
                        break;
                    }
                }
            }
        }
        if (extra.length > 0) lines.push(`${a.src} -> ${a.dst}: ${extra.join(", ")}`);
    }
    const unique = [...new Set(lines)].sort();
    return {
        inCluster: unique.filter((l) => l.split(" -> ")[0].includes("/")),
        outside: unique.filter((l) => !l.split(" -> ")[0].includes("/")),
    };
}
