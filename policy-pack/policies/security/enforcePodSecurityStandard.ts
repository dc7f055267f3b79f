import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podTemplateOf } from "../lib/kube";
import { podSecurityFindings, podSecurityVersion } from "../lib/podSecurity";

/**
 * The namespace's enforce label makes the API server refuse a non-conforming pod only when a
 * controller creates it, long after the preview said yes: judging the template here refuses the
 * release instead of leaving a Deployment that never gets a pod.
 */
export const enforcePodSecurityStandard: ResourceValidationPolicy = {
    name: "enforce-pod-security-standard",
    description: `Checks that every pod and pod template conforms to the restricted Pod Security Standard at ${podSecurityVersion}, check by check as the standard's own evaluator judges it.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const template = podTemplateOf(args);
        if (template === undefined) {
            return;
        }
        for (const { check, detail } of podSecurityFindings(template.metadata, template.spec)) {
            reportViolation(
                `${describe(args)} breaks the restricted Pod Security Standard (${podSecurityVersion}), check ${check}: ${detail}.`,
            );
        }
    },
};
