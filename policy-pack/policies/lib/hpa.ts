import { HPA_DEFAULT_CPU_UTILIZATION, kedaResourceTargets } from "./semantics";
import { Autoscaler, isScaledObject } from "./autoscaling";
import { Container, KubeResource, kindOf, objectName, podSpecOf } from "./kube";
import { parseQuantity } from "./quantity";

/** One resource target of an HPA, whatever API version or metric form wrote it. */
export interface ResourceTarget {
    /** `cpu` or `memory` (lower-cased). */
    resource: string;
    /** Set for a ContainerResource metric: the container whose usage counts. */
    container?: string;
    type: "Utilization" | "AverageValue";
    /** A percentage for Utilization, a quantity for AverageValue. */
    value: unknown;
}

function targetsOf(
    container: string | undefined,
    metric: Record<string, any> | undefined,
): ResourceTarget[] {
    if (metric === undefined) {
        return [];
    }
    const name = String(metric.name ?? "").toLowerCase();
    const out: ResourceTarget[] = [];
    const target = metric.target;
    if (target !== undefined) {
        // autoscaling/v2 and v2beta2: target.type says which field counts.
        if (target.type === "Utilization" || target.averageUtilization !== undefined) {
            out.push({
                resource: name,
                container,
                type: "Utilization",
                value: target.averageUtilization,
            });
        } else {
            out.push({
                resource: name,
                container,
                type: "AverageValue",
                value: target.averageValue ?? target.value,
            });
        }
    }
    // autoscaling/v2beta1 spells the targets out as fields.
    if (metric.targetAverageUtilization !== undefined) {
        out.push({
            resource: name,
            container,
            type: "Utilization",
            value: metric.targetAverageUtilization,
        });
    }
    if (metric.targetAverageValue !== undefined) {
        out.push({
            resource: name,
            container,
            type: "AverageValue",
            value: metric.targetAverageValue,
        });
    }
    return out;
}

/** Every cpu and memory target of an HPA (v1's percentage, Resource and ContainerResource metrics, the API default) or of a KEDA ScaledObject's cpu/memory scalers. */
export function resourceTargets(hpa: KubeResource): ResourceTarget[] {
    if (isScaledObject(hpa.type)) {
        // KEDA turns each cpu/memory trigger into the same metric of the HPA it owns.
        return kedaResourceTargets(hpa).map((t) => ({
            resource: t.resource,
            container: t.container,
            type: t.type === "AverageValue" ? "AverageValue" : "Utilization",
            value: t.value,
        }));
    }
    const spec = hpa.props.spec ?? {};
    const targets: ResourceTarget[] = [];
    const v1 = /:autoscaling\/v1:/.test(hpa.type);
    // The API's default when an HPA names no target: 80 % CPU (semantics.ts).
    if (spec.targetCPUUtilizationPercentage !== undefined || v1) {
        targets.push({
            resource: "cpu",
            type: "Utilization",
            value: spec.targetCPUUtilizationPercentage ?? HPA_DEFAULT_CPU_UTILIZATION,
        });
    } else if ((spec.metrics ?? []).length === 0) {
        targets.push({ resource: "cpu", type: "Utilization", value: HPA_DEFAULT_CPU_UTILIZATION });
    }
    for (const metric of (spec.metrics ?? []) as Record<string, any>[]) {
        if (metric.type === "Resource") {
            targets.push(...targetsOf(undefined, metric.resource));
        } else if (metric.type === "ContainerResource") {
            targets.push(
                ...targetsOf(metric.containerResource?.container, metric.containerResource),
            );
        }
    }
    return targets;
}

/** The workload an autoscaler scales, among the stack's pod-bearing objects. */
export function scaledWorkload(
    autoscaler: Autoscaler,
    resources: KubeResource[],
): KubeResource | undefined {
    return resources.find(
        (r) =>
            podSpecOf(r) !== undefined &&
            kindOf(r.type) === autoscaler.targetKind &&
            objectName(r) === autoscaler.targetName,
    );
}

/**
 * The pod's total of one resource field (`requests.cpu`, `limits.memory`) over the containers a
 * target counts: all of them, or the named one. Undefined when any counted container lacks it.
 */
export function podTotal(
    workload: KubeResource,
    section: "requests" | "limits",
    resource: string,
    container?: string,
): number | undefined {
    const containers: Container[] = (podSpecOf(workload)?.containers ?? []).filter(
        (c) => container === undefined || c.name === container,
    );
    if (containers.length === 0) {
        return undefined;
    }
    let total = 0;
    for (const c of containers) {
        const value = parseQuantity(c.resources?.[section]?.[resource]);
        if (value === undefined) {
            return undefined;
        }
        total += value;
    }
    return total;
}
