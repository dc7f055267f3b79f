import { labelKeys } from "./conventions";
import { Container, KubeResource, types, Workload } from "./kube";

/** Container names of the Sentinel StatefulSet. */
export const redisContainer = "redis";
export const sentinelContainer = "sentinel";

/** The Redis StatefulSet is recognised by its component label. */
export function isRedisStatefulSet(resource: KubeResource): boolean {
    return (
        resource.type === types.statefulSet &&
        (resource.props as Workload).metadata?.labels?.[labelKeys.component] === "redis"
    );
}

/** The container with this name in the StatefulSet's pod template. */
export function containerNamed(workload: Workload, name: string): Container | undefined {
    return workload.spec?.template?.spec?.containers?.find((c) => c.name === name);
}

/** Whether an image runs a Redis server: `redis:7`, `bitnami/redis@sha256:...`, `redis/redis-stack-server`. */
export function isRedisServerImage(image: string): boolean {
    const repository = image.split("@")[0].replace(/:[^/]*$/, "");
    const imageName = repository.slice(repository.lastIndexOf("/") + 1);
    return ["redis", "redis-stack", "redis-stack-server"].includes(imageName);
}
