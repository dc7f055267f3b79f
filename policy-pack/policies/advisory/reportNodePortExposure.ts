import { ResourceValidationPolicy } from "@pulumi/policy";
import { isKind } from "../lib/resourceTypes";
import { describe } from "../lib/kube";

/** Node ports bypass the gateway's authentication and rate limits; they stay only while clients still use them. */
export const reportNodePortExposure: ResourceValidationPolicy = {
    name: "report-node-port-exposure",
    description: "Checks that no Service is exposed on a NodePort.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "Service") || args.props.spec?.type !== "NodePort") {
            return;
        }
        const ports: { nodePort?: number }[] = args.props.spec.ports ?? [];
        const nodePorts = ports.map((p) => p.nodePort ?? "auto-assigned").join(", ");
        reportViolation(
            `${describe(args)} is exposed on every node (NodePort ${nodePorts}) and should be reached through the gateway instead.`,
        );
    },
};
