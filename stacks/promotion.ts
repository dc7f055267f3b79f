/**
 * Staging first: production1 may only run images that staging has run successfully. Every stack
 * exports `workloadImages` (what it runs now) and `imageHistory` (the last few distinct images of
 * each workload, current first) only once every workload of an update rolled out (both outputs
 * wait on them), and production1 reads them through a StackReference before it registers anything.
 *
 * The gate accepts any image in staging's history, not only its current one: otherwise production1
 * could never roll back to an image staging has since moved past, and a production1 release that
 * lags staging by one bump would deadlock until staging went back.
 */
import * as pulumi from "@pulumi/pulumi";
import { identityOf } from "./identity";
import type { PlanEntry } from "./plan";
import type { Settings } from "./settings";

/**
 * Image reference of every workload (and sidecar, as `workload/container`) by live name, from the
 * plan: exactly the images the components run. The stack exports it and the gate compares it.
 */
export function workloadImages(plan: readonly PlanEntry[]): Record<string, string> {
    return Object.fromEntries(plan.flatMap((p) => p.promoted).map((i) => [i.key, i.image]));
}

/** Per workload key, distinct images, most recent first. */
export type ImageHistory = Readonly<Record<string, readonly string[]>>;

/** Images remembered per workload when `promotion.historyLength` is not set. */
export const DEFAULT_HISTORY_LENGTH = 10;

/** The outputs of an earlier successful update that record images (either may be missing). */
export interface RanImages {
    readonly workloadImages?: Readonly<Record<string, string>>;
    readonly imageHistory?: ImageHistory;
}

/**
 * Everything a stack's outputs say it ran, per workload, most recent first. Stacks deployed before
 * `imageHistory` existed only export `workloadImages`: that one image is their whole history.
 */
export function ranImages(outputs: RanImages | undefined): ImageHistory {
    const current = outputs?.workloadImages ?? {};
    const history = outputs?.imageHistory ?? {};
    const keys = new Set([...Object.keys(current), ...Object.keys(history)]);
    return Object.fromEntries(
        [...keys].map((k) => [k, distinct([current[k], ...(history[k] ?? [])])]),
    );
}

/**
 * The history this update records: each workload's current image first, then what the previous
 * successful update recorded, distinct, at most `length` images. Workloads no longer in the plan
 * are dropped (the gate only ever asks about workloads that exist).
 */
export function nextImageHistory(
    current: Readonly<Record<string, string>>,
    previous: RanImages | undefined,
    length: number,
): Record<string, string[]> {
    const ran = ranImages(previous);
    return Object.fromEntries(
        Object.entries(current).map(([k, image]) => [
            k,
            distinct([image, ...(ran[k] ?? [])]).slice(0, length),
        ]),
    );
}

function distinct(images: readonly (string | undefined)[]): string[] {
    return [...new Set(images.filter((i): i is string => typeof i === "string" && i !== ""))];
}

/** A StackReference to this very stack: its outputs are what its last successful update recorded. */
export function ownStack(): pulumi.StackReference {
    return new pulumi.StackReference("image-history", { name: pulumi.getStack() });
}

/**
 * This stack's own outputs from its last successful update, read through a StackReference named
 * by the stack itself (a bare stack name resolves within the current project on every backend).
 * Empty on the first deployment: the stack exists (`pulumi stack init`) but has no outputs yet.
 * The engine keeps a stack's previous outputs until an update registers new ones, so reading them
 * before registering anything sees the last update that completed.
 */
export async function previousRun(self = ownStack()): Promise<RanImages> {
    const [workloads, history] = await Promise.all([
        self.getOutputDetails("workloadImages"),
        self.getOutputDetails("imageHistory"),
    ]);
    return {
        workloadImages: workloads.value as Record<string, string> | undefined,
        imageHistory: history.value as ImageHistory | undefined,
    };
}

/**
 * The stack outputs that record what this update ran. Both resolve only once every workload's
 * update succeeded (`rollouts`: the provider waits for each rollout), so they record what this
 * stack ran successfully; a failed update leaves the previous outputs in place.
 */
export function ranSuccessfully(
    settings: Settings,
    rollouts: readonly pulumi.Input<string>[],
    previous: RanImages,
): {
    workloadImages: pulumi.Output<Record<string, string>>;
    imageHistory: pulumi.Output<ImageHistory>;
} {
    const done = pulumi.all([...rollouts]);
    const current = workloadImages(settings.plan);
    const length = settings.promotion.historyLength ?? DEFAULT_HISTORY_LENGTH;
    return {
        workloadImages: done.apply(() => current),
        imageHistory: done.apply(() => nextImageHistory(current, previous, length)),
    };
}

/** A workload whose image the promotion source has not run. */
export interface Unpromoted {
    readonly workload: string;
    readonly image: string;
    /** What the promotion source runs for that workload now, if anything. */
    readonly staged?: string;
    /** Older images the promotion source ran for that workload, most recent first. */
    readonly ranBefore: readonly string[];
}

/** An image reference split as a registry reads it: `repository[:tag][@sha256:<hex>]`. */
export interface ImageRef {
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** Splits an image reference; the tag is what follows the last `:` after the last `/`. */
export function parseImage(image: string): ImageRef {
    const [name, digest] = image.split("@", 2);
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    const tagged = colon > slash;
    return {
        repository: tagged ? name.slice(0, colon) : name,
        tag: tagged ? name.slice(colon + 1) : undefined,
        digest: /^sha256:[0-9a-f]{64}$/.test(digest ?? "") ? digest : undefined,
    };
}

/**
 * Whether `image` is something the source ran: by digest when `image` carries one (the same
 * repository and the same bytes; a `tag@digest` reference is judged by its digest, and a tag
 * pushed again under another digest does not match), else the very same reference. A digest can
 * only match a digest: a source that ran a bare tag did not record which bytes it ran.
 */
export function ranSameImage(image: string, ran: string): boolean {
    const mine = parseImage(image);
    if (mine.digest === undefined) return image === ran;
    const theirs = parseImage(ran);
    return theirs.repository === mine.repository && theirs.digest === mine.digest;
}

/** Workloads of `mine` whose image the promotion source never ran (now or in its history). */
export function findUnpromoted(
    mine: Readonly<Record<string, string>>,
    ran: ImageHistory,
): Unpromoted[] {
    return Object.entries(mine)
        .filter(([workload, image]) => !(ran[workload] ?? []).some((r) => ranSameImage(image, r)))
        .map(([workload, image]) => {
            const [staged, ...ranBefore] = ran[workload] ?? [];
            return { workload, image, staged, ranBefore };
        });
}

/** The refusal an operator reads in the failed preview. */
export function promotionRefusal(
    source: string,
    unpromoted: readonly Unpromoted[],
    stackFile: string,
): string {
    const ran = (u: Unpromoted) =>
        `${source} runs ${u.staged ?? "nothing"}` +
        (u.ranBefore.length > 0 ? `; ran before: ${u.ranBefore.join(", ")}` : "");
    return (
        `Refusing to deploy ${unpromoted.length} workload image(s) that ${source} has not run ` +
        `successfully:\n` +
        unpromoted.map((u) => `  - ${u.workload}: ${u.image} (${ran(u)})`).join("\n") +
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
    // `imageHistory` may be missing: a promotion source last deployed before it existed.
    const [current, history] = await Promise.all([
        source.getOutputDetails("workloadImages"),
        source.getOutputDetails("imageHistory"),
    ]).catch((e: unknown) => {
        // A source that passes the schema but names no stack (or one we may not read) is a
        // config mistake: say which key, never a stack trace.
        const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
        // A listed stack's source is a constant of the project, not a key of its file.
        const stack = /^Pulumi\.(.+)\.yaml$/.exec(settings.stackFile)?.[1];
        const where = identityOf(stack)
            ? `the promotion source of ${stack} (stacks/identity.ts)`
            : "sapoche-stack:promotion.fromStack";
        throw new pulumi.RunError(
            `Invalid stack configuration in ${settings.stackFile} (1 problem); nothing was ` +
                `registered:\n  - ${where}: got "${fromStack}"; ` +
                `expected a stack that exists and this stack may read (${why})`,
        );
    });
    const ran = ranImages({
        workloadImages: current.value as Record<string, string> | undefined,
        imageHistory: history.value as ImageHistory | undefined,
    });
    const unpromoted = findUnpromoted(workloadImages(settings.plan), ran);
    if (unpromoted.length === 0) {
        // A bypass left set is visible even when nothing needs it, so it is not forgotten.
        if (bypassReason) {
            await pulumi.log.warn(
                `Promotion bypass set (${bypassReason}) but unused: every image ran on ` +
                    `${fromStack}. Set sapoche-stack:promotion.bypassReason to "".`,
            );
        }
        return [];
    }
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
