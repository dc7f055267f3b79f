/**
 * Secure, sized defaults for every container. Each one matches a policy in `policy-pack/`, so
 * components pass the pack by construction (policy-pack/tests/pack.test.ts runs both stacks'
 * programs through every policy).
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Resources } from "./args";

type Probe = k8s.types.input.core.v1.Probe;

/** Pod-level security: never root, default seccomp, no service-account token. */
export function podSecurity(runAsUser: number): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser,
        runAsGroup: runAsUser,
        fsGroup: runAsUser,
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

/**
 * Liveness of a queue process without a port: the backend image's queue runner touches
 * /tmp/heartbeat after every poll; no touch for 2 minutes means it is stuck.
 */
export const heartbeatProbe: Probe = {
    exec: { command: ["/bin/sh", "-c", "find /tmp/heartbeat -mmin -2 | grep -q ."] },
    initialDelaySeconds: 60,
    periodSeconds: 30,
    timeoutSeconds: 5,
    failureThreshold: 3,
};

/**
 * Readiness of a queue process that serves a port (its metrics): the same heartbeat, from the
 * first poll on. The pack requires a readiness probe of every container with ports
 * (`missing-container-probes`); the heartbeat says the process works its queue, which is what
 * "ready" means for a consumer, and unlike a probe of the metrics port it does not depend on the
 * application serving metrics (an assumption until confirmed).
 */
export const heartbeatReadinessProbe: Probe = {
    exec: heartbeatProbe.exec,
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 3,
};

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
