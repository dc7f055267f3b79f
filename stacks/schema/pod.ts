/**
 * `workloads.<name>.pod` / `scheduler.pod`: the pod's live labels, selector, user and volumes
 * (written by `npm run import-live`), in Kubernetes' own shape.
 */
import { z } from "zod";
import { mode, objectName, oneOf, unique, volumeName } from "./facts";
import { int } from "./primitives";

const LABEL_KEY =
    /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const labels = z.record(
    z.string().regex(LABEL_KEY, { error: "a label key such as app or app.kubernetes.io/name" }),
    z
        .string({ error: "a label value (at most 63 letters, digits, '-', '_', '.'), quoted" })
        .regex(LABEL_VALUE, { error: "a label value (at most 63 letters, digits, '-', '_', '.')" }),
);

/** The volume sources the program renders (and import-live reads). */
export const VOLUME_SOURCES = [
    "configMap",
    "secret",
    "emptyDir",
    "persistentVolumeClaim",
    "projected",
    "downwardAPI",
] as const;
const items = z.array(z.strictObject({ key: z.string(), path: z.string(), mode })).optional();
/** A volume; a node's filesystem (`hostPath`) is not among the sources the pack allows. */
const volume = z
    .strictObject({
        name: volumeName,
        configMap: z
            .strictObject({
                name: objectName("ConfigMap"),
                items,
                defaultMode: mode,
                optional: z.boolean().optional(),
            })
            .optional(),
        secret: z
            .strictObject({
                secretName: objectName("Secret"),
                items,
                defaultMode: mode,
                optional: z.boolean().optional(),
            })
            .optional(),
        emptyDir: z
            .strictObject({
                medium: z.enum(["", "Memory"]).optional(),
                sizeLimit: z.string().optional(),
            })
            .optional(),
        persistentVolumeClaim: z
            .strictObject({
                claimName: objectName("PersistentVolumeClaim"),
                readOnly: z.boolean().optional(),
            })
            .optional(),
        projected: z
            .strictObject({
                sources: z.array(z.record(z.string(), z.unknown())),
                defaultMode: mode,
            })
            .optional(),
        downwardAPI: z
            .strictObject({ items: z.array(z.record(z.string(), z.unknown())), defaultMode: mode })
            .optional(),
    })
    .superRefine(oneOf(VOLUME_SOURCES));

const NON_ROOT =
    "a user id from 1 (never root: the namespace enforces the restricted Pod Security profile)";

/** `workloads.<name>.pod` / `scheduler.pod`: the pod's live labels, selector, user and volumes. */
export const podSchema = z.strictObject({
    labels: labels.optional(),
    selector: labels
        .refine((s) => Object.keys(s).length > 0, { error: "at least one label" })
        .optional(),
    securityContext: z
        .strictObject({
            runAsUser: z
                .number({ error: NON_ROOT })
                .int({ error: NON_ROOT })
                .min(1, { error: NON_ROOT })
                .max(2 ** 31 - 1, { error: NON_ROOT })
                .optional(),
            runAsGroup: int(0, 2 ** 31 - 1).optional(),
            fsGroup: int(0, 2 ** 31 - 1).optional(),
        })
        .optional(),
    volumes: z
        .array(volume)
        .superRefine(unique("name", (v: { name: string }) => v.name, "volume name"))
        .optional(),
});

export type PodSettings = z.infer<typeof podSchema>;
