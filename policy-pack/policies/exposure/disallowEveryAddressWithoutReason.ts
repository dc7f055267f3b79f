import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";

const REASON = "sapoche.io/every-address-reason";

/** Whether a CIDR admits every address: prefix 0, IPv4 or IPv6 (`0.0.0.0/0`, `::/0`). */
const everyAddress = (cidr: unknown) => typeof cidr === "string" && /\/0+$/.test(cidr.trim());

/**
 * A NetworkPolicy range of every address (`0.0.0.0/0`) lets a pod reach, or be reached from,
 * anything outside the pod network: allowed only with the stack's recorded reason on the object
 * (`network.<...>.reason`, rendered as an annotation), so a reviewer sees why. A range that is
 * not a string cannot be classified and is refused.
 */
export const disallowEveryAddressWithoutReason: ResourceValidationPolicy = {
    name: "disallow-every-address-without-reason",
    description: `Checks that a NetworkPolicy allowing every address (0.0.0.0/0) records why in the ${REASON} annotation.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "NetworkPolicy")) {
            return;
        }
        const spec = args.props.spec ?? {};
        const peers = [
            ...(spec.ingress ?? []).flatMap((r: { from?: unknown[] }) => r.from ?? []),
            ...(spec.egress ?? []).flatMap((r: { to?: unknown[] }) => r.to ?? []),
        ] as { ipBlock?: { cidr?: unknown } }[];
        const blocks = peers.filter((p) => p.ipBlock !== undefined).map((p) => p.ipBlock!.cidr);
        for (const cidr of blocks.filter((c) => typeof c !== "string")) {
            reportViolation(
                `${describe(args)} should give every ipBlock a CIDR string such as 10.20.0.0/16, not ${JSON.stringify(cidr)}.`,
            );
        }
        const reason = args.props.metadata?.annotations?.[REASON];
        if (blocks.some(everyAddress) && !(typeof reason === "string" && reason.trim() !== "")) {
            reportViolation(
                `${describe(args)} allows every address (${blocks.filter(everyAddress).join(", ")}) ` +
                    `without a reason: narrow the range, or record why in the ${REASON} annotation ` +
                    `(the stack's network.<...>.reason).`,
            );
        }
    },
};
