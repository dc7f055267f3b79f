/**
 * Runs the real program (`index.ts`) under Pulumi mocks with a stack's config file, and returns
 * every resource it registered. Used by the unit tests, the policy-pack tests and the bench.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { RecordingMocks, RegisteredResource } from "./mocks";
import { setLiveReader } from "../stacks/adoption-live";
import { workloadImages } from "../stacks/promotion";
import { parseSettings } from "../stacks/settings";
import { parseStackFile, stackFilePath } from "./stack-file";

export const ROOT = path.resolve(__dirname, "..");
export const PROJECT = "sapoche-stack";
export type StackName = "production1" | "staging";

/** The `config:` map of `Pulumi.<stack>.yaml` (or of `text`), with the project prefix on each key. */
export function readStackConfig(
    stack: string,
    text = fs.readFileSync(stackFilePath(stack), "utf8"),
): Record<string, unknown> {
    return parseStackFile(text, `Pulumi.${stack}.yaml`).config;
}

/** Config as the engine hands it to the program: objects as JSON text, scalars as strings. */
export function toEngineConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(config).map(([k, v]) => [
            k,
            typeof v === "object" && v !== null ? JSON.stringify(v) : String(v),
        ]),
    );
}

export interface Options {
    /** The program to evaluate. @default index.ts */
    readonly program?: string;
    /**
     * Outputs of stacks read through StackReference, by name. @default stagingRanItsConfig()
     * The stack's own previous outputs (its image history, named by the bare stack name) default
     * to those given for `organization/<project>/<stack>`, or none: a first deployment.
     */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
    /** The uid the cluster's kube-system Namespace answers with. @default the stack's clusterUid */
    readonly clusterUid?: string;
    /**
     * `Kind/name` of the objects the stack's namespace holds that the program did not write, as
     * stacks/adoption-live.ts reads them. @default none: a fresh cluster
     */
    readonly unadopted?: readonly string[];
}

/** A stack file's validated settings, as the program reads them. */
export function stackSettings(stack: StackName, config = readStackConfig(stack)) {
    const raw = Object.fromEntries(
        Object.entries(toEngineConfig(config)).map(([k, v]) => [k.slice(PROJECT.length + 1), v]),
    );
    return parseSettings(raw, PROJECT, `Pulumi.${stack}.yaml`);
}

/** The promotion source's outputs as if staging had just run what Pulumi.staging.yaml says. */
export function stagingRanItsConfig(): Record<string, Record<string, unknown>> {
    const images = workloadImages(stackSettings("staging").plan);
    return { [`organization/${PROJECT}/staging`]: { workloadImages: images } };
}

/**
 * Evaluates `index.ts` for `stack` under mocks. `config` replaces the stack file's config (for
 * tests of bad input and for the bench). Resolves once every registration has settled.
 */
export async function evaluateProgram(
    stack: StackName,
    config: Record<string, unknown> = readStackConfig(stack),
    options: Options = {},
): Promise<RegisteredResource[]> {
    return (await evaluate(stack, config, options)).resources;
}

/** The stack outputs the program exports (resolved, as `pulumi stack output --json` shows them). */
export async function evaluateOutputs(
    stack: StackName,
    config: Record<string, unknown> = readStackConfig(stack),
    options: Options = {},
): Promise<Record<string, unknown>> {
    return (await evaluate(stack, config, options)).outputs;
}

async function evaluate(
    stack: StackName,
    config: Record<string, unknown>,
    {
        program = path.join(ROOT, "index.ts"),
        stackOutputs = stagingRanItsConfig(),
        clusterUid,
        unadopted = [],
    }: Options,
): Promise<{ resources: RegisteredResource[]; outputs: Record<string, unknown> }> {
    const mocks = new RecordingMocks(
        {
            [stack]: stackOutputs[`organization/${PROJECT}/${stack}`] ?? {},
            ...stackOutputs,
        },
        clusterUid,
    );
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
    setLiveReader(async () => unadopted);
    pulumi.runtime.setAllConfig(toEngineConfig(config));
    delete require.cache[require.resolve(program)];
    // As the language host does: the program runs inside the root Stack resource.
    let outputs: unknown;
    try {
        outputs = await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation(mocks.captureOptions);
            const main = require(program);
            return typeof main === "function" ? await main() : main;
        });
    } catch (e) {
        if (typeof e === "object" && e !== null) thrownByPrograms.add(e);
        throw e;
    }
    await settle(mocks);
    return { resources: [...mocks.resources], outputs: (outputs ?? {}) as Record<string, unknown> };
}

/**
 * Errors a program threw, which `evaluate` rethrows to its caller. The SDK rejects the root
 * stack's own outputs promise with the same error, and nobody awaits that one (under the engine
 * the language host reports it). A standalone script (scripts/lib/cli.ts, runMain) that handled
 * the error must not die of that second rejection: it asks `rethrownByEvaluate`.
 */
const thrownByPrograms = new WeakSet<object>();

/** Whether `reason` is an error a program threw and `evaluate` already rethrew. */
export function rethrownByEvaluate(reason: unknown): boolean {
    return typeof reason === "object" && reason !== null && thrownByPrograms.has(reason);
}

const evaluated = new Map<StackName, Promise<RegisteredResource[]>>();

/**
 * The program's resources for a stack file as committed, evaluated once per test run: the
 * program is deterministic, so every test file can share one evaluation per stack.
 */
export function stackResources(stack: StackName): Promise<RegisteredResource[]> {
    let result = evaluated.get(stack);
    if (!result) {
        result = evaluateProgram(stack);
        evaluated.set(stack, result);
    }
    return result;
}

/** Waits until no registration is pending and the set of resources stops growing. */
export async function settle(mocks: RecordingMocks): Promise<void> {
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> })
        .waitForRPCs;
    let seen = -1;
    while (seen !== mocks.resources.length) {
        seen = mocks.resources.length;
        await waitForRPCs();
        await new Promise((r) => setImmediate(r));
    }
}
