/**
 * Staging first: production1 may only run images that staging has run successfully. Staging's
 * stack exports `workloadImages` only once every workload of an update rolled out (the output
 * waits on them), and production1 reads it through a StackReference before it registers anything.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlanEntry } from "./plan";
import type { Settings } from "./settings";

/**
 * Image reference of every workload (and sidecar, as `workload/container`) by live name, from the
 * plan: exactly the images the components run. The stack exports it and the gate compares it.
 */
export function workloadImages(plan: readonly PlanEntry[]): Record<string, string> {
    return Object.fromEntries(plan.flatMap((p) => p.promoted).map((i) => [i.key, i.image]));
}

/** A workload whose image the promotion source has not run. */
export interface Unpromoted {
    readonly workload: string;
    readonly image: string;
    /** What the promotion source runs for that workload, if anything. */
    readonly staged?: string;
}

/** Workloads of `mine` whose image differs from what the promotion source ran. */
export function findUnpromoted(
    mine: Readonly<Record<string, string>>,
    staged: Readonly<Record<string, string>> | undefined,
): Unpromoted[] {
    return Object.entries(mine)
        .filter(([workload, image]) => staged?.[workload] !== image)
        .map(([workload, image]) => ({ workload, image, staged: staged?.[workload] }));
}

/** The refusal an operator reads in the failed preview. */
export function promotionRefusal(
    source: string,
    unpromoted: readonly Unpromoted[],
    stackFile: string,
): string {
    return (
        `Refusing to deploy ${unpromoted.length} workload image(s) that ${source} has not run ` +
        `successfully:\n` +
        unpromoted
            .map((u) => `  - ${u.workload}: ${u.image} (${source} runs ${u.staged ?? "nothing"})`)
            .join("\n") +
        `\nDeploy them to staging first. In an emergency only, set ` +
        `sapoche-stack:promotion.bypassReason in ${stackFile}: the preview then shows the bypass ` +
        `and the policy pack reports it.`
    );
}

/**
 * Checks this stack's images against its promotion source. Resolves to the workloads deployed
 * under an emergency bypass (empty when all is promoted or there is no source); rejects with
 * the refusal otherwise, before any workload is registered.
 */
export async function checkPromotion(settings: Settings): Promise<Unpromoted[]> {
    const { fromStack, bypassReason } = settings.promotion;
    if (!fromStack) return [];
    const source = new pulumi.StackReference("promotion-source", { name: fromStack });
    const staged = (await source.getOutputDetails("workloadImages")).value as
        Record<string, string> | undefined;
    const mine = workloadImages(settings.plan);
    const unpromoted = findUnpromoted(mine, staged);
    if (unpromoted.length === 0) return [];
    if (!bypassReason) {
        throw new pulumi.RunError(promotionRefusal(fromStack, unpromoted, settings.stackFile));
    }
    await pulumi.log.warn(
        `Promotion bypass (${bypassReason}): ${unpromoted.map((u) => u.workload).join(", ")} ` +
            `run images ${fromStack} has not run.`,
    );
    return unpromoted;
}

/**
 * Marks the Deployments and StatefulSets deployed under a bypass with
 * `sapoche.io/promotion-bypass: <reason>`, so the object itself says so and the policy pack's
 * advisory `report-promotion-bypass` lists it in every preview.
 */
export function annotateBypass(settings: Settings, unpromoted: readonly Unpromoted[]): void {
    const reason = settings.promotion.bypassReason;
    const workloadOf = new Map(
        settings.plan.flatMap((p) => p.promoted).map((i) => [i.key, i.workload]),
    );
    const names = new Set(unpromoted.map((u) => workloadOf.get(u.workload)));
    if (names.size === 0) return;
    pulumi.runtime.registerStackTransformation((args) => {
        const props = args.props as { metadata?: { name?: string; annotations?: object } };
        const workload = /^kubernetes:apps\/v1:(Deployment|StatefulSet)$/.test(args.type);
        if (!workload || !names.has(props.metadata?.name ?? "")) return undefined;
        const metadata = {
            ...props.metadata,
            annotations: { ...props.metadata?.annotations, [PROMOTION_BYPASS]: reason },
        };
        return { props: { ...args.props, metadata }, opts: args.opts };
    });
}

/** Annotation carrying the reason of an emergency promotion bypass. */
export const PROMOTION_BYPASS = "sapoche.io/promotion-bypass";
