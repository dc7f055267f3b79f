/**
 * `sapoche-stack:network`: where the namespace's pods may connect outside the namespace (schema),
 * and the NetworkPolicy arguments the baseline renders from it. Everything else is denied:
 * DNS and the namespace's own pods are always allowed (components/namespace-baseline.ts), the
 * cloud metadata address never is. Proven by `npm run test:network` (README, "Network
 * reachability").
 */
import { z } from "zod";
import { phaseRendering } from "./adoption";
import type { AdoptionPhase } from "./adoption";
import type { PlanEntry } from "./plan";

/** The cloud metadata endpoint: credentials of the node's cloud identity. Never reachable. */
export const METADATA_ADDRESS = "169.254.169.254";

const CIDR = "an IPv4 CIDR such as 10.20.0.0/16 (host bits zero), outside 169.254.0.0/16";
const NAME = "a destination name (lowercase letters, digits and '-', e.g. broker, database)";
const PORT = "a TCP port from 1 to 65535";

/**
 * The baseline's network arguments (components/namespace-baseline.ts). Declared here too, by
 * shape, so this module builds on its own; index.ts passes them to the baseline, whose own
 * types check that both agree.
 */
export interface NetworkArgs {
    readonly networkPolicies: boolean;
    readonly egress: readonly EgressDestination[];
    readonly redisClients: readonly string[];
}

/** One allowed destination outside the namespace, as the baseline renders it. */
export interface EgressDestination {
    readonly name: string;
    readonly blocks: readonly { readonly cidr: string; readonly except?: readonly string[] }[];
    readonly ports: readonly number[];
}

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

/** One destination outside the namespace: its address ranges and TCP ports. */
const destination = z.strictObject({
    cidrs: z.array(cidr, { error: `a list of ${CIDR}` }).min(1, { error: "at least one CIDR" }),
    ports: z.array(port, { error: `a list of ${PORT}` }).min(1, { error: "at least one port" }),
});

/** The schema of `sapoche-stack:network`. */
export const networkSchema = z.strictObject({
    egress: z.record(
        z.string({ error: NAME }).regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: NAME }),
        destination,
        { error: "a map of destination name to {cidrs, ports}" },
    ),
});

/** Validated `sapoche-stack:network`. */
export type NetworkSettings = z.infer<typeof networkSchema>;

/**
 * The destinations as the baseline renders them, in name order (stable diffs). A CIDR that
 * contains the metadata address (0.0.0.0/0, 169.0.0.0/8) gets it as an `except`, so no
 * destination can open it by being broad.
 */
export function egressDestinations(network: NetworkSettings): EgressDestination[] {
    return Object.entries(network.egress)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, d]) => ({
            name,
            ports: [...d.ports],
            blocks: d.cidrs.map((c) =>
                cidrContains(c, METADATA_ADDRESS)
                    ? { cidr: c, except: [`${METADATA_ADDRESS}/32`] }
                    : { cidr: c },
            ),
        }));
}

/**
 * The baseline's network arguments. No NetworkPolicy before the adoption's `enforce` phase: pods
 * of the live ReplicaSets keep their live labels and ports, which no rule selects, so a default
 * deny would cut them off (README, "Network reachability"); by `enforce` every rollout is done.
 */
export function networkArgs(settings: {
    readonly adoption: { readonly phase: AdoptionPhase };
    readonly network: NetworkSettings;
    readonly plan: readonly PlanEntry[];
}): NetworkArgs {
    return {
        networkPolicies: phaseRendering(settings.adoption.phase).enforced,
        egress: egressDestinations(settings.network),
        // The data flow's Redis users: the backend families, not php's nginx nor the frontends.
        redisClients: settings.plan.flatMap((p) => {
            switch (p.family) {
                case "queue-consumer":
                case "worker":
                    return [p.name];
                case "php-backend":
                    return [p.fpm.name];
                case "scheduler":
                    return [p.settings.liveName];
                default:
                    return [];
            }
        }),
    };
}
