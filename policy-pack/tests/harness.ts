import {
    EnforcementLevel,
    PolicyPackConfig,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { configOf } from "../policies/lib/config";

// @pulumi/policy 1.21 exports unknownCheckingProxy and UnknownValueError at runtime but strips
// their declarations (@internal), so both type as `any` here.

/**
 * What the engine puts where a value is not known during preview (the string sentinel
 * `@pulumi/policy`'s deserializer passes through); put it in a fixture to simulate one.
 */
export const UNKNOWN: any = unknownValue;

/** What the harness records instead of violations when a policy touched an unknown value. */
export const SKIPPED_UNKNOWN = "skipped: unknown value";

/** A registered resource: type token, logical name, (resolved) props and its ignoreChanges. */
export interface FixtureResource {
    type: string;
    name: string;
    props: Record<string, any>;
    /** The resource option, as the engine hands it to the pack. @default [] */
    ignoreChanges?: readonly string[];
}

/** Stands in for the engine's private NotApplicableError. */
class NotApplicable extends Error {}

const noOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

function optionsOf(resource: FixtureResource) {
    return { ...noOptions, ignoreChanges: [...(resource.ignoreChanges ?? [])] };
}

function urnOf(resource: FixtureResource): string {
    return `urn:pulumi:test::sapoche-stack::${resource.type}::${resource.name}`;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    return (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

/** Stack policies are the ones with validateStack (the engine's own check is internal to @pulumi/policy). */
export function isStackPolicy(
    policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is StackValidationPolicy {
    return "validateStack" in policy;
}

/** The policy's config as the engine hands it over: schema defaults, then the pack config on top. */
export function configFor(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    packConfig: PolicyPackConfig = {},
): Record<string, unknown> {
    const given = packConfig[policy.name];
    const { enforcementLevel: _level, ...properties } = typeof given === "object" ? given : {};
    return configOf(policy.configSchema ?? { properties: {} }, properties);
}

/** The level the engine applies: the pack config's, else the policy's own, else advisory. */
export function enforcementLevelOf(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    packConfig: PolicyPackConfig = {},
): EnforcementLevel {
    const given = packConfig[policy.name];
    const configured = typeof given === "object" ? given.enforcementLevel : given;
    return configured ?? policy.enforcementLevel ?? "advisory";
}

/** Runs one validation the way the engine does: violations collected, unknowns and notApplicable recorded. */
async function collect(
    run: (report: (message: string) => void) => Promise<void> | void,
): Promise<string[]> {
    const messages: string[] = [];
    try {
        await run((message) => messages.push(message));
    } catch (e) {
        if (e instanceof UnknownValueError) {
            messages.push(`${SKIPPED_UNKNOWN}: ${(e as Error).message}`);
        } else if (!(e instanceof NotApplicable)) {
            throw e;
        }
    }
    return messages;
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

/** The violation messages a resource policy reports for one resource. */
export async function validateResource(
    policy: ResourceValidationPolicy,
    resource: FixtureResource,
    packConfig: PolicyPackConfig = {},
): Promise<string[]> {
    const messages: string[] = [];
    for (const validation of [policy.validateResource ?? []].flat()) {
        messages.push(
            ...(await collect((report) => {
                const props = unknownCheckingProxy(resource.props);
                const args: ResourceValidationArgs = {
                    type: resource.type,
                    name: resource.name,
                    urn: urnOf(resource),
                    props,
                    opts: optionsOf(resource),
                    stackTags: new Map(),
                    isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
                    asType: (resourceClass) =>
                        isTypeOf(resource.type, resourceClass) ? (props as any) : undefined,
                    getConfig: <T extends object>() => configFor(policy, packConfig) as T,
                    notApplicable: throwNotApplicable,
                };
                return validation(args, report);
            })),
        );
    }
    return messages;
}

/** The violation messages a stack policy reports for the whole resource list. */
export async function validateStack(
    policy: StackValidationPolicy,
    resources: FixtureResource[],
    packConfig: PolicyPackConfig = {},
): Promise<string[]> {
    return collect((report) => {
        const policyResources: PolicyResource[] = resources.map((resource) => {
            const props = unknownCheckingProxy(resource.props);
            return {
                type: resource.type,
                name: resource.name,
                urn: urnOf(resource),
                props,
                opts: optionsOf(resource),
                dependencies: [],
                propertyDependencies: {},
                isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
                asType: (resourceClass) =>
                    isTypeOf(resource.type, resourceClass) ? (props as any) : undefined,
            };
        });
        const args: StackValidationArgs = {
            resources: policyResources,
            stackTags: new Map(),
            getConfig: <T extends object>() => configFor(policy, packConfig) as T,
            notApplicable: throwNotApplicable,
        };
        return policy.validateStack(args, report);
    });
}

/** The violation messages a policy of either kind reports over a resource list. */
export async function violations(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    resources: FixtureResource[],
    packConfig: PolicyPackConfig = {},
): Promise<string[]> {
    if (isStackPolicy(policy)) {
        return validateStack(policy, resources, packConfig);
    }
    const messages: string[] = [];
    for (const resource of resources) {
        messages.push(...(await validateResource(policy, resource, packConfig)));
    }
    return messages;
}
