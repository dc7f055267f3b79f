/**
 * Building blocks of the live facts' schemas (stacks/schema/container.ts, pod.ts, live.ts):
 * Kubernetes object and volume names, exactly-one-of and uniqueness rules, and the issue params
 * that keep a credential out of the report.
 */
import { z } from "zod";
import { int } from "./primitives";

/** Issue params that keep a value out of the report (settings.ts prints "not shown"). */
export const REDACTED = { redact: true } as const;

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
export const objectName = (what: string) =>
    z
        .string({ error: `the name of a ${what} (lowercase letters, digits, '-' and '.')` })
        .regex(SUBDOMAIN, {
            error: `the name of a ${what} (lowercase letters, digits, '-' and '.')`,
        });
const VOLUME_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const volumeName = z
    .string({ error: "a volume name (lowercase letters, digits and '-', at most 63)" })
    .regex(VOLUME_NAME, { error: "a volume name (lowercase letters, digits and '-', at most 63)" });
export const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
export const strings = (what: string) =>
    z.array(z.string({ error: what }), { error: `a list of ${what}s` });
export const path = z
    .string({ error: "an absolute path such as /etc/app" })
    .regex(/^\//, { error: "an absolute path such as /etc/app" });
export const mode = int(0, 0o777).optional();

/** Exactly one of `keys` is set. */
export const oneOf =
    (keys: readonly string[]) =>
    (v: Record<string, unknown>, ctx: z.RefinementCtx): void => {
        const set = keys.filter((k) => v[k] !== undefined);
        if (set.length !== 1) {
            ctx.addIssue({
                code: "custom",
                message:
                    `exactly one of ${keys.join(", ")}` +
                    (set.length ? ` (got ${set.join(", ")})` : ""),
            });
        }
    };

/** Reports the second entry that repeats a field's value (Kubernetes refuses duplicates). */
export const unique =
    <T>(field: string, of: (t: T) => unknown, what: string) =>
    (list: T[], ctx: z.RefinementCtx): void => {
        const seen = new Set<unknown>();
        list.forEach((item, i) => {
            const v = of(item);
            if (v === undefined) return;
            if (seen.has(v)) {
                ctx.addIssue({
                    code: "custom",
                    path: [i, field],
                    message: `a ${what} not used above`,
                });
            }
            seen.add(v);
        });
    };
