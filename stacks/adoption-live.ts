/**
 * What a new stack's namespace holds that this program did not write: the Deployments and
 * Services whose field managers include none of the Kubernetes provider's (`pulumi-kubernetes-*`,
 * which every object this program applies carries). A stack that has released no phase may start
 * at `done` only when there are none (stacks/adoption-history.ts).
 *
 * The provider reads one object by name and fails the run when it is missing, so it cannot say
 * "nothing is there": this reads with kubectl, under the same KUBECONFIG and
 * `kubernetes:context`/`kubernetes:kubeconfig` as the provider, and first checks that it reached
 * the stack's own cluster (the kube-system uid of stacks/cluster.ts), as the release gate's
 * creates-over-live check does.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/** `Kind/name` of the namespace's Deployments and Services this program did not write. */
export type LiveReader = (namespace: string, clusterUid: string) => Promise<readonly string[]>;

interface Item {
    kind?: string;
    metadata?: { name?: string; managedFields?: { manager?: string }[] };
}

/** Whether the Kubernetes provider has written the object (server-side apply or update). */
export function writtenByProgram(item: Item): boolean {
    return (item.metadata?.managedFields ?? []).some((m) =>
        (m.manager ?? "").startsWith("pulumi-kubernetes"),
    );
}

function kubectlArgs(): string[] {
    const config = new pulumi.Config("kubernetes");
    const args: string[] = [];
    const context = config.get("context");
    if (context) args.push("--context", context);
    const kubeconfig = config.get("kubeconfig");
    if (kubeconfig) {
        // The provider takes a path or the file's text.
        let file = kubeconfig;
        if (!fs.existsSync(kubeconfig)) {
            file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-kube-")), "config");
            fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
        }
        args.push("--kubeconfig", file);
    }
    return args;
}

function kubectl(args: string[]): string {
    const r = spawnSync("kubectl", [...kubectlArgs(), ...args], {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0) {
        throw new pulumi.RunError(
            `kubectl ${args.join(" ")} failed (${(r.stderr || String(r.error ?? "")).trim()}): a ` +
                "new stack cannot tell whether its namespace holds objects to adopt. Nothing was registered.",
        );
    }
    return r.stdout;
}

/** The namespace's Deployments and Services this program did not write, read with kubectl. */
export const kubectlReader: LiveReader = async (namespace, clusterUid) => {
    const uid = kubectl(["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]);
    if (uid.trim() !== clusterUid) {
        throw new pulumi.RunError(
            `kubectl reaches the cluster whose kube-system uid is ${uid.trim()}, not the stack's ` +
                `(${clusterUid}): the read of namespace ${namespace} would say nothing about it. ` +
                "Nothing was registered.",
        );
    }
    // kubectl leaves managedFields out of its output unless asked.
    const args = ["get", "deployments,services", "-n", namespace, "-o", "json"];
    const list = JSON.parse(kubectl([...args, "--show-managed-fields"]));
    return ((list.items ?? []) as Item[])
        .filter((i) => !writtenByProgram(i))
        .map((i) => `${i.kind}/${i.metadata?.name}`)
        .sort();
};

let reader: LiveReader = kubectlReader;

/** The reader in use; tests under mocks (lib/program.ts) set one that answers for the cluster. */
export function liveReader(): LiveReader {
    return reader;
}

/** Sets the reader (undefined: kubectl). */
export function setLiveReader(r: LiveReader | undefined): void {
    reader = r ?? kubectlReader;
}
