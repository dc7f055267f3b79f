import { ResourceValidationPolicy } from "@pulumi/policy";
import { components, labelKeys } from "../lib/conventions";
import { isKind } from "../lib/resourceTypes";
import { describe, isPodBearing, objectName, podLabelsOf, Workload } from "../lib/kube";

/** Selectors, dashboards and cost reports all key on these labels; one missing hides a workload from them. */
export const missingRecommendedLabels: ResourceValidationPolicy = {
    name: "missing-recommended-labels",
    description:
        "Checks that every pod-bearing object, its pod template and every Service carry the app.kubernetes.io labels with the expected values.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const labelSets: [string, Record<string, string>][] = [];
        const workload = isPodBearing(args.type);
        if (workload) {
            labelSets.push(["its metadata", (args.props as Workload).metadata?.labels ?? {}]);
            // A bare Pod's metadata is its template: check it once.
            if (!isKind(args.type, "Pod")) {
                labelSets.push(["its pod template", podLabelsOf(args)]);
            }
        } else if (isKind(args.type, "Service")) {
            labelSets.push(["its metadata", args.props.metadata?.labels ?? {}]);
        } else {
            return;
        }
        // A Service fronts a workload under another name (bknd-services-nginx -> sp-bknd-nginx).
        const expected: Partial<Record<string, string>> = {
            [labelKeys.name]: workload ? objectName(args) : undefined,
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
