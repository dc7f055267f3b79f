/**
 * A saved plan's creates, checked against the live cluster before anyone approves them. Under
 * server-side apply a "create" of an object that already exists silently takes it over: two
 * stacks sharing a cluster, or a stack pointed at the wrong one, would adopt each other's objects
 * while the plan said "create". An object the stack should adopt is imported through the adoption
 * phases (an `import` step, not a create), so every create over an existing object is refused.
 *
 * Usage: node -r ts-node/register/transpile-only scripts/delivery/lib/creates-over-live.ts <plan.json>
 *   exit 0: no create lands on an existing object; 6: some do (listed); 1: the cluster could not
 *   be asked (fails closed). Uses kubectl with the ambient KUBECONFIG, as the engine does.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { SavedPlan, goalInputs, typeOf } from "./plan-goal";

export interface Create {
    readonly kind: string;
    /** `apps`, `keda.sh`; "" for the core group. */
    readonly group: string;
    readonly name: string;
    /** "" for a cluster-scoped object. */
    readonly namespace: string;
}

/**
 * Every Kubernetes object the plan creates under a name it sets (not a replacement's create: that
 * one is a replace). An object without `metadata.name` is auto-named by the provider with a random
 * suffix at create time, so it cannot land on an existing object.
 */
export function createsOf(plan: SavedPlan): Create[] {
    const creates: Create[] = [];
    for (const [urn, rp] of Object.entries(plan.resourcePlans ?? {})) {
        const steps = rp.steps ?? [];
        if (!steps.includes("create") || steps.includes("create-replacement")) continue;
        const type = typeOf(urn, rp);
        if (!type.startsWith("kubernetes:")) continue;
        const inputs = goalInputs(rp) as {
            apiVersion?: string;
            metadata?: { name?: unknown; namespace?: unknown };
        };
        const name = inputs.metadata?.name;
        if (name === undefined) continue;
        if (typeof name !== "string" || name === "") {
            throw new Error(
                `${urn}: a create whose metadata.name is not a known string; cannot check the cluster`,
            );
        }
        const namespace = inputs.metadata?.namespace ?? "";
        if (typeof namespace !== "string") {
            throw new Error(
                `${urn}: a create whose metadata.namespace is not a known string; cannot check the cluster`,
            );
        }
        const apiVersion = inputs.apiVersion ?? "";
        creates.push({
            kind: type.split(":").pop() ?? "",
            group: apiVersion.includes("/") ? apiVersion.split("/")[0] : "",
            name,
            namespace,
        });
    }
    return creates;
}

export interface LiveObject {
    kind: string;
    apiVersion: string;
    metadata: { name: string; namespace?: string; managedFields?: { manager?: string }[] };
}

const key = (kind: string, group: string, name: string, namespace: string) =>
    `${kind}.${group}/${namespace}/${name}`;

/** The creates whose object the cluster already has, with who manages it. */
export function collisions(creates: readonly Create[], live: readonly LiveObject[]): string[] {
    const found = new Map(
        live.map((o) => {
            const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
            return [key(o.kind, group, o.metadata.name, o.metadata.namespace ?? ""), o] as const;
        }),
    );
    return creates.flatMap((c) => {
        // A cluster-scoped object comes back without a namespace, whatever the plan said.
        const o =
            found.get(key(c.kind, c.group, c.name, c.namespace)) ??
            found.get(key(c.kind, c.group, c.name, ""));
        if (!o) return [];
        const managers = [...new Set((o.metadata.managedFields ?? []).map((f) => f.manager))];
        const where = o.metadata.namespace ? `${o.metadata.namespace}/` : "";
        return [`${c.kind} ${where}${c.name} (managed by: ${managers.join(", ") || "unknown"})`];
    });
}

/** Asks the cluster for every created object, one kubectl call per namespace. */
function liveObjects(creates: readonly Create[]): LiveObject[] {
    const byNamespace = new Map<string, string[]>();
    for (const c of creates) {
        const ref = `${c.kind}${c.group ? `.${c.group}` : ""}/${c.name}`;
        byNamespace.set(c.namespace, [...(byNamespace.get(c.namespace) ?? []), ref]);
    }
    const live: LiveObject[] = [];
    for (const [namespace, refs] of byNamespace) {
        const args = ["get", ...refs, "--ignore-not-found", "-o", "json"];
        if (namespace) args.push("-n", namespace);
        const r = spawnSync("kubectl", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        if (r.status !== 0) {
            throw new Error(
                `kubectl get in namespace "${namespace || "(cluster)"}" failed (exit ${r.status}): ` +
                    `${(r.stderr || String(r.error ?? "")).trim()}`,
            );
        }
        if (r.stdout.trim() === "") continue;
        const doc = JSON.parse(r.stdout) as { items?: LiveObject[] } & LiveObject;
        live.push(...(doc.items ?? (doc.kind ? [doc] : [])));
    }
    return live;
}

function main(argv: string[]): number {
    const file = argv[0];
    if (!file) {
        console.error("usage: creates-over-live.ts <plan.json>");
        return 2;
    }
    let found: string[];
    try {
        const creates = createsOf(JSON.parse(fs.readFileSync(file, "utf8")));
        found = creates.length === 0 ? [] : collisions(creates, liveObjects(creates));
    } catch (e) {
        console.error(
            `creates-over-live: could not check the plan's creates against the cluster, so the plan ` +
                `is refused: ${(e as Error).message}`,
        );
        return 1;
    }
    if (found.length === 0) return 0;
    console.error(
        `This plan creates ${found.length} object(s) that already exist in the cluster and are not ` +
            `in this stack's state. Under server-side apply the "create" would silently take them over:`,
    );
    for (const f of found) console.error(`  !! ${f}`);
    console.error(
        "If they are live objects this stack should take over, adopt them through the adoption phases " +
            "(docs/operations/adoption.md: they show as imports, not creates). If another stack owns " +
            "them, this stack is pointed at the wrong cluster or namespace.",
    );
    return 6;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
