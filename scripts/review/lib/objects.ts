/**
 * The Kubernetes objects a stack's program registers, evaluated under Pulumi mocks, for the
 * review tools (`npm run render | diagram | capacity`). No cluster, no state, no credentials.
 *
 * Command-line helpers are in `cli.ts`, workloads read from the objects in `workloads.ts`, CPU
 * and memory quantities in `quantity.ts`.
 *
 * Depends only on `lib/program.ts`'s exported API and on what the program registers
 * (type, name, inputs), never on `stacks/` or `components/` internals: the program's structure can
 * change freely as long as it registers the same objects.
 */
import * as fs from "fs";
import * as path from "path";
import { evaluateProgram, PROJECT, readStackConfig, ROOT, StackName } from "../../../lib/program";

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
