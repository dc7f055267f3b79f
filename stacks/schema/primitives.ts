/**
 * The stack config schema's building blocks: integers and ranges, Kubernetes names, CPU and memory
 * quantities, image references, review dates and reasons. Each carries its "what is allowed"
 * message; `stacks/schema.ts` and the files next to this one compose them.
 */
import { z } from "zod";
import { cpuProblem, formatCpu, memoryProblem } from "../../components/shared/quantity";
import { FLOATING_TAGS, REASON_MIN, REVIEW_HORIZON_DAYS, Range } from "../ranges";

export const range = (r: Range) => int(r.min, r.max);

export const int = (min: number, max?: number) => {
    const allowed = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    return z
        .number({ error: allowed })
        .int({ error: allowed })
        .min(min, { error: allowed })
        .max(max ?? Number.MAX_SAFE_INTEGER, { error: allowed });
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const dnsName = z
    .string({ error: "a Kubernetes name (lowercase letters, digits and '-')" })
    .regex(DNS_LABEL, { error: "a Kubernetes name (lowercase letters, digits and '-')" });

/**
 * A quantity is a string; YAML reads an unquoted `1` or `1.5` as a number, which Kubernetes would
 * also take but the schema cannot tell from a typo, so the message says how to quote it.
 */
const quantity = (
    problem: (v: string) => string | undefined,
    what: string,
    quoted: (n: number) => string,
) =>
    z
        .string({
            error: (issue) =>
                typeof issue.input === "number"
                    ? `${what}, as a quoted string: write ${quoted(issue.input)}`
                    : what,
        })
        .superRefine((v, ctx) => {
            const p = problem(v);
            if (p) ctx.addIssue({ code: "custom", message: p });
        });
export const cpu = quantity(cpuProblem, "a CPU quantity such as 250m or 2", (n) =>
    Number.isInteger(n) ? `'${n}'` : `'${formatCpu(Math.round(n * 1000))}'`,
);
export const memory = quantity(
    memoryProblem,
    "a memory quantity in Mi or Gi such as 256Mi or 2Gi",
    (n) => `'${n}Mi' or '${n}Gi' (with its unit, in quotes)`,
);

// name[:port]/path...:tag or @sha256:digest; a tag (not `latest`) or a digest is required so a
// rollout is reproducible and staging's promotion record means something.
const IMAGE =
    /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:[a-f0-9]{64})?$/;
const IMAGE_ALLOWED = "an image reference with a pinned tag or digest, e.g. registry/app:1.2.3";
export const image = z.string({ error: IMAGE_ALLOWED }).superRefine((v, ctx) => {
    const m = IMAGE.exec(v);
    const pinned = m !== null && (m[1] !== undefined || v.includes("@sha256:"));
    // A channel tag (`stable`, `Latest`) runs different code next week; the pack refuses the same
    // list in any letter case. A digest next to it pins the image, so the tag is then a label.
    const floating =
        m?.[1] !== undefined &&
        !v.includes("@sha256:") &&
        FLOATING_TAGS.includes(m[1].toLowerCase());
    if (!pinned) ctx.addIssue({ code: "custom", message: IMAGE_ALLOWED });
    else if (floating) {
        ctx.addIssue({
            code: "custom",
            message: `${IMAGE_ALLOWED}; "${m[1]}" is a floating tag (it names a channel, not a build)`,
        });
    }
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day (`2026-02-30` parses in JavaScript as 2 March: compare the round trip). */
function isCalendarDate(v: string): boolean {
    if (!DATE.test(v)) return false;
    const d = new Date(`${v}T00:00:00Z`);
    return !isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}
const day = (d: Date) => d.toISOString().slice(0, 10);

/** The latest review date allowed on `today`. */
export function reviewHorizon(today: Date): string {
    return day(new Date(Date.parse(day(today)) + REVIEW_HORIZON_DAYS * 86_400_000));
}

/** A calendar date at most REVIEW_HORIZON_DAYS ahead: a decision nobody reviews is forgotten. */
export const reviewDate = (today: Date) =>
    z.string({ error: "a date written YYYY-MM-DD" }).superRefine((v, ctx) => {
        if (!isCalendarDate(v)) {
            ctx.addIssue({ code: "custom", message: "a calendar date written YYYY-MM-DD" });
        } else if (v > reviewHorizon(today)) {
            ctx.addIssue({
                code: "custom",
                message: `a date at most ${REVIEW_HORIZON_DAYS} days ahead (${reviewHorizon(today)} or earlier)`,
            });
        }
    });

export const REASON_ALLOWED =
    `a short sentence saying why (at least ${REASON_MIN.characters} characters and ` +
    `${REASON_MIN.words} words)`;
export function isReason(v: string): boolean {
    return v.length >= REASON_MIN.characters && v.split(/\s+/).length >= REASON_MIN.words;
}
/** Trimmed, and long enough to tell the next reader something (".", "tbd" say nothing). */
export const reason = z
    .string({ error: REASON_ALLOWED })
    .trim()
    .refine(isReason, { error: REASON_ALLOWED });

// Prometheus' model.ParseDuration: units in descending order, each at most once, integers only.
const PROMETHEUS_DURATION =
    /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS_MS = [
    365 * 86_400_000,
    7 * 86_400_000,
    86_400_000,
    3_600_000,
    60_000,
    1000,
    1,
];

/** Milliseconds of a duration Prometheus accepts ("0", "1h30m", "90s"), else undefined. */
export function prometheusDurationMs(v: string): number | undefined {
    if (v === "0") return 0;
    const m = v === "" ? null : PROMETHEUS_DURATION.exec(v);
    if (m === null) return undefined;
    return DURATION_UNITS_MS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0);
}

export const PROMETHEUS_DURATION_ALLOWED =
    "a Prometheus duration: integers with units y, w, d, h, m, s, ms in that order, e.g. 5m or 1h30m";

/** A duration Prometheus accepts, at least `minMs` (an alert's `for:` of 0 fires on one bad scrape). */
export const prometheusDuration = (minMs = 0) =>
    z.string({ error: PROMETHEUS_DURATION_ALLOWED }).superRefine((v, ctx) => {
        const ms = prometheusDurationMs(v);
        if (ms === undefined) {
            ctx.addIssue({ code: "custom", message: PROMETHEUS_DURATION_ALLOWED });
        } else if (ms < minMs) {
            ctx.addIssue({
                code: "custom",
                message: `${PROMETHEUS_DURATION_ALLOWED}, at least ${minMs / 1000} s`,
            });
        }
    });
