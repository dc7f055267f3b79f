/**
 * Adoption of the live namespace. With `sapoche-stack:adopt: true`, every object that exists in
 * today's namespace under the same kind and name (docs/live-namespace.txt) is imported into the
 * stack instead of created: the preview shows `= import`, and the object keeps its uid. Its
 * content is left as it is during that first update (import compares the program with the live
 * object); the next update, with `adopt: false`, patches it in place to the program's shape.
 * Runbook: README, "Adopting the live namespace".
 */
import * as pulumi from "@pulumi/pulumi";
import { addedObjects } from "./changes";
import type { Settings } from "./settings";

/**
 * `Kind/name` of every live object this program manages under the same kind and name: what the
 * plan manages, less what stacks/changes.ts declares new (a workload added after the inventory
 * does not exist yet, so there is nothing to import).
 */
export function liveObjects(settings: Settings): Set<string> {
    const added = new Set(addedObjects.map((a) => a.object));
    return new Set(
        [`Namespace/${settings.namespace}`, ...settings.plan.flatMap((p) => p.liveObjects)].filter(
            (o) => !added.has(o),
        ),
    );
}

/** Registers the import of every live object when adoption is on. */
export function adoptLiveObjects(settings: Settings): void {
    if (!settings.adopt) return;
    const live = liveObjects(settings);
    pulumi.runtime.registerStackTransformation((args) => {
        if (!args.type.startsWith("kubernetes:")) return undefined;
        const kind = args.type.split(":")[2].split("/").pop();
        const name = (args.props as { metadata?: { name?: string } }).metadata?.name;
        if (!live.has(`${kind}/${name}`)) return undefined;
        return {
            props: args.props,
            opts: {
                ...args.opts,
                import: kind === "Namespace" ? name : `${settings.namespace}/${name}`,
                // Import requires the program to match the live object; the shape is applied by
                // the next update, in place.
                ignoreChanges: ["metadata", "spec"],
            },
        };
    });
}
