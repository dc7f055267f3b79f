import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { Container, describe, podSpecOf } from "../lib/kube";

const configSchema: PolicyConfigSchema = {
    properties: {
        // Per stack from stacks/ranges.ts (scripts/pack-config.ts): production1 keeps a higher floor.
        minLivenessWindowSeconds: { type: "integer", minimum: 1, default: 10 },
    },
};

type Probe = Record<string, any>;
const KINDS = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

/** The container's ports as the kubelet resolves a probe's port: by name, or by number. */
function portProblem(container: Container, port: unknown): string | undefined {
    const ports = container.ports ?? [];
    const has =
        typeof port === "number"
            ? ports.some((p) => p.containerPort === port)
            : ports.some((p) => p.name !== undefined && p.name === port);
    if (has) return undefined;
    const list = ports.map((p) =>
        p.name ? `${p.name} (${p.containerPort})` : String(p.containerPort),
    );
    return `port ${JSON.stringify(port)}, which the container does not have (its ports: ${list.join(", ") || "none: probe it with exec"})`;
}

function probeProblems(container: Container, kind: string, probe: Probe): string[] {
    const problems: string[] = [];
    for (const handler of ["httpGet", "tcpSocket", "grpc"]) {
        const target = probe[handler];
        if (target === undefined) continue;
        const problem = portProblem(container, target.port);
        if (problem !== undefined) problems.push(`${kind}.${handler} reaches ${problem}`);
    }
    if (probe.exec !== undefined) {
        const command: unknown = probe.exec.command;
        if (!Array.isArray(command) || command.length === 0 || String(command[0]).trim() === "") {
            problems.push(
                `${kind}.exec runs no command (${JSON.stringify(command ?? null)}); give the program and its arguments`,
            );
        }
    }
    const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((h) => probe[h] !== undefined);
    if (handlers.length !== 1) {
        problems.push(
            `${kind} should have exactly one of exec, httpGet, tcpSocket, grpc (has ${handlers.join(", ") || "none"})`,
        );
    }
    return problems;
}

/**
 * A probe on a port the container does not serve fails forever: a readiness probe keeps every
 * pod out of its Service, a liveness probe restarts them in a loop. A liveness probe that gives
 * up within seconds restarts every pod on one slow answer, the outage it was meant to prevent.
 */
export const enforceProbeTargets: ResourceValidationPolicy = {
    name: "enforce-probe-targets",
    description:
        "Checks that every probe reaches a port (by name or number) the container declares or runs a command, with exactly one handler, and that a liveness probe takes at least minLivenessWindowSeconds (periodSeconds x failureThreshold, Kubernetes' defaults 10 and 3) to restart a container.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const { minLivenessWindowSeconds } = configOf<{ minLivenessWindowSeconds: number }>(
            configSchema,
            args.getConfig(),
        );
        for (const container of podSpecOf(args)?.containers ?? []) {
            const where = `${describe(args)} container "${container.name}"`;
            for (const kind of KINDS) {
                const probe = (container as Record<string, any>)[kind] as Probe | undefined;
                if (probe === undefined || probe === null) continue;
                for (const problem of probeProblems(container, kind, probe)) {
                    reportViolation(`${where} ${problem}.`);
                }
                if (kind !== "livenessProbe") continue;
                const period = probe.periodSeconds ?? 10;
                const failures = probe.failureThreshold ?? 3;
                if (period * failures < minLivenessWindowSeconds) {
                    reportViolation(
                        `${where} livenessProbe restarts it after ${period} s x ${failures} failures = ${period * failures} s; ` +
                            `allowed: at least ${minLivenessWindowSeconds} s, or one slow answer restarts every pod at once.`,
                    );
                }
            }
        }
    },
};
