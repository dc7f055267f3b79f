/**
 * `workloads.<name>.container` / `scheduler.container`: what the main container runs and sees,
 * as the live Deployment has it (written by `npm run import-live`), in Kubernetes' own shape. A
 * credential never appears as a literal: one is refused the way the policy pack's
 * `disallow-literal-credential` refuses it, and its value is never printed.
 */
import { z } from "zod";
import { credentialIn } from "../../policy-pack/policies/lib/credentials";
import { ACCEPTED } from "./credentials";
import { ENV_NAME, REDACTED, objectName, oneOf, path, strings, unique, volumeName } from "./facts";
import { int } from "./primitives";
import { PORT_NAME } from "./probes";

const keyRef = (what: string) =>
    z.strictObject({
        name: objectName(what),
        key: z.string({ error: "a key of it" }).min(1, { error: "a key of it" }),
        optional: z.boolean().optional(),
    });
const VALUE_FROM = ["secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"] as const;
const valueFrom = z
    .strictObject({
        secretKeyRef: keyRef("Secret").optional(),
        configMapKeyRef: keyRef("ConfigMap").optional(),
        fieldRef: z
            .strictObject({ fieldPath: z.string(), apiVersion: z.string().optional() })
            .optional(),
        resourceFieldRef: z
            .strictObject({
                resource: z.string(),
                containerName: z.string().optional(),
                divisor: z.string({ error: "a quantity such as 1Mi, quoted" }).optional(),
            })
            .optional(),
    })
    .superRefine(oneOf(VALUE_FROM));

/**
 * Whether a literal name/value pair (an environment variable, trigger metadata) carries a
 * credential, by its name (the pack's list) or its value (the shared detector).
 */
export function isCredentialLiteral(name: string, value: string | undefined): boolean {
    return value !== undefined && credentialIn(value, name) !== undefined;
}

/** Why a literal is refused: what it looks like (masked), and what is accepted instead. */
export function credentialMessage(name: string, value: string): string {
    const found = credentialIn(value, name);
    return (
        `${ACCEPTED}: ${name} holds ${found?.kind ?? "a credential"} ` +
        `(${JSON.stringify(found?.redacted ?? "***")}), and a literal lands in the state, every ` +
        `preview and kubectl get (policy disallow-literal-credential)`
    );
}

const envVar = z
    .strictObject({
        name: z
            .string({ error: "a variable name (letters, digits, '_', '-', '.')" })
            .regex(ENV_NAME, { error: "a variable name (letters, digits, '_', '-', '.')" }),
        value: z.string({ error: "a string (quote numbers and booleans)" }).optional(),
        valueFrom: valueFrom.optional(),
    })
    .superRefine((e, ctx) => {
        if (e.value !== undefined && e.valueFrom !== undefined) {
            ctx.addIssue({ code: "custom", message: "value or valueFrom, not both" });
        }
        if (typeof e.name === "string" && isCredentialLiteral(e.name, e.value)) {
            ctx.addIssue({
                code: "custom",
                path: ["value"],
                params: REDACTED,
                message: credentialMessage(e.name, e.value ?? ""),
            });
        }
    });

const REFS = ["configMapRef", "secretRef"] as const;
const envFrom = z
    .strictObject({
        configMapRef: z
            .strictObject({ name: objectName("ConfigMap"), optional: z.boolean().optional() })
            .optional(),
        secretRef: z
            .strictObject({ name: objectName("Secret"), optional: z.boolean().optional() })
            .optional(),
        prefix: z.string().optional(),
    })
    .superRefine(oneOf(REFS));

const volumeMount = z.strictObject({
    name: volumeName,
    mountPath: path,
    readOnly: z.boolean().optional(),
    subPath: z.string().optional(),
    subPathExpr: z.string().optional(),
});

const containerPort = z.strictObject({
    name: z
        .string({ error: "a port name (at most 15 characters)" })
        .regex(PORT_NAME, { error: "a port name (at most 15 characters)" })
        .optional(),
    containerPort: int(1, 65535),
    protocol: z.enum(["TCP", "UDP", "SCTP"], { error: "TCP, UDP or SCTP" }).optional(),
});

/** `workloads.<name>.container` / `scheduler.container`: the main container's live facts. */
export const containerSchema = z.strictObject({
    command: strings("string").optional(),
    args: strings("string").optional(),
    env: z
        .array(envVar)
        .superRefine(unique("name", (e: { name: string }) => e.name, "variable name"))
        .optional(),
    envFrom: z.array(envFrom).optional(),
    volumeMounts: z
        .array(volumeMount)
        .superRefine(unique("mountPath", (m: { mountPath: string }) => m.mountPath, "mount path"))
        .optional(),
    ports: z
        .array(containerPort)
        .superRefine(unique("name", (p: { name?: string }) => p.name, "port name"))
        .optional(),
});

export type ContainerSettings = z.infer<typeof containerSchema>;
