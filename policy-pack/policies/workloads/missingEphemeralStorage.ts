import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podSpecOf } from "../lib/kube";

/**
 * The PDF and CSV workers write to /tmp: without an ephemeral-storage limit and emptyDir size
 * limits one runaway export fills the node's disk and evicts every pod on it.
 */
export const missingEphemeralStorage: ResourceValidationPolicy = {
    name: "missing-ephemeral-storage",
    description:
        "Checks that every container requests and limits ephemeral-storage and every emptyDir volume sets a sizeLimit.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        if (pod === undefined) {
            return;
        }
        for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
            for (const section of ["requests", "limits"] as const) {
                if (container.resources?.[section]?.["ephemeral-storage"] === undefined) {
                    reportViolation(
                        `${describe(args)} container "${container.name}" should set resources.${section}.ephemeral-storage.`,
                    );
                }
            }
        }
        for (const volume of pod.volumes ?? []) {
            if (volume.emptyDir !== undefined && volume.emptyDir.sizeLimit === undefined) {
                reportViolation(
                    `${describe(args)} should set a sizeLimit on emptyDir volume "${volume.name}".`,
                );
            }
        }
    },
};
