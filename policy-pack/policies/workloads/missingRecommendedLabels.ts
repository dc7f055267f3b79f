import { ResourceValidationPolicy } from "@pulumi/policy";
import { components, labelKeys } from "../lib/conventions";
import { describe, isWorkload, objectName, podLabelsOf, types, Workload } from "../lib/kube";

/** Selectors, dashboards and cost reports all key on these labels; one missing hides a workload from them. */
export const missingRecommendedLabels: ResourceValidationPolicy = {
    name: "missing-recommended-labels",
    description:
        "Checks that every workload, its pod template and every Service carry the app.kubernetes.io labels with the expected values.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const labelSets: [string, Record<string, string>][] = [];
        if (isWorkload(args.type)) {
            const workload = args.props as Workload;
            labelSets.push(["its metadata", workload.metadata?.labels ?? {}]);
            labelSets.push(["its pod template", podLabelsOf(workload)]);
        } else if (args.type === types.service) {
            labelSets.push(["its metadata", args.props.metadata?.labels ?? {}]);
        } else {
            return;
        }
        // A Service fronts a workload under another name (bknd-services-nginx -> sp-bknd-nginx).
        const expected: Partial<Record<string, string>> = {
            [labelKeys.name]: isWorkload(args.type) ? objectName(args) : undefined,
            [labelKeys.partOf]: "sapoche",
            [labelKeys.managedBy]: "pulumi",
        };
        for (const [where, labels] of labelSets) {
            for (const key of Object.values(labelKeys)) {
                const value = labels[key];
                const wanted = expected[key];
                if (value === undefined) {
                    reportViolation(`${describe(args)} should set label ${key} on ${where}.`);
                } else if (wanted !== undefined && value !== wanted) {
                    reportViolation(
                        `${describe(args)} should set label ${key} to "${wanted}" on ${where}, not "${value}".`,
                    );
                } else if (
                    key === labelKeys.component &&
                    !(components as readonly string[]).includes(value)
                ) {
                    reportViolation(
                        `${describe(args)} should set label ${key} to one of ${components.join(", ")} on ${where}, not "${value}".`,
                    );
                }
            }
        }
    },
};
