import { KubeResource, kindOf, objectName, Workload } from "./kube";
import { classify, isKind } from "./resourceTypes";
import { kedaPause } from "./semantics";

/** An HPA or a KEDA ScaledObject, reduced to what the stack policies compare. */
export interface Autoscaler {
    resource: KubeResource;
    targetKind: string | undefined;
    targetName: string | undefined;
    minReplicas: number;
    maxReplicas: number;
}

/** Matches every HPA API version (autoscaling/v1, v2, v2beta2 ...). */
export function isHpa(type: string): boolean {
    return isKind(type, "HorizontalPodAutoscaler");
}

/** Matches KEDA's ScaledObject in any version of its API group. */
export function isScaledObject(type: string): boolean {
    const resourceType = classify(type);
    return (
        isKind(type, "ScaledObject") &&
        resourceType.category === "object" &&
        resourceType.apiVersion.startsWith("keda.sh/")
    );
}

/** The autoscaler view of an HPA or ScaledObject, with the API defaults filled in; else undefined. */
export function autoscalerOf(resource: KubeResource): Autoscaler | undefined {
    if (isHpa(resource.type)) {
        const spec = resource.props.spec ?? {};
        const minReplicas = spec.minReplicas ?? 1;
        return {
            resource,
            targetKind: spec.scaleTargetRef?.kind,
            targetName: spec.scaleTargetRef?.name,
            minReplicas,
            maxReplicas: spec.maxReplicas ?? minReplicas,
        };
    }
    if (isScaledObject(resource.type)) {
        const spec = resource.props.spec ?? {};
        // KEDA's own defaults: kind Deployment, minReplicaCount 0, maxReplicaCount 100; a
        // paused-replicas annotation holds the workload at that count whatever the bounds say.
        const pause = kedaPause(resource);
        const held = pause.replicas !== undefined;
        return {
            resource,
            targetKind: spec.scaleTargetRef?.kind ?? "Deployment",
            targetName: spec.scaleTargetRef?.name,
            minReplicas: held ? pause.replicas! : (spec.minReplicaCount ?? 0),
            maxReplicas: held ? pause.replicas! : (spec.maxReplicaCount ?? 100),
        };
    }
    return undefined;
}

/** Every HPA and ScaledObject among the resources. */
export function autoscalersOf(resources: KubeResource[]): Autoscaler[] {
    return resources.flatMap((r) => autoscalerOf(r) ?? []);
}

/** The autoscalers whose scaleTargetRef names this workload. */
export function autoscalersTargeting(
    workload: KubeResource,
    autoscalers: Autoscaler[],
): Autoscaler[] {
    return autoscalers.filter(
        (a) => a.targetKind === kindOf(workload.type) && a.targetName === objectName(workload),
    );
}

/** The fewest and most replicas a workload runs: its autoscalers' bounds, else spec.replicas (default 1). */
export function replicaRange(
    workload: KubeResource,
    autoscalers: Autoscaler[],
): { min: number; max: number } {
    const scaling = autoscalersTargeting(workload, autoscalers);
    if (scaling.length > 0) {
        return {
            min: Math.min(...scaling.map((a) => a.minReplicas)),
            max: Math.max(...scaling.map((a) => a.maxReplicas)),
        };
    }
    const replicas = (workload.props as Workload).spec?.replicas ?? 1;
    return { min: replicas, max: replicas };
}
