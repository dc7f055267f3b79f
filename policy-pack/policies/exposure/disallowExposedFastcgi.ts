import { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import {
    allContainers,
    describe,
    isWorkload,
    objectName,
    podLabelsOf,
    podSpecOf,
    selectorMatches,
} from "../lib/kube";
import { isKind } from "../lib/resourceTypes";

const configSchema: PolicyConfigSchema = {
    properties: {
        // The catalog's php-fpm workloads, generated from the catalog (scripts/pack-config.ts).
        fastcgiWorkloads: { type: "array", items: { type: "string" }, default: [] },
        // `network.fastcgiClients`: named, confirmed client ranges (docs/network.md, "FastCGI").
        fastcgiClients: { type: "array", items: { type: "string" }, default: [] },
    },
};
interface Config {
    fastcgiWorkloads: string[];
    fastcgiClients: string[];
}

type Port = { name?: string; containerPort: number };
const SERVES_HTTP = /^(https?|metrics)(-|$)/;
const NAMED_FASTCGI = /(^|-)(fpm|fastcgi|fcgi)(-|$)/;
const RUNS_FPM = /php[^/]*-fpm|php-fpm|(^|\/)php:.*fpm/;

/**
 * A workload's FastCGI ports: any port named for FastCGI; and, in a container that runs php-fpm
 * (the catalog names its workload, or its image or command does), every port not named for
 * HTTP or metrics, since php-fpm speaks nothing else. `unknown`: php-fpm with undeclared ports.
 */
function fastcgiPorts(w: PolicyResource, config: Config): { ports: Port[]; fpm: boolean } {
    const pod = podSpecOf(w);
    const ports: Port[] = [];
    let fpm = false;
    for (const c of pod ? allContainers(pod) : []) {
        const runs =
            config.fastcgiWorkloads.includes(objectName(w)) ||
            RUNS_FPM.test(c.image ?? "") ||
            [...(c.command ?? []), ...((c as { args?: string[] }).args ?? [])].some((a) =>
                a.includes("php-fpm"),
            );
        fpm ||= runs;
        for (const p of c.ports ?? []) {
            const name = p.name ?? "";
            if (NAMED_FASTCGI.test(name) || (runs && !SERVES_HTTP.test(name))) ports.push(p);
        }
    }
    return { ports, fpm };
}

const ipInside = (inner: string, outer: string): boolean => {
    const parse = (c: string) => {
        const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c);
        if (!m) return undefined;
        const base = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
        return { base, size: 2 ** (32 - Number(m[5])) };
    };
    const i = parse(inner);
    const o = parse(outer);
    return !!i && !!o && i.base >= o.base && i.base + i.size <= o.base + o.size;
};

/**
 * FastCGI has no authentication: whoever reaches php-fpm runs code as it. Refused: a NodePort or
 * LoadBalancer Service port that reaches a FastCGI port while the pods are not closed to the
 * outside by NetworkPolicy, and a NetworkPolicy ingress rule that admits a FastCGI port from
 * anything but the namespace's own pods or the named `fastcgiClients` ranges.
 */
export const disallowExposedFastcgi: StackValidationPolicy = {
    name: "disallow-exposed-fastcgi",
    description:
        "Checks that no NodePort and no NetworkPolicy ingress rule exposes a php-fpm FastCGI port outside the namespace's pods and the named FastCGI clients.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const config = configOf<Config>(configSchema, args.getConfig());
        const workloads = args.resources.filter((r) => isWorkload(r.type));
        const policies = args.resources.filter((r) => isKind(r.type, "NetworkPolicy"));
        const selects = (np: PolicyResource, w: PolicyResource) =>
            selectorMatches(np.props.spec?.podSelector ?? {}, podLabelsOf(w));
        const ingressRules = (np: PolicyResource): any[] =>
            (np.props.spec?.policyTypes ?? ["Ingress"]).includes("Ingress")
                ? (np.props.spec?.ingress ?? [])
                : [];
        // A rule's ports hold a FastCGI port: none listed means every port.
        const admits = (rule: any, p: Port) =>
            !rule.ports?.length ||
            rule.ports.some(
                (x: any) =>
                    x.port === undefined ||
                    x.port === p.name ||
                    (typeof x.port === "number" &&
                        p.containerPort >= x.port &&
                        p.containerPort <= (x.endPort ?? x.port)),
            );
        // Known-good sources: the namespace's own pods, or a range inside a named client range.
        const outsider = (peer: any) =>
            peer.namespaceSelector !== undefined ||
            (peer.ipBlock !== undefined &&
                !config.fastcgiClients.some((c) => ipInside(peer.ipBlock.cidr, c))) ||
            (peer.podSelector === undefined && peer.ipBlock === undefined);
        const exposed = new Map<PolicyResource, Port[]>();
        for (const w of workloads) {
            const { ports } = fastcgiPorts(w, config);
            for (const np of policies.filter((x) => selects(x, w))) {
                for (const rule of ingressRules(np)) {
                    const open = ports.filter((p) => admits(rule, p));
                    const from: any[] = rule.from ?? [];
                    if (open.length === 0 || (from.length > 0 && !from.some(outsider))) continue;
                    exposed.set(w, [...(exposed.get(w) ?? []), ...open]);
                    reportViolation(
                        `${describe(np)} admits FastCGI port ${open.map((p) => p.name ?? p.containerPort).join(", ")} ` +
                            `of ${describe(w)} from ${from.length ? "outside the namespace's pods" : "every source"}; ` +
                            `admit only the namespace's pods (podSelector) or named fastcgiClients ranges.`,
                        np.urn,
                    );
                }
            }
        }
        // Closed by NetworkPolicy: an ingress policy isolates the pods and no rule exposes the port.
        const closed = (w: PolicyResource, p: Port) =>
            policies.some(
                (np) =>
                    selects(np, w) &&
                    (np.props.spec?.policyTypes ?? ["Ingress"]).includes("Ingress"),
            ) && !(exposed.get(w) ?? []).includes(p);
        for (const svc of args.resources.filter((r) => isKind(r.type, "Service"))) {
            const spec = svc.props.spec ?? {};
            if (spec.type !== "NodePort" && spec.type !== "LoadBalancer") continue;
            for (const w of workloads.filter((x) =>
                selectorMatches({ matchLabels: spec.selector ?? {} }, podLabelsOf(x)),
            )) {
                if (!spec.selector || Object.keys(spec.selector).length === 0) continue;
                const { ports, fpm } = fastcgiPorts(w, config);
                const declared = (podSpecOf(w) ? allContainers(podSpecOf(w)!) : []).flatMap(
                    (c) => c.ports ?? [],
                );
                for (const sp of spec.ports ?? []) {
                    const target = sp.targetPort ?? sp.port;
                    const resolve = (list: Port[]) =>
                        list.find((p) =>
                            typeof target === "string"
                                ? p.name === target
                                : p.containerPort === target,
                        );
                    const hit = resolve(ports);
                    if (fpm && !resolve(declared)) {
                        reportViolation(
                            `${describe(svc)} port ${sp.name ?? sp.port} reaches php-fpm in ${describe(w)} on ` +
                                `${JSON.stringify(target)}, which no container declares; declare it, named http for HTTP.`,
                            svc.urn,
                        );
                    } else if (hit && !closed(w, hit)) {
                        reportViolation(
                            `${describe(svc)} port ${sp.name ?? sp.port} (nodePort ${sp.nodePort ?? "auto"}) exposes ` +
                                `FastCGI port ${hit.name ?? hit.containerPort} of ${describe(w)}; remove it from the ` +
                                `node ports, or close it by NetworkPolicy to all but nginx and named fastcgiClients.`,
                            svc.urn,
                        );
                    }
                }
            }
        }
    },
};
