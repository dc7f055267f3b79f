/**
 * `sapoche-stack:network`: the ranges the namespace's flows name: the pod network, where
 * node-port traffic comes from, FastCGI's named clients and the destinations outside the
 * namespace with the families that use them. The flows themselves are stacks/flows.ts; the
 * cloud metadata address is never reachable. Proven by `npm run test:network` (docs/network.md).
 */
import { z } from "zod";
import { FAMILIES } from "../../components/shared/labels";

/** The cloud metadata endpoint: credentials of the node's cloud identity. Never reachable. */
export const METADATA_ADDRESS = "169.254.169.254";

const CIDR = "an IPv4 CIDR such as 10.20.0.0/16 (host bits zero), outside 169.254.0.0/16";
const NAME = "a destination name (lowercase letters, digits and '-', e.g. broker, database)";
const PORT = "a TCP port from 1 to 65535";

/** The address of an IPv4 CIDR as a 32-bit number and its prefix length, or undefined. */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    return { base, prefix };
}

const size = (prefix: number) => 2 ** (32 - prefix);

/** Whether the address lies inside the CIDR. */
export function cidrContains(cidr: string, address: string): boolean {
    const c = parseCidr(cidr);
    const a = parseCidr(`${address}/32`);
    if (!c || !a) return false;
    return a.base >= c.base && a.base < c.base + size(c.prefix);
}

const cidr = z.string({ error: CIDR }).refine(
    (value) => {
        const c = parseCidr(value);
        // Host bits set (10.1.2.3/16) is refused: the API server keeps it, but a reader takes it
        // for a single host. Link-local (169.254.0.0/16: the metadata endpoint and its kin) is
        // refused outright rather than carved out: nothing the platform uses lives there.
        return (
            c !== undefined &&
            c.base % size(c.prefix) === 0 &&
            !(c.prefix >= 16 && cidrContains("169.254.0.0/16", value.split("/")[0]))
        );
    },
    { error: CIDR },
);

const port = z
    .number({ error: PORT })
    .int({ error: PORT })
    .min(1, { error: PORT })
    .max(65535, { error: PORT });

const FAMILY = `one of the workload families: ${FAMILIES.join(", ")}`;
const family = z.enum(FAMILIES, { error: FAMILY });
const REASON = "why every address is allowed (a non-empty sentence), or narrower CIDRs";

/** Whether a CIDR admits every address (its prefix is 0). */
export const isEveryAddress = (c: string) => parseCidr(c)?.prefix === 0;

/**
 * `0.0.0.0/0` only with a recorded reason: the destination's addresses are facts to confirm
 * (docs/assumptions.md); the reason says so in the stack file a reviewer reads.
 */
function everyAddressNeedsReason(
    v: { cidrs: readonly string[]; reason: string },
    ctx: z.RefinementCtx,
): void {
    const i = v.cidrs.findIndex(isEveryAddress);
    if (i >= 0 && v.reason.trim() === "") {
        ctx.addIssue({ code: "custom", path: ["reason"], message: REASON });
    }
}

const cidrs = z.array(cidr, { error: `a list of ${CIDR}` });

/** One destination outside the namespace: its address ranges, TCP ports and its clients. */
const destination = z
    .strictObject({
        cidrs: cidrs.min(1, { error: "at least one CIDR" }),
        ports: z.array(port, { error: `a list of ${PORT}` }).min(1, { error: "at least one port" }),
        from: z.array(family, { error: `a list of ${FAMILY}` }),
        reason: z.string({ error: REASON }),
    })
    .superRefine(everyAddressNeedsReason);

/** Where node-port traffic may come from: ranges outside the pod network, and gateway namespaces. */
const nodePortSources = z
    .strictObject({
        cidrs: cidrs,
        namespaces: z.array(
            z.string({ error: "a namespace name" }).regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
                error: "a namespace name",
            }),
        ),
        reason: z.string({ error: REASON }),
    })
    .superRefine(everyAddressNeedsReason);

/** The schema of `sapoche-stack:network`. */
export const networkSchema = z.strictObject({
    /** The cluster's pod ranges: carved out of every range below, pods are reached as pods. */
    podNetwork: cidrs.min(1, { error: "at least one CIDR" }),
    nodePortSources,
    /** Named, confirmed FastCGI clients outside the cluster; empty: none (docs/network.md). */
    fastcgiClients: cidrs.refine((l) => !l.some(isEveryAddress), {
        error: "named client ranges, never 0.0.0.0/0 (FastCGI has no authentication)",
    }),
    egress: z.record(
        z.string({ error: NAME }).regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: NAME }),
        destination,
        { error: "a map of destination name to {cidrs, ports, from, reason}" },
    ),
});

/** Validated `sapoche-stack:network`. */
export type NetworkSettings = z.infer<typeof networkSchema>;
