import { ResourceValidationPolicy } from "@pulumi/policy";
import { credentialName } from "../lib/credentials";
import { allContainers, describe, podSpecOf } from "../lib/kube";

/** A literal credential in a pod spec lands in the state file, every preview and `kubectl get -o yaml`. */
export const disallowLiteralCredentialEnv: ResourceValidationPolicy = {
    name: "disallow-literal-credential-env",
    description:
        "Checks that every environment variable whose name looks like a credential comes from valueFrom, never a literal value.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        for (const container of pod === undefined ? [] : allContainers(pod)) {
            for (const env of container.env ?? []) {
                if (
                    credentialName.test(String(env.name)) &&
                    env.value !== undefined &&
                    env.value !== ""
                ) {
                    reportViolation(
                        `${describe(args)} container "${container.name}" should read ${env.name} from a Secret (valueFrom.secretKeyRef), not a literal value.`,
                    );
                }
            }
        }
    },
};
