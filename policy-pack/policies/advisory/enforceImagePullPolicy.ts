import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, podSpecOf } from "../lib/kube";

/** Tags are pinned, so Always only adds a registry round trip (and a registry outage) to every pod start. */
export const enforceImagePullPolicy: ResourceValidationPolicy = {
    name: "enforce-image-pull-policy",
    description:
        "Checks that every container leaves imagePullPolicy unset or sets it to IfNotPresent.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        for (const container of pod === undefined ? [] : allContainers(pod)) {
            const policy = container.imagePullPolicy;
            if (policy !== undefined && policy !== "IfNotPresent") {
                reportViolation(
                    `${describe(args)} container "${container.name}" should use imagePullPolicy IfNotPresent, not ${policy}.`,
                );
            }
        }
    },
};
