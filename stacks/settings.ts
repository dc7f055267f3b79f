/**
 * Reads the stack config once, validates it, and hands the program one typed, frozen settings
 * object whose `plan` lists every workload with its own settings (stacks/plan.ts). Bad config
 * fails here, before any resource is registered, with one message listing every problem: stack
 * file, key, value and what is allowed.
 */
import { execFileSync } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import {
    AdoptionSettings,
    OBJECT_KEYS,
    PromotionSettings,
    configSchema,
    configSchemaFor,
} from "./schema";
import { PlanEntry, buildPlan } from "./plan";
import { credentialProblems } from "./schema/credentials";
import { identityOf } from "./identity";
import type { MonitoringSettings } from "./schema/monitoring";
import type { NetworkSettings } from "./schema/network";

/** Everything the program needs to know about one stack. */
export interface Settings {
    /** `Pulumi.<stack>.yaml`, named in every error message. */
    readonly stackFile: string;
    readonly environment: string;
    readonly namespace: string;
    /** The uid of the kube-system Namespace of the one cluster this stack may run against. */
    readonly clusterUid: string;
    /** Every workload, in catalog order, paired with its own settings. */
    readonly plan: readonly PlanEntry[];
    readonly promotion: Readonly<PromotionSettings>;
    /** The phase of the adoption of the live namespace (stacks/adoption.ts); `done` when over. */
    readonly adoption: Readonly<AdoptionSettings>;
    /** Alert thresholds and durations (stacks/monitoring.ts). */
    readonly monitoring: MonitoringSettings;
    /** Egress destinations outside the namespace (stacks/network.ts). */
    readonly network: NetworkSettings;
    /** Source revision being deployed, exported with the stack's outputs. */
    readonly sourceRevision: string;
}

/** Config of one stack: key (without the project prefix) to the raw string Pulumi stores. */
export type RawConfig = Readonly<Record<string, string>>;

/** Raised for invalid stack config; its message is the whole report. */
export class ConfigError extends Error {
    constructor(
        readonly problems: readonly string[],
        stackFile: string,
    ) {
        super(
            `Invalid stack configuration in ${stackFile} (${problems.length} ` +
                `problem${problems.length === 1 ? "" : "s"}); nothing was registered:\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** What parseSettings needs beyond the project's own keys. */
export interface ParseOptions {
    /** Full names of the stack's config keys under other prefixes (`kubernetes:context`). */
    readonly otherKeys?: readonly string[];
    /** Today, for the review-date horizon. @default now */
    readonly today?: Date;
}

/**
 * Validates raw config (as `pulumi.runtime.allConfig()` returns it, project prefix removed) and
 * returns the frozen settings, or throws a ConfigError listing every problem. The stack's name
 * (from `Pulumi.<stack>.yaml`) selects the rules that differ per stack.
 */
export function parseSettings(
    raw: RawConfig,
    project: string,
    stackFile: string,
    options: ParseOptions = {},
): Settings {
    const input: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(raw)) {
        input[key] = OBJECT_KEYS.has(key) ? parseJson(text) : text;
    }
    const stack = /^Pulumi\.(.+)\.yaml$/.exec(stackFile)?.[1];
    const schema = configSchemaFor({ stack, project, today: options.today });
    const result = schema.safeParse(input);
    // The engine hands over every key; one under a misspelt project prefix would be dropped.
    const misspelt = (options.otherKeys ?? []).flatMap((key) => {
        const [prefix, ...rest] = key.split(":");
        const near = prefix !== project && editDistance(prefix, project) <= 3;
        return near
            ? [
                  `${key}: unknown project prefix "${prefix}" (did you mean ` +
                      `"${project}:${rest.join(":")}"?); this program reads only ${project}: keys`,
              ]
            : [];
    });
    // Whatever else is wrong: a credential is refused even where the schema stops early.
    const leaks = credentialProblems(input, project);
    if (!result.success || misspelt.length > 0 || leaks.length > 0) {
        const issues = result.success ? [] : result.error.issues;
        const problems = [
            ...misspelt,
            ...issues.flatMap((i) => describe(i, input, project)),
            ...leaks,
        ];
        throw new ConfigError(problems, stackFile);
    }

    const c = result.data;
    // The guard's parameters come from the project (stacks/identity.ts), never from the file.
    const identity = identityOf(stack);
    return deepFreeze({
        stackFile,
        environment: c.environment,
        namespace: identity?.namespace ?? c.namespace!,
        clusterUid: c.clusterUid,
        plan: buildPlan(c),
        promotion: {
            ...c.promotion,
            fromStack: identity?.promotionSource ?? c.promotion.fromStack ?? "",
        },
        adoption: c.adoption,
        monitoring: c.monitoring,
        network: c.network,
        sourceRevision: sourceRevision(),
    });
}

/** Reads this stack's config once. Call it from `index.ts` only. */
export function loadSettings(): Settings {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const raw: Record<string, string> = {};
    const otherKeys: string[] = [];
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
        else otherKeys.push(key);
    }
    const stackFile = `Pulumi.${pulumi.getStack()}.yaml`;
    try {
        return parseSettings(raw, project, stackFile, { otherKeys });
    } catch (e) {
        // RunError prints the message without a stack trace: the report is the whole story.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

/**
 * The revision being deployed: `SAPOCHE_SOURCE_REVISION` when CI or the release command sets it,
 * else the git commit of the working tree (`-dirty` with uncommitted changes).
 */
function sourceRevision(): string {
    const fromEnv = process.env.SAPOCHE_SOURCE_REVISION;
    if (fromEnv) return fromEnv;
    try {
        const git = (...args: string[]) =>
            execFileSync("git", args, {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "ignore"],
            }).trim();
        return git("rev-parse", "HEAD") + (git("status", "--porcelain") ? "-dirty" : "");
    } catch {
        return "unknown (not a git checkout)";
    }
}

/** Pulumi stores structured values as JSON text; anything else stays text for the report. */
function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function describe(issue: z.core.$ZodIssue, input: unknown, project: string): string[] {
    const path = issue.path.map(String);
    const key = `${project}:${path.join(".")}`;
    if (issue.code === "unrecognized_keys") {
        const allowed = allowedKeys(path);
        return issue.keys.map((k) => {
            const hint = closest(k, allowed);
            return (
                `${key}${path.length ? "." : ""}${k}: unknown key` +
                (hint ? ` (did you mean "${hint}"?)` : "") +
                `; allowed keys: ${allowed.join(", ")}`
            );
        });
    }
    const value = lookup(input, path);
    // A value that looks like a credential is named, never printed (stacks/schema/live.ts).
    const redacted = (issue as { params?: { redact?: boolean } }).params?.redact === true;
    const got = redacted
        ? "got a literal (not shown)"
        : value === undefined
          ? "missing"
          : `got ${JSON.stringify(value)}`;
    const expected =
        issue.code === "invalid_type" && issue.expected === "object"
            ? `an object with keys ${allowedKeys(path).join(", ")}`
            : issue.message;
    return [`${key}: ${got}; expected ${expected}`];
}

function allowedKeys(path: string[]): string[] {
    let schema: unknown = configSchema;
    for (const segment of path) schema = childOf(schema, segment);
    return Object.keys(shapeOf(schema) ?? {});
}

/** The schema of one path segment: a field of an object, or the element of a list. */
function childOf(schema: unknown, segment: string): unknown {
    let s = schema as { def?: { type?: string; innerType?: unknown; element?: unknown } };
    while (s?.def?.innerType) s = s.def.innerType as typeof s;
    if (s?.def?.type === "array") return s.def.element;
    return shapeOf(s)?.[segment];
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
    // Refinements wrap the object schema; its shape is what lists the allowed keys.
    const s = schema as {
        shape?: Record<string, unknown>;
        def?: { in?: unknown; innerType?: unknown };
    };
    if (s?.shape) return s.shape;
    if (s?.def?.innerType) return shapeOf(s.def.innerType);
    return undefined;
}

function lookup(input: unknown, path: string[]): unknown {
    let v: unknown = input;
    for (const segment of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<string, unknown>)[segment];
    }
    return v;
}

/** The allowed key nearest to a typo (edit distance at most 3), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = 4;
    for (const c of candidates) {
        const d = editDistance(word, c);
        if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    return best;
}

function editDistance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) {
            cur[j] = Math.min(
                prev[j] + 1,
                cur[j - 1] + 1,
                prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
            );
        }
        prev = cur;
    }
    return prev[b.length];
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value)) deepFreeze(v);
    }
    return value;
}
