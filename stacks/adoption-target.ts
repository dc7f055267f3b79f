/**
 * `redis.legacyMaster`, resolved as a pod of the namespace resolves it. The proxy sends clients to
 * that address until Redis' data has moved (docs/operations/redis.md); if it named one of the
 * program's own Services, the proxy would send clients back to itself or to the empty cluster, so
 * every spelling that Kubernetes DNS resolves to one of them is refused.
 */
import { nodePortServices, redis } from "./catalog";

/**
 * Every Service the program renders (test/adoption-target.test.ts holds this list equal to what
 * the program registers for both stacks).
 */
export const OWN_SERVICES: readonly string[] = [
    ...nodePortServices.map((s) => s.name),
    redis.service,
    redis.sentinelService,
    redis.headlessService,
];

export const LEGACY_ACCEPTED =
    '"", or the live Redis by DNS name, optionally with :port (1-65535): a Service of the ' +
    "namespace (redis-legacy), <service>.<namespace>[.svc[.<cluster domain>]], or a host outside " +
    "the cluster; not an IP address (it cannot be told apart from a Service's cluster IP)";

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The host's labels, lower case, or a reason the value is not a host[:port]. */
function hostLabels(value: string): string[] | string {
    let host = value.toLowerCase();
    const port = /^(.*):([0-9]{1,5})$/.exec(host);
    if (port) {
        const n = Number(port[2]);
        if (n < 1 || n > 65535) return `port ${port[2]} is outside 1-65535`;
        host = port[1];
    }
    if (host.endsWith(".")) host = host.slice(0, -1);
    if (host.length === 0 || host.length > 253) return "not a DNS name";
    const labels = host.split(".");
    if (!labels.every((l) => LABEL.test(l))) return "not a DNS name";
    if (labels.every((l) => /^[0-9]+$/.test(l))) return "an IP address";
    return labels;
}

/**
 * The `(service, namespace)` pairs a name can resolve to from a pod of `namespace`: the pod's
 * search list is `<namespace>.svc.<domain>`, `svc.<domain>`, `<domain>`, and a headless Service's
 * pods are `<pod>.<service>.<namespace>.svc.<domain>`.
 */
function candidates(labels: readonly string[], namespace: string): [string, string][] {
    const n = labels.length;
    const pairs: [string, string][] = [];
    // `<service>` or `<pod>.<service>`, completed by `<namespace>.svc.<domain>`.
    if (n <= 2) pairs.push([labels[n - 1], namespace]);
    // `<service>.<ns>` or `<pod>.<service>.<ns>`, completed by `svc.<domain>`.
    if (n === 2 || n === 3) pairs.push([labels[n - 2], labels[n - 1]]);
    // Fully spelled, with any cluster domain: `...<service>.<ns>.svc[.<domain>]`.
    labels.forEach((l, i) => {
        if (l === "svc" && i >= 2) pairs.push([labels[i - 2], labels[i - 1]]);
    });
    return pairs;
}

/**
 * What the legacy target of a stack in `namespace` must be, phrased as the config error's
 * "expected" part and saying what `value` is instead; undefined when `value` is acceptable.
 * `""` (no legacy Redis) is always accepted.
 */
export function legacyTargetProblem(value: string, namespace: string): string | undefined {
    if (value === "") return undefined;
    const labels = hostLabels(value);
    if (typeof labels === "string") {
        return `${LEGACY_ACCEPTED} (${JSON.stringify(value)} is ${labels})`;
    }
    const ns = namespace.toLowerCase();
    const own = candidates(labels, ns).find(([s, n]) => n === ns && OWN_SERVICES.includes(s));
    if (own) {
        return (
            `the live Redis, never one of this program's own Services (${OWN_SERVICES.join(", ")}), ` +
            `such as redis-legacy.${ns}.svc.cluster.local (docs/operations/adoption.md, "Before ` +
            `import"): ${JSON.stringify(value)} resolves to ${own[0]}.${ns}.svc, so the proxy ` +
            `would send clients back into the new Redis tier instead of the live redis-master`
        );
    }
    return undefined;
}
