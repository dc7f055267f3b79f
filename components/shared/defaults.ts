/**
 * Secure, sized defaults for every container. Each one matches a policy in `policy-pack/`, so
 * components pass the pack by construction (policy-pack/tests/pack.test.ts runs both stacks'
 * programs through every policy).
 */
import type * as k8s from "@pulumi/kubernetes";
import type { PodFacts, Probe, Probes, Resources } from "./args";

/**
 * Pod-level security: never root, default seccomp, no service-account token. The user is the
 * image's known one unless config gives the live pod's (group and filesystem group follow it).
 */
export function podSecurity(
    runAsUser: number,
    given?: PodFacts["securityContext"],
): k8s.types.input.core.v1.PodSecurityContext {
    const user = given?.runAsUser ?? runAsUser;
    const group = given?.runAsGroup ?? user;
    return {
        runAsNonRoot: true,
        runAsUser: user,
        runAsGroup: group,
        fsGroup: given?.fsGroup ?? group,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level security: no escalation, no privilege, read-only root FS, no capabilities. */
export const containerSecurity: k8s.types.input.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
};

/** Requests and limits, in the canonical form the server echoes. */
export function resourcesOf(r: Resources): k8s.types.input.core.v1.ResourceRequirements {
    return {
        requests: { cpu: r.cpu, memory: r.memory, "ephemeral-storage": r.ephemeralStorage },
        limits: {
            cpu: r.cpuLimit,
            memory: r.memoryLimit,
            "ephemeral-storage": r.ephemeralStorageLimit,
        },
    };
}

/** TCP probe on a named port: for servers without a health endpoint we may rely on. */
export function tcpProbe(port: string, periodSeconds = 10): Probe {
    return { tcpSocket: { port }, periodSeconds, timeoutSeconds: 3, failureThreshold: 3 };
}

/** HTTP GET probe on a named port. */
export function httpProbe(port: string, path: string): Probe {
    return { httpGet: { port, path }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
}

/** A container's probe fields; no `readinessProbe` key at all when there is none. */
export function containerProbes(p: Probes): { livenessProbe: Probe; readinessProbe?: Probe } {
    return {
        livenessProbe: p.liveness,
        ...(p.readiness === undefined ? {} : { readinessProbe: p.readiness }),
    };
}

/**
 * A server's probes: the caller's where given (read from the live namespace), else the
 * component's own port probes. Queue processes have no default: their probes always come from
 * the caller (`QueueProcessArgs`).
 */
export function serverProbes(
    given: Partial<Probes> | undefined,
    own: Probes,
): { livenessProbe: Probe; readinessProbe?: Probe } {
    return containerProbes({
        liveness: given?.liveness ?? own.liveness,
        readiness: given?.readiness ?? own.readiness,
    });
}

/** Numeric users of the images we run (runAsNonRoot needs a numeric user to verify). */
export const USERS = {
    /** www-data in the php-based backend image. */
    backend: 82,
    /** nginx in nginx-unprivileged based images. */
    nginx: 101,
    /** orthanc in the orthancteam image, run non-root. */
    orthanc: 1000,
    /** redis in the official redis image. */
    redis: 999,
    /** haproxy in the official haproxy image. */
    haproxy: 99,
} as const;
