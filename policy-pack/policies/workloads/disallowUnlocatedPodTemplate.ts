import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podTemplatePaths } from "../lib/kube";
import { objectKind } from "../lib/resourceTypes";
import { isUnknownValue } from "../lib/unknown";

/** Deep enough for any pod spec a CRD nests; deeper objects are refused rather than left unread. */
const MAX_DEPTH = 24;

/** A pod spec is recognised by what the API requires of one: a containers list. */
function isPodSpec(value: unknown): boolean {
    return typeof value === "object" && value !== null && Array.isArray((value as any).containers);
}

/** Every path under `value` that holds a pod spec (unknown values at preview are left out). */
function podSpecPaths(value: unknown, path: string[], found: string[][], tooDeep: string[][]) {
    if (typeof value !== "object" || value === null) return;
    if (path.length > MAX_DEPTH) {
        tooDeep.push(path);
        return;
    }
    if (isPodSpec(value)) found.push(path);
    for (const key of Object.keys(value)) {
        if (path.length === 1 && path[0] === "metadata" && key === "managedFields") continue;
        let child: unknown;
        try {
            child = (value as any)[key];
        } catch (error) {
            if (isUnknownValue(error)) continue;
            throw error;
        }
        podSpecPaths(child, [...path, key], found, tooDeep);
    }
}

/**
 * Every pod-spec rule reads the pod spec where its kind keeps it (podTemplatePaths). An object
 * that carries one anywhere else (a CRD that runs pods from spec.jobTargetRef.template, a
 * Job nested in another resource) would run a pod no rule has judged.
 */
export const disallowUnlocatedPodTemplate: ResourceValidationPolicy = {
    name: "disallow-unlocated-pod-template",
    description:
        "Checks that every pod spec an object carries sits where the pack reads its kind's pod template, so no pod escapes the pod-spec rules.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = objectKind(args.type);
        if (kind === undefined) return;
        const known = podTemplatePaths[kind];
        const located = known === undefined ? ["spec", "template", "spec"] : [...known, "spec"];
        const found: string[][] = [];
        const tooDeep: string[][] = [];
        podSpecPaths(args.props, [], found, tooDeep);
        for (const path of found) {
            if (path.join(".") !== located.join(".")) {
                reportViolation(
                    `${describe(args)} carries a pod spec at ${path.join(".")}, where the pack does not read ${kind}'s pod template (it reads ${located.join(".")}); add the kind and its path to podTemplatePaths in policies/lib/kube.ts, or run the pod from a kind listed there.`,
                );
            }
        }
        for (const path of tooDeep) {
            reportViolation(
                `${describe(args)} nests objects deeper than ${MAX_DEPTH} levels at ${path.join(".")}; the pack cannot tell whether a pod spec hides there.`,
            );
        }
    },
};
