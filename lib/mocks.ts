/**
 * Pulumi mocks that record every registered resource with its resolved inputs and the options
 * that matter for safety (protect, ignoreChanges), for unit tests and the policy-pack tests.
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    /** Resolved inputs: what the engine would send to the provider. */
    readonly props: Record<string, unknown>;
    /** True for provider-managed resources, false for ComponentResources. */
    readonly custom: boolean;
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    /** The ID the resource is imported with, if any. */
    readonly importId?: string;
    /** Logical name of the parent, if any. */
    readonly parent?: string;
    /** Earlier logical names the resource is aliased from (`aliases: [{ name }]`). */
    readonly aliases: readonly string[];
}

interface CapturedOptions {
    protect: boolean;
    ignoreChanges: string[];
    parent?: string;
    aliases: string[];
}

/** Records what the program registers. */
export class RecordingMocks implements pulumi.runtime.Mocks {
    private readonly registered: RegisteredResource[] = [];
    private readonly options = new Map<string, CapturedOptions>();

    /**
     * @param stackOutputs outputs of other stacks by name, as a StackReference reads them
     * (`organization/sapoche-stack/staging` -> `{ workloadImages: {...} }`).
     */
    constructor(
        private readonly stackOutputs: Record<string, Record<string, unknown>> = {},
        /**
         * The uid the cluster's kube-system Namespace answers with (stacks/cluster.ts). By default
         * the stack's own `clusterUid`: the mocks stand in for the stack's cluster.
         */
        private readonly clusterUid?: string,
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): {
        id: string;
        state: Record<string, unknown>;
    } {
        if (args.type === "pulumi:pulumi:StackReference") {
            const name = String(args.inputs.name);
            const outputs = this.stackOutputs[name];
            if (!outputs) throw new Error(`unknown stack ${name}`);
            // Recorded too, so tests can say which stacks a program reads.
            this.registered.push({
                type: args.type,
                name: args.name,
                props: args.inputs,
                custom: true,
                protect: false,
                ignoreChanges: [],
                aliases: [],
            });
            return { id: name, state: { name, outputs, secretOutputNames: [] } };
        }
        if (args.type === "kubernetes:core/v1:Namespace" && args.id === "kube-system") {
            // A read of the cluster's identity, not an object the program owns: not recorded.
            const uid = this.clusterUid ?? pulumi.runtime.allConfig()["sapoche-stack:clusterUid"];
            return { id: args.id, state: { metadata: { name: args.id, uid } } };
        }
        const opts = this.options.get(`${args.type}::${args.name}`);
        this.registered.push({
            type: args.type,
            name: args.name,
            props: args.inputs,
            custom: args.custom ?? true,
            protect: opts?.protect ?? false,
            ignoreChanges: opts?.ignoreChanges ?? [],
            importId: args.id || undefined,
            parent: opts?.parent,
            aliases: opts?.aliases ?? [],
        });
        return { id: `${args.name}-id`, state: args.inputs };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return args.inputs;
    }

    /**
     * A stack transformation that sees each resource's options before it registers (mocks do
     * not report options). In-process, so it works without an engine.
     */
    readonly captureOptions: pulumi.ResourceTransformation = (given) => {
        // Registered first, so the program's own stack transformations (adoption's import and
        // ignoreChanges) run after this one: apply them to a copy to record the final options.
        // They are pure functions of their arguments, so running them twice changes nothing.
        let args = given;
        const stack = pulumi.runtime.getStackResource() as
            { __transformations?: pulumi.ResourceTransformation[] } | undefined;
        for (const t of stack?.__transformations ?? []) {
            if (t === this.captureOptions) continue;
            const r = t(args);
            if (r) args = { ...args, props: r.props, opts: r.opts };
        }
        this.options.set(`${args.type}::${args.name}`, {
            protect: args.opts.protect === true,
            ignoreChanges: args.opts.ignoreChanges ?? [],
            parent: (args.opts.parent as { __name?: string } | undefined)?.__name,
            // The SDK adds aliases of its own (inherited from parents); only named ones are ours.
            aliases: (args.opts.aliases ?? []).flatMap((a) => {
                const name = (a as { name?: unknown }).name;
                return typeof name === "string" ? [name] : [];
            }),
        });
        return undefined;
    };

    /** Every recorded resource, in registration order. */
    get resources(): readonly RegisteredResource[] {
        return this.registered;
    }

    /** Recorded resources of one type token, e.g. `kubernetes:apps/v1:Deployment`. */
    resourcesOfType(token: string): RegisteredResource[] {
        return this.registered.filter((r) => r.type === token);
    }

    reset(): void {
        this.registered.length = 0;
        this.options.clear();
    }
}

/** The value of an Output, for assertions. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}
