/**
 * The Kubernetes objects a stack's program registers, evaluated under Pulumi mocks, for the
 * review tools (`npm run render | diagram | capacity`). No cluster, no state, no credentials.
 *
 * Depends only on `test/support/program.ts`'s exported API and on what the program registers
 * (type, name, inputs), never on `stacks/` or `components/` internals: the program's structure can
 * change freely as long as it registers the same objects.
 */
import * as fs from "fs";
import * as path from "path";
import {
    evaluateProgram,
    PROJECT,
    readStackConfig,
    ROOT,
    StackName,
} from "../../test/support/program";

export { ROOT };

/** A Kubernetes object as the program hands it to the provider. */
export interface K8sObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: {
        readonly name: string;
        readonly namespace?: string;
        readonly labels?: Record<string, string>;
        readonly annotations?: Record<string, string>;
    };
    readonly [field: string]: unknown;
}

/** How production1's promotion gate answered while the objects were evaluated. */
export interface GateResult {
    /** False when the stack has no promotion source or the gate accepted every image. */
    readonly refused: boolean;
    /** The gate's refusal, as the preview would print it. */
    readonly message?: string;
    /** What the promotion source was assumed to have run. */
    readonly assumed: string;
}

export interface Evaluated {
    readonly stack: StackName;
    /** Every Kubernetes object, in a stable order (see `sortObjects`). */
    readonly objects: readonly K8sObject[];
    readonly gate: GateResult;
}

export const STACKS: readonly StackName[] = ["production1", "staging"];

/** The stack named on the command line, or a usage error. */
export function stackArg(argv: readonly string[], usage: string): StackName {
    const stack = argv.find((a) => !a.startsWith("-"));
    if (!stack || !(STACKS as readonly string[]).includes(stack)) {
        throw new UsageError(`usage: ${usage}\n  <stack>: one of ${STACKS.join(", ")}`);
    }
    return stack as StackName;
}

/** The value of `--flag value` on the command line. */
export function flagArg(argv: readonly string[], flag: string): string | undefined {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
}

export class UsageError extends Error {}

/** Runs a script's `main` with its arguments: exit 2 on a usage error, 1 on any other failure. */
export function runMain(main: (argv: string[]) => Promise<number>): void {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof UsageError ? e.message : e);
            process.exit(e instanceof UsageError ? 2 : 1);
        },
    );
}

/**
 * Evaluates the stack's program under mocks and returns its Kubernetes objects.
 *
 * production1's promotion gate reads staging's `imageHistory` (or `workloadImages`). By default
 * staging is assumed to have run what `Pulumi.staging.yaml` says (what main deploys right before
 * production1), or `promotionSource` (e.g. staging's real `pulumi stack output --json`). When the
 * gate refuses, the refusal is returned, not thrown, and the objects are those the program
 * registers with the gate bypassed (an explicit `promotion.bypassReason`), so reviewers still see what
 * the change does: pull requests report a refusal, main's real preview enforces it.
 */
export async function evaluateObjects(
    stack: StackName,
    promotionSource?: Record<string, unknown>,
): Promise<Evaluated> {
    const config = readStackConfig(stack);
    const source = promotionSourceOf(config);
    const stackOutputs = source && promotionSource ? { [source]: promotionSource } : undefined;
    const assumed = !source
        ? "no promotion source"
        : promotionSource
          ? `${source} ran the images in the given outputs`
          : `${source} ran what Pulumi.staging.yaml says`;
    try {
        const resources = await evaluateProgram(
            stack,
            config,
            stackOutputs ? { stackOutputs } : {},
        );
        return { stack, objects: toObjects(resources), gate: { refused: false, assumed } };
    } catch (e) {
        if (!source) throw e;
        // Only a refusal of the gate goes away without a promotion source; anything else (bad
        // config, a bug) fails the same way again and is thrown from here.
        const ungated = withoutPromotionSource(config);
        const resources = await evaluateProgram(stack, ungated);
        return {
            stack,
            objects: toObjects(resources),
            gate: { refused: true, message: (e as Error).message, assumed },
        };
    }
}

const PROMOTION_KEY = `${PROJECT}:promotion`;

function promotionSourceOf(config: Record<string, unknown>): string {
    const promotion = config[PROMOTION_KEY] as { fromStack?: string } | undefined;
    return promotion?.fromStack ?? "";
}

/**
 * The config with the gate bypassed by an explicit reason: an empty source is refused for
 * production1 by the config schema, and the bypass then shows on the rendered workloads.
 */
function withoutPromotionSource(config: Record<string, unknown>): Record<string, unknown> {
    const promotion = config[PROMOTION_KEY] as Record<string, unknown>;
    const bypassReason =
        "Rendered for review: the promotion gate refused, see the gate report above";
    return { ...config, [PROMOTION_KEY]: { ...promotion, bypassReason } };
}

/** Reads `pulumi stack output --json` of the promotion source from a file. */
export function readOutputs(file: string): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(path.resolve(file), "utf8")) as Record<string, unknown>;
}

interface Registered {
    readonly type: string;
    readonly props: Record<string, unknown>;
}

/** The Kubernetes objects among registered resources (not providers, components, references). */
export function toObjects(resources: readonly Registered[]): K8sObject[] {
    const objects = resources
        .filter((r) => r.type.startsWith("kubernetes:"))
        .map((r) => r.props as unknown as K8sObject)
        .filter((o) => typeof o.kind === "string" && typeof o.metadata?.name === "string");
    return sortObjects(objects);
}

/**
 * Order in which `kubectl apply` / GitOps tools create kinds: what others depend on first
 * (namespace, identities, config, storage), then workloads, then what targets workloads.
 */
const KIND_ORDER = [
    "Namespace",
    "ResourceQuota",
    "LimitRange",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "NetworkPolicy",
    "Service",
    "StatefulSet",
    "Deployment",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "TriggerAuthentication",
    "ScaledObject",
];

function kindRank(kind: string): number {
    const i = KIND_ORDER.indexOf(kind);
    return i < 0 ? KIND_ORDER.length : i;
}

/** Stable order: by kind (apply order), then API group, then name; never registration order. */
export function sortObjects(objects: readonly K8sObject[]): K8sObject[] {
    return [...objects].sort(
        (a, b) =>
            kindRank(a.kind) - kindRank(b.kind) ||
            a.kind.localeCompare(b.kind) ||
            a.apiVersion.localeCompare(b.apiVersion) ||
            a.metadata.name.localeCompare(b.metadata.name),
    );
}

// ---------------------------------------------------------------------------------------------
// Workloads: replicas, autoscaler bounds, pod resources, read from the objects themselves.

export interface Scaling {
    readonly min: number;
    readonly max: number;
    /** "fixed", "HPA" or "KEDA". */
    readonly by: "fixed" | "HPA" | "KEDA";
}

export interface Workload {
    readonly kind: "Deployment" | "StatefulSet";
    readonly name: string;
    /** `app.kubernetes.io/component`: the workload family. */
    readonly family: string;
    readonly scaling: Scaling;
    /** Extra pods a rolling update adds at `max` (maxSurge); 0 for Recreate and StatefulSets. */
    readonly surgeAtMax: number;
    /** Requests and limits of one pod, in millicores and mebibytes. */
    readonly pod: PodResources;
    readonly podLabels: Record<string, string>;
    readonly object: K8sObject;
}

export interface PodResources {
    readonly requestsCpu: number;
    readonly requestsMemory: number;
    readonly limitsCpu: number;
    readonly limitsMemory: number;
}

export const COMPONENT_LABEL = "app.kubernetes.io/component";

type Any = Record<string, any>;

/** Every Deployment and StatefulSet with its scaling, as the autoscalers targeting it say. */
export function workloadsOf(objects: readonly K8sObject[]): Workload[] {
    const autoscalers = new Map<string, Scaling>();
    for (const o of objects) {
        const spec = (o as Any).spec ?? {};
        const target = spec.scaleTargetRef as { kind?: string; name?: string } | undefined;
        if (!target?.name) continue;
        const key = `${target.kind ?? "Deployment"}/${target.name}`;
        if (o.kind === "HorizontalPodAutoscaler") {
            // Kubernetes' defaults: minReplicas 1.
            autoscalers.set(key, { min: spec.minReplicas ?? 1, max: spec.maxReplicas, by: "HPA" });
        } else if (o.kind === "ScaledObject") {
            // KEDA's defaults: minReplicaCount 0, maxReplicaCount 100.
            autoscalers.set(key, {
                min: spec.minReplicaCount ?? 0,
                max: spec.maxReplicaCount ?? 100,
                by: "KEDA",
            });
        }
    }
    return objects
        .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")
        .map((o) => {
            const spec = (o as Any).spec ?? {};
            const kind = o.kind as Workload["kind"];
            // Kubernetes defaults spec.replicas to 1.
            const fixed = spec.replicas ?? 1;
            const scaling = autoscalers.get(`${kind}/${o.metadata.name}`) ?? {
                min: fixed,
                max: fixed,
                by: "fixed" as const,
            };
            return {
                kind,
                name: o.metadata.name,
                family: o.metadata.labels?.[COMPONENT_LABEL] ?? "unlabelled",
                scaling,
                surgeAtMax: surge(kind, spec.strategy, scaling.max),
                pod: podResources(spec.template?.spec ?? {}),
                podLabels: spec.template?.metadata?.labels ?? {},
                object: o,
            };
        });
}

/** Extra pods of a rolling update: maxSurge (count or percentage, rounded up; default 25 %). */
export function surge(kind: string, strategy: Any | undefined, replicas: number): number {
    if (kind !== "Deployment" || strategy?.type === "Recreate") return 0;
    const maxSurge = strategy?.rollingUpdate?.maxSurge ?? "25%";
    if (typeof maxSurge === "number") return maxSurge;
    const percent = /^(\d+)%$/.exec(String(maxSurge));
    return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : Number(maxSurge);
}

/**
 * One pod's requests and limits: the sum over its containers, or the largest init container
 * when that is larger (init containers run one at a time, before the others).
 */
export function podResources(podSpec: Any): PodResources {
    const of = (c: Any, section: "requests" | "limits", what: "cpu" | "memory") => {
        const v = c.resources?.[section]?.[what];
        return v === undefined ? 0 : what === "cpu" ? millicores(v) : mebibytes(v);
    };
    const total = (section: "requests" | "limits", what: "cpu" | "memory") => {
        const main = (podSpec.containers ?? []).reduce(
            (t: number, c: Any) => t + of(c, section, what),
            0,
        );
        const init = Math.max(
            0,
            ...(podSpec.initContainers ?? []).map((c: Any) => of(c, section, what)),
        );
        return Math.max(main, init);
    };
    return {
        requestsCpu: total("requests", "cpu"),
        requestsMemory: total("requests", "memory"),
        limitsCpu: total("limits", "cpu"),
        limitsMemory: total("limits", "memory"),
    };
}

/** CPU quantity (`250m`, `2`, `0.5`) in millicores. */
export function millicores(q: string | number): number {
    const s = String(q).trim();
    if (s.endsWith("m")) return Number(s.slice(0, -1));
    const n = Number(s);
    if (Number.isNaN(n)) throw new Error(`not a CPU quantity: ${q}`);
    return Math.round(n * 1000);
}

const BINARY: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Memory quantity (`128Mi`, `1Gi`, `500M`, bytes) in mebibytes. */
export function mebibytes(q: string | number): number {
    const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q).trim());
    if (!m) throw new Error(`not a memory quantity: ${q}`);
    const n = Number(m[1]);
    if (m[2] in BINARY) return n * BINARY[m[2]];
    if (m[2] in DECIMAL) return (n * DECIMAL[m[2]]) / 2 ** 20;
    if (m[2] === "") return n / 2 ** 20;
    throw new Error(`not a memory quantity: ${q}`);
}

/** Millicores as the API server would print them (`28600m`, `2`). */
export function formatCpu(m: number): string {
    return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Mebibytes as `1.5Gi` / `320Mi`, for people. */
export function formatMemory(mi: number): string {
    if (mi >= 1024) return `${(mi / 1024).toFixed(mi % 1024 === 0 ? 0 : 1)}Gi`;
    return `${Math.round(mi)}Mi`;
}

/** True when every label of `selector` is on `labels`. */
export function selects(
    selector: Record<string, string> | undefined,
    labels: Record<string, string>,
) {
    const entries = Object.entries(selector ?? {});
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}
