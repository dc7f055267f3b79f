/**
 * Child resource options. Every child's logical name is `${componentName}-<role>`; a child whose
 * logical name changed carries its earlier names as aliases, because the engine matches state by
 * logical name and would otherwise delete the live object and create it again.
 *
 * Components expose their children as properties and register no outputs: a child's id is unknown
 * while its creation is previewed, so a saved plan would record such outputs as unknown and
 * `pulumi up --plan` (scripts/delivery/release.sh) would refuse the known id as "properties changed".
 */
import type * as pulumi from "@pulumi/pulumi";

/** `{ parent }`, plus an alias for each logical name the child had before. */
export function childOf(
    parent: pulumi.Resource,
    previousNames: readonly string[] = [],
): pulumi.CustomResourceOptions {
    if (previousNames.length === 0) return { parent };
    return { parent, aliases: previousNames.map((name) => ({ name })) };
}
