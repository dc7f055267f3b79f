import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";

const configSchema: PolicyConfigSchema = {
    properties: {
        // The stack's node-port contract, generated from its stack file (scripts/pack-config.ts).
        allowedNodePorts: { type: "array", items: { type: "integer" }, default: [] },
        // The Service types the catalog uses (scripts/pack-config.ts); ExternalName and LoadBalancer are not among them.
        allowedServiceTypes: { type: "array", items: { type: "string" }, default: ["ClusterIP"] },
    },
};

/**
 * Patient data leaves the cluster only through the gateway: a LoadBalancer or an external IP
 * opens a new public door, and a NodePort outside the live contract is one nobody reviewed.
 */
export const disallowServiceExposure: ResourceValidationPolicy = {
    name: "disallow-service-exposure",
    description:
        "Checks that every Service is of a type the catalog uses, never a LoadBalancer, sets no externalIPs, and that NodePorts use only the stack's node-port contract.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "Service")) {
            return;
        }
        const { allowedNodePorts, allowedServiceTypes } = configOf<{
            allowedNodePorts: number[];
            allowedServiceTypes: string[];
        }>(configSchema, args.getConfig());
        const spec = args.props.spec ?? {};
        const type: string = spec.type ?? "ClusterIP";
        if (type !== "LoadBalancer" && !allowedServiceTypes.includes(type)) {
            reportViolation(
                `${describe(args)} is of type ${type}; allowed: ${allowedServiceTypes.join(", ")}.`,
            );
        }
        if (type === "LoadBalancer") {
            reportViolation(
                `${describe(args)} should not be a LoadBalancer; expose it through the gateway.`,
            );
        }
        if ((spec.externalIPs ?? []).length > 0) {
            reportViolation(
                `${describe(args)} should not set externalIPs (${spec.externalIPs.join(", ")}).`,
            );
        }
        if (type !== "NodePort" && type !== "LoadBalancer") {
            return;
        }
        for (const port of (spec.ports ?? []) as {
            name?: string;
            port?: number;
            nodePort?: number;
        }[]) {
            const label = port.name ?? String(port.port);
            if (port.nodePort === undefined) {
                reportViolation(
                    `${describe(args)} port ${label} should set a nodePort from the contract (${allowedNodePorts.join(", ") || "none"}), not leave it to auto-assignment.`,
                );
            } else if (!allowedNodePorts.includes(port.nodePort)) {
                reportViolation(
                    `${describe(args)} port ${label} should use a nodePort from the contract (${allowedNodePorts.join(", ") || "none"}), not ${port.nodePort}.`,
                );
            }
        }
    },
};
