import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { allContainers, describe, podSpecOf } from "../lib/kube";

const configSchema: PolicyConfigSchema = {
    properties: {
        // Capabilities a container may add back after dropping ALL (e.g. NET_BIND_SERVICE).
        allowedCapabilities: { type: "array", items: { type: "string" }, default: [] },
    },
};

/** `CAP_SYS_ADMIN` and `sys_admin` name the same capability. */
function capability(name: unknown): string {
    return String(name).trim().toUpperCase().replace(/^CAP_/, "");
}

/** The restricted Pod Security Standard, container by container (init and ephemeral ones too). */
export const enforceContainerSecurityContext: ResourceValidationPolicy = {
    name: "enforce-container-security-context",
    description:
        "Checks that every container forbids privilege escalation, has a read-only root filesystem, is not privileged, drops ALL capabilities and adds back only allow-listed ones.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        if (pod === undefined) {
            return;
        }
        const { allowedCapabilities } = configOf<{ allowedCapabilities: string[] }>(
            configSchema,
            args.getConfig(),
        );
        const allowed = allowedCapabilities.map(capability);
        // The API refuses these Linux-only fields on a Windows pod, and the standard exempts it from them.
        const linux = (pod as { os?: { name?: string } }).os?.name !== "windows";
        for (const container of allContainers(pod)) {
            const context = container.securityContext ?? {};
            const subject = `${describe(args)} container "${container.name}"`;
            if (linux && context.allowPrivilegeEscalation !== false) {
                reportViolation(
                    `${subject} should set securityContext.allowPrivilegeEscalation: false.`,
                );
            }
            if (linux && context.readOnlyRootFilesystem !== true) {
                reportViolation(
                    `${subject} should set securityContext.readOnlyRootFilesystem: true.`,
                );
            }
            if (context.privileged === true) {
                reportViolation(`${subject} should not set securityContext.privileged: true.`);
            }
            if (context.procMount !== undefined && context.procMount !== "Default") {
                reportViolation(
                    `${subject} should leave securityContext.procMount at Default, not ${context.procMount}.`,
                );
            }
            if (linux && !(context.capabilities?.drop ?? []).includes("ALL")) {
                reportViolation(
                    `${subject} should drop ALL capabilities in securityContext.capabilities.drop.`,
                );
            }
            for (const added of context.capabilities?.add ?? []) {
                if (!allowed.includes(capability(added))) {
                    reportViolation(
                        `${subject} should not add capability ${added}; allowed: ${allowed.join(", ") || "none"}.`,
                    );
                }
            }
        }
    },
};
