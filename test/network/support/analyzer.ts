/**
 * Runs np-guard's network-config-analyzer (`nca`, installed by scripts/toolchain/network-tools.sh) on the
 * NetworkPolicies and pods of one adoption phase, and reads back who can connect to whom.
 *
 * A phase is the objects that decide reachability at that moment: the NetworkPolicies the
 * program has created, the workloads as their pods are labelled then (live labels while the
 * namespace is adopted, the program's after the reshape), and the Services that route the data
 * flow (live ones while adopted). The expected edges are derived from those Services and the
 * catalog, never copied by hand, so the same expectation serves every phase.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import type { K8sObject } from "../../../scripts/review/lib/objects";
import { ROOT } from "../../../lib/program";

/** Objects that decide reachability in one phase. */
export interface Phase {
    readonly name: string;
    readonly namespace: string;
    /** NetworkPolicies in force. */
    readonly policies: readonly K8sObject[];
    /** Deployments and StatefulSets, with the pod labels and container ports of this phase. */
    readonly workloads: readonly K8sObject[];
    /** Services of this phase: they name the pods and ports each edge of the data flow uses. */
    readonly services: readonly K8sObject[];
}

/**
 * What surrounds the namespace in the analysis. The analyzer only reasons about pods it is
 * shown, so each peer the policies name gets one representative pod.
 */
export const PEERS = {
    /** Cluster DNS, as kubeadm, GKE and kind label it. */
    dns: { namespace: "kube-system", name: "kube-dns", labels: { "k8s-app": "kube-dns" } },
    /** The inventory's gateway in front of the node ports. */
    gateway: {
        namespace: "apisix",
        name: "apisix",
        labels: { "app.kubernetes.io/name": "apisix" },
    },
    /**
     * The Prometheus that scrapes the namespace, in `monitoring.prometheusNamespace` (both stack
     * files: `monitoring`; the test says so if one changes).
     */
    prometheus: {
        namespace: "monitoring",
        name: "prometheus",
        labels: { "app.kubernetes.io/name": "prometheus" },
    },
    /** A pod of another namespace that the data flow does not name. */
    stranger: { namespace: "elsewhere", name: "stranger", labels: { app: "stranger" } },
} as const;

/** Addresses outside the cluster the tests probe. */
export const ADDRESSES = {
    /** A node-port client (TEST-NET-3): outside the cluster, not a pod. */
    client: "203.0.113.10",
    /** The cloud metadata endpoint. */
    metadata: "169.254.169.254",
} as const;

/** One connection the analyzer allows: endpoints as it prints them, and what may pass. */
export interface Allowed {
    /** `namespace/name` of a workload, or IP ranges (`a-b,c-d`) for addresses outside. */
    readonly src: string;
    readonly dst: string;
    readonly conn: Connection;
}

/** Protocol and destination ports allowed; `all` for every protocol and port. */
export type Connection = "all" | readonly { protocol: string; ports: "all" | [number, number][] }[];

/** The `nca` executable: SAPOCHE_NCA, or where scripts/toolchain/network-tools.sh installs it. */
export function ncaPath(): string {
    const nca =
        process.env.SAPOCHE_NCA ??
        execFileSync(
            "bash",
            [path.join(ROOT, "scripts", "toolchain", "network-tools.sh"), "--print"],
            {
                encoding: "utf8",
            },
        ).trim();
    if (!fs.existsSync(nca)) {
        throw new Error(`${nca} not found: run \`bash scripts/toolchain/network-tools.sh\` first`);
    }
    return nca;
}

const namespaceObject = (name: string) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
});

const peerPod = (p: (typeof PEERS)[keyof typeof PEERS], ports: object[] = []) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: { containers: [{ name: p.name, image: "peer", ports }] },
});

/**
 * A workload as the analyzer should see it: at least one replica, so that a workload scaled to
 * zero today (its node port is still the live contract) is still checked.
 */
function analysable(o: K8sObject): K8sObject {
    const spec = o.spec as { replicas?: number };
    return { ...o, spec: { ...spec, replicas: Math.max(1, spec.replicas ?? 1) } };
}

/** Writes the phase as YAML and runs the analyzer on it. */
export function analyze(phase: Phase, nca = ncaPath()): Allowed[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sapoche-nca-${phase.name}-`));
    try {
        const objects = [
            ...[phase.namespace, ...new Set(Object.values(PEERS).map((p) => p.namespace))].map(
                namespaceObject,
            ),
            peerPod(PEERS.dns, [
                { name: "dns", containerPort: 53, protocol: "UDP" },
                { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
            ]),
            peerPod(PEERS.gateway),
            peerPod(PEERS.prometheus),
            peerPod(PEERS.stranger, [{ name: "http", containerPort: 8080 }]),
            ...phase.workloads.map(analysable),
            ...phase.policies,
        ];
        const file = path.join(dir, "resources.yaml");
        fs.writeFileSync(
            file,
            objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1 })).join("---\n"),
        );
        const out = path.join(dir, "connectivity.txt");
        execFileSync(
            nca,
            [
                "--connectivity",
                "--resource_list",
                file,
                "--output_format",
                "txt_no_fw_rules",
                "--output_endpoints",
                "pods",
                "--file_out",
                out,
            ],
            { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" },
        );
        return parseConnectivity(fs.readFileSync(out, "utf8"));
    } finally {
        if (!process.env.SAPOCHE_KEEP_NCA) fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * `sapoche/sp-bnkd-php-2` -> `sapoche/sp-bnkd-php`: the analyzer makes pods `<workload>-<n>`
 * from each workload. Pods rather than workloads are reported because two pods of one workload
 * (Sentinel peers) are an edge too, and a workload is never reported connecting to itself. Peer
 * pods have no suffix; IP ranges stay as they are.
 */
function endpoint(text: string): string {
    const t = text.trim();
    return t.includes("/") ? t.replace(/-\d+$/, "") : t;
}

/** Parses `src => dst : conn` lines; anything else but the header is an error. */
export function parseConnectivity(text: string): Allowed[] {
    const allowed: Allowed[] = [];
    for (const line of text.split("\n")) {
        if (!line.includes(" => ")) continue;
        const m = /^(.+?) => (.+?) : (.+)$/.exec(line.trim());
        if (!m) throw new Error(`unreadable analyzer line: ${line}`);
        allowed.push({ src: endpoint(m[1]), dst: endpoint(m[2]), conn: parseConnection(m[3]) });
    }
    if (allowed.length === 0) throw new Error(`the analyzer reported no connection:\n${text}`);
    return allowed;
}

/** `All connections` or `{protocols:TCP,dst_ports:80,8000-8080},{protocols:UDP}`. */
export function parseConnection(text: string): Connection {
    if (text.trim() === "All connections") return "all";
    const parts = text.match(/\{[^}]*\}/g);
    if (!parts) throw new Error(`unreadable connection: ${text}`);
    return parts
        .map((part) => {
            const fields = Object.fromEntries(
                part
                    .slice(1, -1)
                    .split(/,(?=[a-z_]+:)/)
                    .map((f) => f.split(":") as [string, string]),
            );
            if (!fields.protocols) throw new Error(`unreadable connection: ${text}`);
            const ports: [number, number][] | "all" = fields.dst_ports
                ? fields.dst_ports.split(",").map((p) => {
                      const [a, b] = p.split("-").map(Number);
                      return [a, b ?? a];
                  })
                : "all";
            const unknown = Object.keys(fields).filter(
                (k) => k !== "protocols" && k !== "dst_ports",
            );
            if (unknown.length > 0) throw new Error(`unexpected fields ${unknown} in ${text}`);
            return { protocol: fields.protocols, ports };
        })
        .flatMap((c) =>
            c.protocol.split(",").map((protocol) => ({ ...c, protocol: protocol.trim() })),
        );
}

/** Whether the connection lets `protocol`/`port` through. */
export function permits(conn: Connection, protocol: string, port: number): boolean {
    if (conn === "all") return true;
    return conn.some(
        (c) =>
            c.protocol === protocol &&
            (c.ports === "all" || c.ports.some(([a, b]) => port >= a && port <= b)),
    );
}

const ipNumber = (ip: string) => ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);

/** Whether an endpoint printed as IP ranges (`0.0.0.0-9.255.255.255,11.0.0.0-...`) holds `ip`. */
export function rangesHold(endpointText: string, ip: string): boolean {
    if (endpointText.includes("/")) return false;
    const n = ipNumber(ip);
    return endpointText.split(",").some((range) => {
        const [a, b] = range.split("-");
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(a)) return false;
        return n >= ipNumber(a) && n <= ipNumber(b ?? a);
    });
}

/** A source or destination of an edge: a workload or peer pod, or an outside address. */
export type Endpoint = { readonly pod: string } | { readonly ip: string };

/** Whether the analyzer lets `src` reach `dst` on `protocol`/`port`. */
export function reaches(
    allowed: readonly Allowed[],
    src: Endpoint,
    dst: Endpoint,
    protocol: string,
    port: number,
): boolean {
    const matches = (text: string, e: Endpoint) =>
        "pod" in e ? text === e.pod : rangesHold(text, e.ip);
    return allowed.some(
        (a) => matches(a.src, src) && matches(a.dst, dst) && permits(a.conn, protocol, port),
    );
}
