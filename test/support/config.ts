/**
 * A stack's config as plain data tests can break, and the problems the schema reports for it.
 */
import { ConfigError, parseSettings, Settings } from "../../stacks/settings";
import { PROJECT, readStackConfig, StackName, toEngineConfig } from "../../lib/program";

export type Config = Record<string, any>;

/** A stack's config without the project prefix, deep-copied so tests can break it. */
export function configOf(stack: StackName): Config {
    const c = readStackConfig(stack);
    return JSON.parse(
        JSON.stringify(Object.fromEntries(Object.entries(c).map(([k, v]) => [k.split(":")[1], v]))),
    );
}

/** The settings of a stack's config after `edit`. */
export function settingsAfter(
    edit: (c: Config) => void,
    stack: StackName = "production1",
): Settings {
    const c = configOf(stack);
    edit(c);
    return parseSettings(toEngineConfig(c), PROJECT, `Pulumi.${stack}.yaml`);
}

/** The problems parseSettings reports for a stack's config after `breakIt` ([] if none). */
export function problemsAfter(
    breakIt: (c: Config) => void,
    stack: StackName = "production1",
): readonly string[] {
    try {
        settingsAfter(breakIt, stack);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

/** The stack file's config (with the project prefix) after `edit`, for evaluateProgram. */
export function stackConfigAfter(
    edit: (c: Config) => void,
    stack: StackName = "production1",
): Record<string, unknown> {
    const c = configOf(stack);
    edit(c);
    return Object.fromEntries(Object.entries(c).map(([k, v]) => [`${PROJECT}:${k}`, v]));
}
