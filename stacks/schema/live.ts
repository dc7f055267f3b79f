/**
 * What a workload's pod runs and sees, as the live namespace has it: `npm run import-live` writes
 * these keys (`container`, `pod`, and a KEDA consumer's `triggers`) from the live Deployments,
 * Services and ScaledObjects, in Kubernetes' own shapes, and the program renders them instead of
 * inventing any. A credential never appears as a literal: the schema refuses one the way the
 * policy pack's `disallow-literal-credential` does, and never prints its value.
 */
import { z } from "zod";
import { labelsFor, type Component } from "../../components/shared/labels";
import { type ContainerSettings, credentialMessage, isCredentialLiteral } from "./container";
import { REDACTED, objectName } from "./facts";
import type { PodSettings } from "./pod";

export { containerSchema, isCredentialLiteral } from "./container";
export type { ContainerSettings } from "./container";
export { podSchema } from "./pod";
export type { PodSettings } from "./pod";

/** A KEDA trigger as the live ScaledObject has it; the threshold is `autoscaling.queueThreshold`. */
const trigger = z
    .strictObject({
        type: z.string({ error: "a KEDA scaler type such as rabbitmq" }).min(1),
        name: z.string().optional(),
        metadata: z.record(z.string(), z.string({ error: "a string (quote numbers)" })),
        authenticationRef: z
            .strictObject({
                name: objectName("TriggerAuthentication"),
                kind: z.enum(["TriggerAuthentication", "ClusterTriggerAuthentication"]).optional(),
            })
            .optional(),
        metricType: z.enum(["AverageValue", "Value", "Utilization"]).optional(),
        useCachedMetrics: z.boolean().optional(),
    })
    .superRefine((t, ctx) => {
        for (const [key, value] of Object.entries(t.metadata ?? {})) {
            if (key === "value") {
                ctx.addIssue({
                    code: "custom",
                    path: ["metadata", key],
                    message: "no value here: the threshold is autoscaling.queueThreshold",
                });
            } else if (isCredentialLiteral(key, value)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["metadata", key],
                    params: REDACTED,
                    message: credentialMessage(key, value),
                });
            }
        }
    });

export const triggersSchema = z.array(trigger).min(1, { error: "at least one trigger" });

export type TriggerSettings = z.infer<typeof trigger>;

/** What a workload entry's live facts must agree on, which one key alone cannot say. */
export interface LiveEntry {
    readonly container?: ContainerSettings;
    readonly pod?: PodSettings;
}

/**
 * Cross-field rules of one workload's facts: the selector matches the pod's labels (the program's
 * `app.kubernetes.io/*` included, which win), every mount names a volume of the pod, and the ports
 * keep every name the workload's Service targets.
 */
export function checkLive(
    entry: LiveEntry,
    ctx: z.RefinementCtx,
    where: { name: string; component: Component; servicePorts?: readonly string[] },
    prefix: (string | number)[] = [],
): void {
    const { container, pod } = entry;
    const program = labelsFor(where.name, where.component);
    const podLabels: Record<string, string> = { ...pod?.labels, ...program };
    for (const [key, value] of Object.entries(pod?.selector ?? {})) {
        if (podLabels[key] !== value) {
            ctx.addIssue({
                code: "custom",
                path: [...prefix, "pod", "selector", key],
                message:
                    key in program
                        ? `${program[key]}: the program sets ${key} on every pod (a live selector on another value cannot be adopted in place)`
                        : `a label of pod.labels (the selector must match the pods' labels)`,
            });
        }
    }
    const volumes = new Set((pod?.volumes ?? []).map((v) => v.name));
    (container?.volumeMounts ?? []).forEach((m, i) => {
        if (typeof m?.name === "string" && !volumes.has(m.name)) {
            ctx.addIssue({
                code: "custom",
                path: [...prefix, "container", "volumeMounts", i, "name"],
                message: `a volume of pod.volumes (${[...volumes].join(", ") || "none"})`,
            });
        }
    });
    const ports = container?.ports;
    if (ports !== undefined && where.servicePorts !== undefined) {
        const names = new Set(ports.map((p) => p.name));
        const missing = where.servicePorts.filter((n) => !names.has(n));
        if (missing.length > 0) {
            ctx.addIssue({
                code: "custom",
                path: [...prefix, "container", "ports"],
                message: `ports named ${missing.join(", ")} too: the workload's Service targets them by name`,
            });
        }
    }
}
