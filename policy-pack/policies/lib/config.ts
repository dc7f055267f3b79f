import { PolicyConfigSchema } from "@pulumi/policy";

/**
 * The policy's config over its schema defaults. The CLI fills the defaults in before it calls the
 * pack, but an analyzer that was never configured hands over `{}`, and a mandatory check comparing
 * against `undefined` would then pass silently.
 */
export function configOf<T extends object>(schema: PolicyConfigSchema, given: object): T {
    const defaults = Object.fromEntries(
        Object.entries(schema.properties)
            .filter(([, property]) => property.default !== undefined)
            .map(([key, property]) => [key, property.default]),
    );
    return { ...defaults, ...given } as T;
}
